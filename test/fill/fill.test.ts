import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig } from '../../src/engine/config.ts';
import { BidirectionalLanguageModel } from '../../src/engine/bidirectional.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import type { LanguageModel } from '../../src/engine/language-model.ts';
import { createModel } from '../../src/engine/create.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import { evaluateInfill, forEachInfillRow } from '../../src/eval/infill.ts';
import { fillText } from '../../src/fill/fill.ts';
import { parseGaps } from '../../src/fill/gaps.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { Batches } from '../../src/train/batches.ts';
import { createOptimizer } from '../../src/train/optimizers.ts';
import { Rng } from '../../src/util/rng.ts';

const TEXT = 'the cat sat on the mat. the dog sat on the log. a big red hen ran to the pen.\n'.repeat(40);
const vocab = Vocab.fromText(TEXT, { eos: 'line' });
const ids = vocab.encode(TEXT).ids;

function trainModel(bidirectional: boolean, steps: number): { model: LanguageModel; first: number; last: number } {
  const model = createModel({ ...defaultModelConfig, cell: 'lstm', hidden: 32, layers: 1, vocabSize: vocab.size, bidirectional }, referenceKernels('f32'), new Rng(1));
  const opt = createOptimizer('adam', model.params, model.kernels);
  const batches = new Batches(ids, 8, 24);
  const state = model.newState(8);
  let first = 0, last = 0;
  for (let s = 0; s < steps; s++) {
    if (batches.next()) state.fill(0);
    model.zeroGrad();
    const loss = model.lossAndGrad(batches.x, batches.y, 24, 8, state, null);
    if (s < 10) first += loss / 10;
    if (s >= steps - 10) last += loss / 10;
    opt.step(0.01);
  }
  return { model, first, last };
}

describe('a bidirectional model learns a small text and fills its gaps', () => {
  let bi: ReturnType<typeof trainModel>;
  let uni: ReturnType<typeof trainModel>;
  beforeAll(() => {
    bi = trainModel(true, 250);
    uni = trainModel(false, 250);
  });

  it('learns: the training loss falls far below its start', () => {
    expect(bi.first).toBeGreaterThan(2.5);
    expect(bi.last).toBeLessThan(0.3);
  });

  it('fills single and multi-character gaps from both sides', () => {
    const r = fillText(bi.model, vocab, 'the c_t sat on the m_t. the d__ sat on the l__.', { seed: 1 });
    expect(r.mode).toBe('bidirectional');
    expect(r.text).toBe('the cat sat on the mat. the dog sat on the log.');
    expect(r.converged).toBe(true);
    expect(r.gaps.map((g) => g.fill)).toEqual(['a', 'a', 'og', 'og']);
    expect(r.gaps[2]).toMatchObject({ start: 29, length: 2 });
    for (const g of r.gaps) expect(g.probability).toBeGreaterThan(0.3);
  });

  it('uses the right context: a gap whose left context is ambiguous', () => {
    // "the _at" — after "the " the left context allows c, m (and d, l, p…); " on the mat" follows only "cat sat"
    const r = fillText(bi.model, vocab, 'the _at sat on the mat.', { seed: 1 });
    expect(r.text).toBe('the cat sat on the mat.');
  });

  it('samples: N alternatives, repeatable with the seed', () => {
    const a = fillText(bi.model, vocab, 'a big red h_n ran', { samples: 3, temperature: 2, seed: 5 });
    const b = fillText(bi.model, vocab, 'a big red h_n ran', { samples: 3, temperature: 2, seed: 5 });
    expect(a.samples).toHaveLength(3);
    expect(a.samples).toEqual(b.samples);
    for (const s of a.samples) expect(s.text).toMatch(/^a big red h.n ran$/);
  });

  it('a left-to-right model fills from the left context alone', () => {
    const r = fillText(uni.model, vocab, 'the dog sat on the l_g. a big r_d hen', { seed: 1 });
    expect(r.mode).toBe('left-context');
    expect(r.text).toBe('the dog sat on the log. a big red hen');
  });

  it('unknown characters are read as <UNK> and counted', () => {
    const r = fillText(bi.model, vocab, 'the c_t sat on the mat€', { seed: 1 });
    expect(r.unknown).toBe(1);
    expect(r.text.endsWith('mat€')).toBe(true);
  });

  it('infill perplexity: far below the left-to-right one, and the same for any B and T when B = 1', () => {
    const held = vocab.encode('the dog sat on the mat. a big red hen ran to the log.\n').ids;
    const inf = evaluateInfill(bi.model, held, { seqLength: 7 });
    const whole = evaluateInfill(bi.model, held, { seqLength: 1000 });
    expect(inf.tokens).toBe(held.length - 1);
    expect(inf.totalNats).toBeCloseTo(whole.totalNats, 3);
    expect(evaluate(bi.model, held, { seqLength: 7 }).totalNats).toBeCloseTo(inf.totalNats, 3); // dispatches
    const left = evaluate(uni.model, held, {});
    expect(inf.nats).toBeLessThan(left.nats);
    expect(evaluateInfill(bi.model, held, { batch: 4, seqLength: 5 }).tokens).toBe(held.length - 1);
  });

  it('forEachInfillRow visits every position once, for any B and T', () => {
    const m = bi.model as BidirectionalLanguageModel;
    for (const [batch, seqLength] of [[1, 3], [3, 4], [5, 100], [50, 2]] as const) {
      const seen = new Array(ids.length > 100 ? 100 : ids.length).fill(0);
      forEachInfillRow(m, ids.subarray(0, seen.length), { batch, seqLength }, (p) => seen[p]++);
      expect(seen.every((n) => n === 1)).toBe(true);
    }
  });
});

describe('parseGaps', () => {
  it('cuts the text at runs of _', () => {
    const g = parseGaps('ab__c_', vocab);
    expect(g.pieces).toEqual(['ab', 'c', '']);
    expect(g.gaps.map((q) => [q.start, q.length, q.positions])).toEqual([[2, 2, [3, 4]], [5, 1, [6]]]);
    expect(g.ids.length).toBe(7);
  });
});
