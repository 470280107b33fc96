import { describe, expect, it } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import { score } from '../../src/eval/score.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { BigramModel, FixedLogitsModel, RecurrentFake } from '../sample/fake-models.ts';

const LINES = [
  'the cat sat on the mat.',
  '',
  'a dog, a log.',
  'we dig a bog',
  'the end',
  'cats and dogs',
  'x',
];
const FILE = LINES.join('\n') + '\n';
const vocab = Vocab.fromText(FILE, { eos: 'line' });
const V = vocab.size;

/** −log softmax(row)[k], written out. */
const nll = (row: readonly number[], k: number): number =>
  Math.log(row.reduce((a, l) => a + Math.exp(l), 0)) - row[k];

/** Reference: feed one token at a time from `from` to `to`, zero state at `from`. */
function stepwise(m: RecurrentFake, ids: ArrayLike<number>, from: number, to: number): number {
  const state = m.newState(1);
  const x = new Int32Array(1);
  let sum = 0;
  for (let p = from; p < to; p++) {
    x[0] = ids[p - 1];
    const row = [...m.logits(x, 1, 1, state)];
    sum += nll(row, ids[p]);
  }
  return sum;
}

describe('evaluate', () => {
  it('is the mean −log p of every token after the first, <EOS> included', () => {
    const row = Array.from({ length: V }, (_, i) => Math.sin(i));
    const ids = vocab.encode(FILE).ids; // [<EOS>, t, h, e, …, <EOS>]
    const r = evaluate(new FixedLogitsModel(row), ids);
    let want = 0;
    for (let i = 1; i < ids.length; i++) want += nll(row, ids[i]);
    expect(r.tokens).toBe(ids.length - 1);
    expect(r.tokens).toBe([...FILE].length); // every char, each '\n' as an <EOS>
    expect(r.totalNats).toBeCloseTo(want, 10);
    expect(r.nats).toBeCloseTo(want / r.tokens, 12);
    expect(r.bits).toBeCloseTo(r.nats / Math.LN2, 12);
    expect(r.perplexity).toBeCloseTo(Math.exp(r.nats), 10);
    expect(r.unknown).toBe(0);
  });
  it('counts <UNK>s among the predicted tokens', () => {
    const enc = vocab.encode('the ☃ cat 😀\n');
    expect(enc.unknown).toBe(2);
    expect(evaluate(new RecurrentFake(V, 1), enc.ids).unknown).toBe(2);
  });
  it('carries the state across blocks: any T gives the one-token-at-a-time result (B = 1)', () => {
    const m = new RecurrentFake(V, 2);
    const ids = vocab.encode(FILE).ids;
    const want = stepwise(m, ids, 1, ids.length);
    for (const T of [1, 2, 5, 17, 128, 1000]) {
      expect(evaluate(m, ids, { seqLength: T }).totalNats).toBe(want); // same sums in the same order
    }
  });
  it('B streams: each contiguous part starts from a zero state', () => {
    const m = new RecurrentFake(V, 3);
    const ids = vocab.encode(FILE).ids;
    const P = ids.length - 1;
    for (const B of [2, 3, 7]) {
      const L = Math.ceil(P / B);
      let want = 0;
      for (let s = 1; s < ids.length; s += L) want += stepwise(m, ids, s, Math.min(s + L, ids.length));
      for (const T of [1, 4, 9]) {
        const r = evaluate(m, ids, { batch: B, seqLength: T });
        expect(r.tokens).toBe(P);
        expect(r.totalNats).toBeCloseTo(want, 9);
      }
    }
  });
  it('rejects bad options, empty streams, foreign ids and bidirectional models', () => {
    const m = new RecurrentFake(V, 4);
    const ids = vocab.encode('abc').ids;
    expect(() => evaluate(m, ids, { batch: 0 })).toThrow(RnnError);
    expect(() => evaluate(m, ids, { seqLength: 1.5 })).toThrow(RnnError);
    expect(() => evaluate(m, [0])).toThrow(/nothing to evaluate/);
    expect(() => evaluate(m, [0, V])).toThrow(/another vocabulary/);
    expect(() => evaluate(new FixedLogitsModel([0, 0, 0], true), [0, 1])).toThrow(RnnError);
  });
});

describe('score', () => {
  it("a line's logProb is Σ log p over its characters and the <EOS> that ends it", () => {
    const row = Array.from({ length: V }, (_, i) => Math.cos(3 * i));
    const [s] = score(new FixedLogitsModel(row), vocab, ['cat']);
    const ids = [vocab.idOf(0x63), vocab.idOf(0x61), vocab.idOf(0x74), 0];
    const want = -ids.reduce((a, k) => a + nll(row, k), 0);
    expect(s.tokens).toBe(4);
    expect(s.logProb).toBeCloseTo(want, 12);
    expect(s.meanNats).toBeCloseTo(-want / 4, 12);
    // the text's own trailing separator is that <EOS>, not a second one
    expect(score(new FixedLogitsModel(row), vocab, ['cat\n'])[0].logProb).toBe(s.logProb);
  });
  it('each line starts from <EOS> and a zero state, whatever B and T', () => {
    const m = new RecurrentFake(V, 5);
    const want = LINES.map((l) => {
      const ids = [0, ...vocab.encode(l, { start: false, end: true }).ids];
      return -stepwise(m, ids, 1, ids.length);
    });
    for (const [batch, seqLength] of [[1, 1], [2, 3], [32, 128], [3, 7]]) {
      const got = score(m, vocab, LINES, { batch, seqLength });
      for (const s of got) expect(s.logProb).toBeCloseTo(want[s.index], 10);
    }
  });
  it('ranks best first by total logProb (or by mean), ties in input order', () => {
    const m = new RecurrentFake(V, 6);
    const byTotal = score(m, vocab, LINES);
    for (let i = 1; i < byTotal.length; i++) expect(byTotal[i - 1].logProb).toBeGreaterThanOrEqual(byTotal[i].logProb);
    expect(byTotal.map((s) => s.text).sort()).toEqual([...LINES].sort());
    const byMean = score(m, vocab, LINES, { sortBy: 'mean' });
    for (let i = 1; i < byMean.length; i++) expect(byMean[i - 1].meanNats).toBeLessThanOrEqual(byMean[i].meanNats);
    expect(score(m, vocab, ['dog', 'cat', 'dog', 'dog']).filter((s) => s.text === 'dog').map((s) => s.index)).toEqual([0, 2, 3]);
  });
  it('"The apple and pear salad." beats "The apple and pair salad." under a model of fruit text', () => {
    const corpus = 'The pear is ripe.\nA pear and an apple.\nThe apple salad.\nI ate a pear.\nThe fair hair.\n';
    const v = Vocab.fromText(corpus, { eos: 'line' });
    const m = BigramModel.fromStream(v.encode(corpus).ids, v.size);
    const [best, worst] = score(m, v, ['The apple and pair salad.', 'The apple and pear salad.']);
    expect(best.text).toBe('The apple and pear salad.');
    expect(best.logProb).toBeGreaterThan(worst.logProb);
    expect(best.tokens).toBe(26);
  });
  it('counts unknown characters per line', () => {
    const s = score(new RecurrentFake(V, 7), vocab, ['a ☃ b']);
    expect(s[0].unknown).toBe(1);
  });
});

describe('eval and score agree', () => {
  // The per-token mean over a file's lines, each scored from <EOS> and a zero state, equals the
  // file's nats/token when evaluate resets the state at every <EOS> input. Two different code
  // paths (contiguous carried streams vs padded per-line batches): a wrong token count, a missing
  // <EOS>, an off-by-one input or a leaked state breaks the equality.
  const m = new RecurrentFake(V, 8);
  const ids = vocab.encode(FILE).ids;
  const scores = score(m, vocab, LINES);
  const totalNats = -scores.reduce((a, s) => a + s.logProb, 0);
  const tokens = scores.reduce((a, s) => a + s.tokens, 0);

  it('same tokens, same nats/char, for any B and T', () => {
    for (const [batch, seqLength] of [[1, 128], [1, 1], [1, 5], [2, 3], [3, 4], [7, 2], [32, 64]]) {
      const r = evaluate(m, ids, { batch, seqLength, resetAtEos: true });
      expect(r.tokens).toBe(tokens);
      expect(r.nats).toBeCloseTo(totalNats / tokens, 12);
    }
  });
  it('and the comparison can fail: carrying the state across lines gives another figure', () => {
    const r = evaluate(m, ids);
    expect(r.tokens).toBe(tokens);
    expect(Math.abs(r.nats - totalNats / tokens)).toBeGreaterThan(1e-3);
  });
});
