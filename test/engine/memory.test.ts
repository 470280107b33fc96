/**
 * Issue 12, item 5: the memory estimate that refuses a too-big model up front is checked here
 * against what the WebAssembly kernels really hand out for a training step and an evaluation.
 */
import { describe, expect, it } from 'vitest';
import { defaultModelConfig, type ModelConfig } from '../../src/engine/config.ts';
import { createWasmKernels } from '../../src/engine/kernels/wasm-node.ts';
import { assertFits, modelBytes, paramCount } from '../../src/engine/memory.ts';
import { createModel } from '../../src/engine/create.ts';
import { RnnError } from '../../src/errors.ts';
import { clipGradients } from '../../src/train/clip.ts';
import { createOptimizer } from '../../src/train/optimizers.ts';
import { Rng } from '../../src/util/rng.ts';
import { variants } from './variants.ts';

async function measured(config: ModelConfig, B: number, T: number): Promise<number> {
  const k = await createWasmKernels({ threads: 1 });
  try {
    const base = k.allocated();
    const rng = new Rng(1);
    const model = createModel(config, k, rng);
    const optimizer = createOptimizer('adam', model.params, k);
    const x = new Int32Array(T * B).map(() => rng.int(config.vocabSize));
    const y = new Int32Array(T * B).map(() => rng.int(config.vocabSize));
    model.zeroGrad();
    model.lossAndGrad(x, y, T, B, model.newState(B), rng);
    clipGradients(model.params, 'norm', 5, k);
    optimizer.step(0.01);
    model.logits(x.subarray(0, 128 > T * B ? T * B : 128), Math.min(T * B, 128), 1, model.newState(1)); // a validation pass
    return k.allocated() - base;
  } finally {
    k.close();
  }
}

describe('#16 the recipe sizes models by their weights', () => {
  for (const { label, over } of variants) {
    it(`${label}: paramCount is the number of weights a built model has`, async () => {
      for (const extra of [{ layers: 1 }, { layers: 3 }, { layers: 2, bidirectional: true }]) {
        const config: ModelConfig = { ...defaultModelConfig, hidden: 12, vocabSize: 17, ...over, ...extra };
        const k = await createWasmKernels({ threads: 1 });
        try {
          const model = createModel(config, k, new Rng(1));
          expect(paramCount(config)).toBe(model.params.reduce((n, p) => n + p.data.length, 0));
        } finally {
          k.close();
        }
      }
    });
  }
});

describe('#12.5 the memory a model needs, estimated before anything is allocated', () => {
  for (const { label, over } of variants) {
    for (const extra of [{ layers: 1, dropout: 0.3 }, { layers: 2, dropout: 0 }, { layers: 2, dropout: 0.2, bidirectional: true }]) {
      const config: ModelConfig = { ...defaultModelConfig, hidden: 24, vocabSize: 40, ...over, ...extra };
      it(`${label}, ${extra.layers} layer(s)${extra.bidirectional ? ', bidirectional' : ''}: at least what is used, at most 1.5× it`, async () => {
        const B = 8, T = 16;
        const used = await measured(config, B, T);
        const estimate = modelBytes(config, { B, T, moments: 2, dropout: config.dropout > 0 });
        expect(estimate).toBeGreaterThanOrEqual(used);
        expect(estimate).toBeLessThanOrEqual(1.5 * used);
      });
    }
  }

  it('at the size of a real run (lstm 2×256, 32 streams × 64 steps): within 10%', async () => {
    const config: ModelConfig = { ...defaultModelConfig, hidden: 256, layers: 2, vocabSize: 65, dropout: 0.2 };
    const used = await measured(config, 32, 64);
    const estimate = modelBytes(config, { B: 32, T: 64, moments: 2, dropout: true });
    expect(estimate).toBeGreaterThanOrEqual(used);
    expect(estimate).toBeLessThanOrEqual(1.1 * used);
  });

  it('a model past the limit is one usage error with the need, the limit and the largest hidden size that fits', () => {
    const config: ModelConfig = { ...defaultModelConfig, hidden: 8192, layers: 2, vocabSize: 65 };
    const w = { B: 32, T: 64, moments: 2, dropout: false };
    let err: unknown;
    try {
      assertFits(config, w, 2 ** 31, 'the test limit');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RnnError);
    const hint = (err as RnnError).hint ?? '';
    const largest = Number(/is (\d+);/.exec(hint)?.[1]);
    expect(modelBytes({ ...config, hidden: largest }, w)).toBeLessThanOrEqual(2 ** 31);
    expect(modelBytes({ ...config, hidden: largest + 1 }, w)).toBeGreaterThan(2 ** 31);
  });
});
