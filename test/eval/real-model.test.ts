/** The sampler and the evaluator on the engine's own LSTM/GRU (float32, reference kernels). */
import { describe, expect, it } from 'vitest';
import { defaultModelConfig, type CellKind } from '../../src/engine/config.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import { createModel } from '../../src/engine/create.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import { score } from '../../src/eval/score.ts';
import { sample } from '../../src/sample/sample.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { Rng } from '../../src/util/rng.ts';

const LINES = ['The apple and pear salad.', 'A pear.', '', 'Apples and pears and plums', 'salad!'];
const FILE = LINES.join('\n') + '\n';
const vocab = Vocab.fromText(FILE, { eos: 'line' });

function model(cell: CellKind, seed: number) {
  const m = createModel({ ...defaultModelConfig, cell, hidden: 24, layers: 2, vocabSize: vocab.size }, referenceKernels('f32'), new Rng(seed));
  // Larger weights than the init, so the state really matters.
  for (const p of m.params) for (let i = 0; i < p.data.length; i++) p.data[i] *= 4;
  return m;
}

describe.each(['lstm', 'gru', 'rnn'] as CellKind[])('%s model', (cell) => {
  const m = model(cell, 1);
  const ids = vocab.encode(FILE).ids;

  it('eval (state reset at <EOS>) and score agree for any B and T', () => {
    const s = score(m, vocab, LINES, { batch: 3, seqLength: 5 });
    const tokens = s.reduce((a, x) => a + x.tokens, 0);
    const nats = -s.reduce((a, x) => a + x.logProb, 0) / tokens;
    for (const [batch, seqLength] of [[1, 128], [1, 3], [4, 2], [32, 64]]) {
      const r = evaluate(m, ids, { batch, seqLength, resetAtEos: true });
      expect(r.tokens).toBe(tokens);
      expect(Math.abs(r.nats - nats)).toBeLessThan(1e-6 * nats);
    }
    expect(Math.abs(evaluate(m, ids).nats - nats)).toBeGreaterThan(1e-4); // carrying state differs
  });

  it('B = 1 evaluation does not depend on the block length', () => {
    const a = evaluate(m, ids, { seqLength: 1 }).nats;
    for (const T of [7, 256]) expect(Math.abs(evaluate(m, ids, { seqLength: T }).nats - a)).toBeLessThan(1e-6 * a);
  });

  it('samples reproducibly, in both modes', () => {
    const a = sample(m, vocab, { length: 200, seed: 5, prime: 'The ' });
    expect(sample(m, vocab, { length: 200, seed: 5, prime: 'The ' }).text).toBe(a.text);
    expect(a.text.startsWith('The ')).toBe(true);
    const c = sample(m, vocab, { count: 4, seed: 6, topK: 5, maxSequenceLength: 60 });
    expect(c.text.split('\n').length).toBe(5);
    expect(c.stats.sequences).toBe(4);
  });
});
