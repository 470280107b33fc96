import { describe, expect, it } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import type { LanguageModel } from '../../src/engine/language-model.ts';
import { rowNll } from '../../src/util/softmax.ts';
import { beamSearch, type BeamOptions } from '../../src/sample/beam.ts';
import { EOS_ID, UNK_ID } from '../../src/tokenizer/tokens.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { FixedLogitsModel, RecurrentFake } from './fake-models.ts';

const vocab = new Vocab('line', [0x61, 0x62, 0x63]); // <EOS> <UNK> a b c: V = 5
const V = vocab.size;
const A = vocab.idOf(0x61);
const B = vocab.idOf(0x62);

const primeIds = (prime: string): number[] => [...vocab.encode(prime, { start: false }).ids];

/** Σ ln p of `ids` after <EOS> + prime, from one block through a fresh state (independent of the search). */
function logProbOf(model: LanguageModel, prime: number[], ids: number[]): number {
  const x = Int32Array.from([EOS_ID, ...prime, ...ids]);
  const z = model.logits(x, x.length, 1, model.newState(1));
  let lp = 0;
  for (let i = 0; i < ids.length; i++) lp -= rowNll(z, (prime.length + i) * V, V, ids[i]);
  return lp;
}

/** Every continuation of length n over the allowed tokens, scored, best first (ties: lexicographic). */
function exhaustive(model: LanguageModel, prime: number[], n: number, allowUnk: boolean): { ids: number[]; logProb: number }[] {
  const tokens = [...Array(V).keys()].filter((t) => allowUnk || t !== UNK_ID);
  let seqs: number[][] = [[]];
  for (let i = 0; i < n; i++) seqs = seqs.flatMap((s) => tokens.map((t) => [...s, t]));
  return seqs.map((ids) => ({ ids, logProb: logProbOf(model, prime, ids) })).sort((a, b) => b.logProb - a.logProb);
}

function expectSameRanking(got: { ids: number[]; logProb: number }[], want: { ids: number[]; logProb: number }[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i].ids).toEqual(want[i].ids);
    expect(Math.abs(got[i].logProb - want[i].logProb)).toBeLessThan(1e-9);
  }
}

describe('beamSearch', () => {
  it('is exact, top-count ordering included, when the width covers every prefix', () => {
    for (const [seed, n, prime, allowUnk] of [[1, 3, '', false], [2, 4, 'ab', false], [3, 3, 'c', true]] as const) {
      const m = new RecurrentFake(V, seed);
      const all = exhaustive(m, primeIds(prime), n, allowUnk);
      const branching = allowUnk ? V : V - 1;
      // Every continuation kept: the whole ranking must match.
      const full = beamSearch(m, vocab, { width: all.length, length: n, prime, count: all.length, allowUnk });
      expectSameRanking(full, all);
      // Width = branching^(n−1) keeps every prefix of length n − 1: still exact for the top 10.
      const top = beamSearch(m, vocab, { width: branching ** (n - 1), length: n, prime, count: 10, allowUnk });
      expectSameRanking(top, all.slice(0, 10));
      expect(top[0].text).toBe(vocab.decode(all[0].ids));
    }
  });

  it('with a small width: the reported log-probability is the model\'s, and never above the optimum', () => {
    for (let seed = 10; seed < 30; seed++) {
      const m = new RecurrentFake(V, seed, 0.8, 2);
      const n = 4;
      const all = exhaustive(m, [], n, false);
      for (const width of [1, 2, 3]) {
        const res = beamSearch(m, vocab, { width, length: n, count: width });
        expect(res.length).toBe(width);
        for (let i = 0; i < res.length; i++) {
          expect(res[i].ids.length).toBe(n);
          expect(res[i].ids).not.toContain(UNK_ID);
          expect(Math.abs(res[i].logProb - logProbOf(m, [], res[i].ids))).toBeLessThan(1e-9);
          expect(res[i].logProb).toBeLessThanOrEqual(all[i].logProb + 1e-12); // the i-th best overall bounds the i-th found
          if (i > 0) expect(res[i].logProb).toBeLessThanOrEqual(res[i - 1].logProb);
        }
        expect(new Set(res.map((r) => r.ids.join())).size).toBe(res.length);
      }
    }
  });

  it('width 1 is greedy decoding (argmax at each step, <UNK> skipped)', () => {
    for (let seed = 40; seed < 45; seed++) {
      const m = new RecurrentFake(V, seed, 0.7, 2);
      const state = m.newState(1);
      const x = Int32Array.from([EOS_ID, A, B]);
      let z = m.logits(x, x.length, 1, state);
      let off = (x.length - 1) * V;
      const greedy: number[] = [];
      for (let i = 0; i < 12; i++) {
        let best = EOS_ID;
        for (let t = 1; t < V; t++) if (t !== UNK_ID && z[off + t] > z[off + best]) best = t;
        greedy.push(best);
        z = m.logits(Int32Array.of(best), 1, 1, state);
        off = 0;
      }
      const [res] = beamSearch(m, vocab, { width: 1, length: 12, prime: 'ab' });
      expect(res.ids).toEqual(greedy);
      expect(res.text).toBe(vocab.decode(greedy));
    }
  });

  it('never generates <UNK> unless allowUnk; <UNK> still counts in the softmax', () => {
    const row = [0, 5, 1, 2, 0.5]; // <UNK> is the most likely token
    const m = new FixedLogitsModel(row);
    const lse = Math.log(row.reduce((s, z) => s + Math.exp(z), 0));
    const [res] = beamSearch(m, vocab, { width: 3, length: 4 });
    expect(res.ids).toEqual([3, 3, 3, 3]);
    expect(res.logProb).toBeCloseTo(4 * (2 - lse), 12);
    const [unk] = beamSearch(m, vocab, { width: 3, length: 4, allowUnk: true });
    expect(unk.ids).toEqual([UNK_ID, UNK_ID, UNK_ID, UNK_ID]);
    expect(unk.text).toBe('\uFFFD'.repeat(4));
    for (const r of beamSearch(m, vocab, { width: 5, length: 3, count: 5 })) expect(r.ids).not.toContain(UNK_ID);
  });

  it('<EOS> is an ordinary token, decoded as its separator; ties go to the lower parent, then the lower id', () => {
    const m = new FixedLogitsModel([3, -9, 1, 2, 2]); // <EOS> best, then b and c tied
    const res = beamSearch(m, vocab, { width: 3, length: 2, count: 3 });
    expect(res.map((r) => r.ids)).toEqual([[EOS_ID, EOS_ID], [EOS_ID, 3], [EOS_ID, 4]]);
    expect(res[0].text).toBe('\n\n');
    expect(res[1].text).toBe('\nb');
    const [w] = beamSearch(m, vocab, { width: 2, length: 3, count: 2 }).slice(1);
    expect(w.ids).toEqual([EOS_ID, EOS_ID, 3]);
  });

  it('feeds <EOS> + prime as sampling does, then one token per hypothesis and step', () => {
    const m = new RecurrentFake(V, 7);
    m.record = true;
    const [res] = beamSearch(m, vocab, { width: 1, length: 5, prime: 'ba' });
    expect(m.calls[0]).toEqual({ x: [EOS_ID, B, A], T: 3, B: 1, zeroState: true });
    expect(m.calls.length).toBe(5); // the prime block, then the 4 tokens that were not the last
    for (let i = 1; i < 5; i++) expect(m.calls[i]).toMatchObject({ x: [res.ids[i - 1]], T: 1, B: 1, zeroState: false });
    // Width 3, length 4: the block, then each of the 3 kept hypotheses' last token at steps 2, 3 and 4.
    m.calls.length = 0;
    beamSearch(m, vocab, { width: 3, length: 4 });
    expect(m.calls[0]).toEqual({ x: [EOS_ID], T: 1, B: 1, zeroState: true });
    expect(m.calls.length).toBe(1 + 3 * 3);
    expect(m.calls.slice(1).every((c) => c.T === 1 && c.B === 1 && !c.zeroState)).toBe(true);
  });

  it('unknown prime characters are fed as <UNK>, without a crash', () => {
    const m = new RecurrentFake(V, 8);
    m.record = true;
    const res = beamSearch(m, vocab, { width: 4, length: 3, prime: 'a☃b😀', count: 2 });
    expect(m.calls[0].x).toEqual([EOS_ID, A, UNK_ID, B, UNK_ID]);
    const best = exhaustive(m, [A, UNK_ID, B, UNK_ID], 3, false)[0];
    expect(res[0].ids).toEqual(best.ids);
    expect(Math.abs(res[0].logProb - best.logProb)).toBeLessThan(1e-9);
  });

  it('bad options throw RnnError (usage) naming the option', () => {
    const m = new RecurrentFake(V, 9);
    const bad = (o: Partial<BeamOptions>, flag: string, model: LanguageModel = m): void => {
      let err: unknown;
      try {
        beamSearch(model, vocab, { width: 2, length: 3, ...o });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RnnError);
      const r = err as RnnError;
      expect(r.kind).toBe('usage');
      expect(r.message).toContain(flag);
      expect(r.expected && r.got && r.hint).toBeTruthy();
    };
    bad({ width: 0 }, '--beam');
    bad({ width: 1.5 }, '--beam');
    bad({ width: NaN }, '--beam');
    bad({ length: 0 }, '--length');
    bad({ length: -2 }, '--length');
    bad({ count: 3 }, '--count');
    bad({ count: 0 }, '--count');
    bad({}, 'bidirectional', new FixedLogitsModel([0, 0, 0, 0, 0], true));
    expect(() => beamSearch(new RecurrentFake(V + 1, 1), vocab, { width: 1, length: 1 })).toThrow(RnnError);
  });
});
