import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/engine/config.ts';
import { referenceKernels, type Kernels } from '../../src/engine/kernels/index.ts';
import { createModel } from '../../src/engine/create.ts';
import type { DType } from '../../src/engine/types.ts';
import { Rng } from '../../src/util/rng.ts';
import { FAST_BACKENDS } from './kernels/backends.ts';

/**
 * Fixtures written by scripts/make-golden.py (float64): torch.nn.{RNN,LSTM,GRU} + nn.Linear, and for
 * the variants PyTorch lacks an autograd implementation of the cells' equations written independently of the engine.
 */
interface Golden {
  config: ModelConfig;
  T: number;
  B: number;
  x: number[];
  y: number[];
  state0: number[];
  params: { name: string; shape: number[]; data: number[] }[];
  loss: number;
  logits: number[];
  grads: Record<string, number[]>;
  dState0: number[];
  state1: number[];
}

const load = (name: string): Golden =>
  JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}.json`, import.meta.url), 'utf8')) as Golden;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function run(g: Golden, dtype: DType, kernels: Kernels = referenceKernels(dtype)) {
  const model = createModel(g.config, kernels, new Rng(0));
  // same names, shapes and order as PyTorch's named_parameters()
  expect(model.params.map((p) => p.name)).toEqual(g.params.map((p) => p.name));
  for (const p of g.params) {
    const q = model.param(p.name);
    expect([...q.shape]).toEqual(p.shape);
    q.data.set(p.data);
  }
  const x = Int32Array.from(g.x);
  const y = Int32Array.from(g.y);
  const logits = Array.from(model.logits(x, g.T, g.B, Float64Array.from(g.state0)));
  const state = model.newState(g.B);
  state.set(g.state0);
  model.zeroGrad();
  const loss = model.lossAndGrad(x, y, g.T, g.B, state, null);
  return { model, logits, loss, state };
}

describe('golden: the engine reproduces PyTorch exactly (float64)', () => {
  const fast = new Map<string, Kernels>();
  beforeAll(async () => {
    for (const b of FAST_BACKENDS) fast.set(b.name, await b.create({ threads: 2 }));
  });
  afterAll(() => {
    for (const k of fast.values()) k.close?.();
  });

  for (const name of [
    'rnn-tanh', 'rnn-relu', 'lstm', 'gru-reset-after', // torch.nn modules
    'lstm-peephole', 'lstm-coupled', 'lstm-peephole-coupled', 'gru-cho', 'gru-minimal', // autograd of the cells' equations
  ]) {
    it(name, () => {
      const g = load(name);
      const { model, logits, loss, state } = run(g, 'f64');
      expect(maxAbsDiff(logits, g.logits)).toBeLessThan(1e-12);
      expect(Math.abs(loss - g.loss)).toBeLessThan(1e-12);
      for (const p of model.params) expect(maxAbsDiff(p.grad, g.grads[p.name]!), p.name).toBeLessThan(1e-12);
      expect(maxAbsDiff(model.dState0, g.dState0)).toBeLessThan(1e-12);
      expect(maxAbsDiff(state, g.state1)).toBeLessThan(1e-12);
    });

    for (const backend of ['reference', ...FAST_BACKENDS.map((b) => b.name)]) {
      it(`${name} (float32 on the ${backend} kernels, close)`, () => {
        const g = load(name);
        const { model, loss, state } = run(g, 'f32', fast.get(backend));
        expect(Math.abs(loss - g.loss)).toBeLessThan(1e-5);
        for (const p of model.params) expect(maxAbsDiff(p.grad, g.grads[p.name]!), p.name).toBeLessThan(1e-5);
        expect(maxAbsDiff(model.dState0, g.dState0)).toBeLessThan(1e-5);
        expect(maxAbsDiff(state, g.state1)).toBeLessThan(1e-5);
      });
    }
  }
});
