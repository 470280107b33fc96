import { describe, expect, it } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import { sample, sampleStream } from '../../src/sample/sample.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { FixedLogitsModel, RecurrentFake } from './fake-models.ts';

const vocab = Vocab.fromText('abcdef\nxyz.', { eos: 'line' }); // V = 2 + 10
const V = vocab.size;

describe('sampleStream', () => {
  it('same seed, same text; another seed, other text', () => {
    const m = new RecurrentFake(V, 1);
    const a = sample(m, vocab, { length: 300, seed: 42 }).text;
    const b = sample(m, vocab, { length: 300, seed: 42 }).text;
    const c = sample(m, vocab, { length: 300, seed: 43 }).text;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect([...a].length).toBeGreaterThanOrEqual(300); // '\n' is one char per <EOS> in line mode
  });
  it('streams one chunk per generated token, after the prime', () => {
    const m = new RecurrentFake(V, 2);
    const run = sampleStream(m, vocab, { length: 50, seed: 1, prime: 'abc' });
    const chunks = [...run];
    expect(chunks[0]).toBe('abc');
    expect(chunks.length).toBe(51);
    expect(run.stats.tokens).toBe(50);
    expect(chunks.slice(1).every((c) => c.length === 1)).toBe(true);
    expect(run.seed).toBe(1);
    // echoPrime false: the same generated text without the prime
    const bare = sample(m, vocab, { length: 50, seed: 1, prime: 'abc', echoPrime: false }).text;
    expect(bare).toBe(chunks.slice(1).join(''));
  });
  it('starts from <EOS> and a zero state, feeds the prime, then one token at a time', () => {
    const m = new RecurrentFake(V, 3);
    m.record = true;
    const text = sample(m, vocab, { length: 5, seed: 9, prime: 'ba' }).text;
    const ids = [...vocab.encode(text, { start: false }).ids];
    expect(m.calls[0]).toEqual({ x: [0, vocab.idOf(0x62), vocab.idOf(0x61)], T: 3, B: 1, zeroState: true });
    expect(m.calls.length).toBe(5); // the prime block, then the 4 tokens that were not the last
    for (let i = 1; i < 5; i++) expect(m.calls[i]).toMatchObject({ x: [ids[i + 1]], T: 1, zeroState: false });
  });
  it('prime characters unknown to the vocabulary become <UNK>, counted, no crash', () => {
    const m = new RecurrentFake(V, 4);
    m.record = true;
    const run = sampleStream(m, vocab, { length: 10, seed: 3, prime: 'a☃b😀' });
    expect(run.unknownInPrime).toBe(2);
    expect(run.warnings).toEqual(["2 prime characters are not in the model's vocabulary and became <UNK>"]);
    const text = [...run].join('');
    expect(text.startsWith('a☃b😀')).toBe(true);
    expect(m.calls[0].x).toEqual([0, vocab.idOf(0x61), 1, vocab.idOf(0x62), 1]);
    expect(sampleStream(m, vocab, { prime: 'abc' }).warnings).toEqual([]);
  });
  it('count K: K sequences, each ending at <EOS>, each from a fresh state', () => {
    const m = new RecurrentFake(V, 5, 0.7, 0.5);
    m.record = true;
    const run = sampleStream(m, vocab, { count: 6, seed: 8, prime: 'x' });
    const text = [...run].join('');
    const lines = text.split('\n');
    expect(lines.length).toBe(7);
    expect(lines[6]).toBe('');
    lines.slice(0, 6).forEach((l) => expect(l.startsWith('x')).toBe(true));
    expect(run.stats.sequences).toBe(6);
    expect(run.stats.truncated).toBe(0);
    const starts = m.calls.filter((c) => c.T === 2);
    expect(starts.length).toBe(6);
    starts.forEach((c) => expect(c).toEqual({ x: [0, vocab.idOf(0x78)], T: 2, B: 1, zeroState: true }));
    // Every other call is one token from a carried (non-zero) state.
    expect(m.calls.filter((c) => c.T === 1).every((c) => !c.zeroState)).toBe(true);
  });
  it('count K: a sequence that never draws <EOS> is cut at the cap', () => {
    const row = new Array(V).fill(0);
    row[0] = -1e4; // p(<EOS>) underflows to exactly 0
    const run = sampleStream(new FixedLogitsModel(row), vocab, { count: 3, seed: 1, maxSequenceLength: 40 });
    const lines = [...run].join('').split('\n');
    expect(lines.slice(0, 3).map((l) => [...l].length)).toEqual([40, 40, 40]);
    expect(run.stats.truncated).toBe(3);
  });
  it('length N counts an <EOS> as one token, emitted as its separator', () => {
    const row = new Array(V).fill(-1e4);
    row[0] = 0; // always <EOS>
    expect(sample(new FixedLogitsModel(row), vocab, { length: 4, seed: 1 }).text).toBe('\n\n\n\n');
    const para = Vocab.fromText('ab', { eos: 'paragraph' });
    expect(sample(new FixedLogitsModel([0, -1e4, -1e4, -1e4]), para, { length: 2, seed: 1 }).text).toBe('\n\n\n\n');
  });
  it('argmax is the same for every seed', () => {
    const m = new RecurrentFake(V, 6);
    const a = sample(m, vocab, { length: 100, argmax: true, seed: 1 }).text;
    expect(sample(m, vocab, { length: 100, argmax: true, seed: 2 }).text).toBe(a);
  });
  // χ² of 100k draws against softmax(logits / T), over the ids that may be drawn
  const chiSquare = (allowUnk: boolean): { stat: number; unk: number } => {
    const row = [0.5, -3, 1, 0.2, -0.4, 0.9, 0, 0.3, -1, 1.4, 0.1, -0.2];
    const T = 0.8;
    const run = sampleStream(new FixedLogitsModel(row), vocab, { length: 100_000, seed: 77, temperature: T, allowUnk });
    const counts = new Array(V).fill(0);
    const id = new Map<string, number>();
    for (let i = 0; i < V; i++) id.set(vocab.decode([i]), i);
    for (const chunk of run) counts[id.get(chunk)!]++;
    const e = row.map((l, i) => (allowUnk || i !== 1 ? Math.exp(l / T) : 0)); // id 1 is <UNK>
    const Z = e.reduce((a, b) => a + b, 0);
    const stat = counts.reduce((s, c, i) => (e[i] === 0 ? s : s + (c - (1e5 * e[i]) / Z) ** 2 / ((1e5 * e[i]) / Z)), 0);
    return { stat, unk: counts[1] };
  };
  it('the whole path draws from softmax(logits / T): χ² over 100k tokens', () => {
    const all = chiSquare(true);
    expect(all.stat).toBeLessThan(31.26); // χ²(11) at α = 0.001
    expect(all.unk).toBeGreaterThan(0);
  });
  it('by default <UNK> is never drawn and the rest keep their proportions', () => {
    const known = chiSquare(false);
    expect(known.unk).toBe(0);
    expect(known.stat).toBeLessThan(29.59); // χ²(10) at α = 0.001
  });
  it('rejects impossible options before generating', () => {
    const m = new RecurrentFake(V, 7);
    const kind = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RnnError);
        return (e as RnnError).kind;
      }
      return 'none';
    };
    expect(kind(() => sampleStream(m, vocab, { temperature: 0 }))).toBe('usage');
    expect(kind(() => sampleStream(m, vocab, { topK: 0 }))).toBe('usage');
    expect(kind(() => sampleStream(m, vocab, { topP: 1.5 }))).toBe('usage');
    expect(kind(() => sampleStream(m, vocab, { length: 5, count: 2 }))).toBe('usage');
    expect(kind(() => sampleStream(m, vocab, { length: -1 }))).toBe('usage');
    expect(kind(() => sampleStream(m, vocab, { seed: 1.5 }))).toBe('usage');
    expect(kind(() => sampleStream(new RecurrentFake(V + 1, 1), vocab, {}))).toBe('user');
    expect(kind(() => sampleStream(new FixedLogitsModel(new Array(V).fill(0), true), vocab, {}))).toBe('user');
  });
});
