import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../../src/engine/config.ts';
import { referenceKernels } from '../../../src/engine/kernels/index.ts';
import type { Kernels } from '../../../src/engine/kernels/ops.ts';
import type { WasmKernels } from '../../../src/engine/kernels/wasm.ts';
import { twoSteps, type TwoSteps } from './two-steps.ts';
import { FAST_BACKENDS } from './backends.ts';

// Whole models on the WebAssembly kernels (fused ops, packed W_hh, threads) against the plain
// TypeScript kernels: same loss and gradients within float32 tolerance; same bits on a rerun.

for (const backend of FAST_BACKENDS) describe(backend.name, () => {
  let k1: WasmKernels;
  let k2: WasmKernels;
  beforeAll(async () => {
    k1 = await backend.create({ threads: 1 });
    k2 = await backend.create({ threads: 2, parallelFlops: 0 });
  });
  afterAll(() => {
    k1.close();
    k2.close();
  });

  const V = 11, T = 9, B = 5; // T ≥ 8: dW_hh in time chunks
  const variants: [string, Partial<ModelConfig>][] = [
    ['rnn tanh', { cell: 'rnn' }],
    ['rnn relu, 1 layer', { cell: 'rnn', activation: 'relu', layers: 1 }],
    ['lstm peephole', { cell: 'lstm', peephole: true }],
    ['lstm', { cell: 'lstm' }],
    ['lstm layer-norm', { cell: 'lstm', layerNorm: true }],
    ['gru', { cell: 'gru' }],
    ['gru minimal', { cell: 'gru', minimal: true }],
    ['gru reset-after', { cell: 'gru', resetAfter: true }],
  ];

  const run = (kernels: Kernels, cfg: Partial<ModelConfig>): TwoSteps => twoSteps(kernels, { hidden: 12, layers: 2, vocabSize: V, ...cfg }, T, B, 7);

  describe('models on the wasm kernels', () => {
    for (const [name, cfg] of variants) {
      it(`${name}: agrees with the TypeScript kernels; bit-identical when rerun`, () => {
        const ref = run(referenceKernels('f32'), cfg);
        for (const k of [k1, k2]) {
          const a = run(k, cfg), b = run(k, cfg);
          expect(Math.abs(a.loss - ref.loss)).toBeLessThan(1e-5);
          for (const [p, gr] of ref.grads) {
            const g = a.grads.get(p)!;
            let worst = 0, scale = 1e-3;
            for (let i = 0; i < g.length; i++) {
              worst = Math.max(worst, Math.abs(g[i]! - gr[i]!));
              scale = Math.max(scale, Math.abs(gr[i]!));
            }
            expect(worst / scale).toBeLessThan(1e-4);
            expect(Array.from(b.grads.get(p)!), p).toEqual(Array.from(g));
          }
          expect(Array.from(b.state)).toEqual(Array.from(a.state));
        }
      });
    }
  });
});
