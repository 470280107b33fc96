import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig, type ModelConfig } from '../../src/engine/config.ts';
import { createJsKernels } from '../../src/engine/kernels/js.ts';
import type { Kernels } from '../../src/engine/kernels/kernels.ts';
import { createWasmKernels, type WasmKernels } from '../../src/engine/kernels/wasm.ts';
import { RnnLanguageModel } from '../../src/engine/model.ts';
import { Rng } from '../../src/util/rng.ts';

// Whole models on the WebAssembly kernels (fused ops, packed W_hh, threads) against the plain
// TypeScript kernels: same loss and gradients within float32 tolerance; same bits on a rerun.

let k1: WasmKernels;
let k2: WasmKernels;
beforeAll(async () => {
  k1 = await createWasmKernels({ threads: 1 });
  k2 = await createWasmKernels({ threads: 2, parallelFlops: 0 });
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
  ['gru', { cell: 'gru' }],
  ['gru minimal', { cell: 'gru', minimal: true }],
  ['gru reset-after', { cell: 'gru', resetAfter: true }],
];

function run(kernels: Kernels, cfg: Partial<ModelConfig>): { loss: number; grads: Float32Array[]; state: Float32Array } {
  const config: ModelConfig = { ...defaultModelConfig, hidden: 12, layers: 2, vocabSize: V, ...cfg };
  const m = new RnnLanguageModel(config, kernels, new Rng(7));
  const r = new Rng(8);
  const x = new Int32Array(T * B).map(() => r.int(V)), y = new Int32Array(T * B).map(() => r.int(V));
  const state = m.newState(B);
  let loss = 0;
  for (let s = 0; s < 2; s++) {
    m.zeroGrad();
    loss = m.lossAndGrad(x, y, T, B, state, null);
  }
  return { loss, grads: m.params.map((p) => Float32Array.from(p.grad)), state: Float32Array.from(state) };
}

describe('models on the wasm kernels', () => {
  for (const [name, cfg] of variants) {
    it(`${name}: agrees with the TypeScript kernels; bit-identical when rerun`, () => {
      const ref = run(createJsKernels('f32'), cfg);
      for (const k of [k1, k2]) {
        const a = run(k, cfg), b = run(k, cfg);
        expect(Math.abs(a.loss - ref.loss)).toBeLessThan(1e-5);
        for (let j = 0; j < ref.grads.length; j++) {
          const g = a.grads[j]!, gr = ref.grads[j]!;
          let worst = 0, scale = 1e-3;
          for (let i = 0; i < g.length; i++) {
            worst = Math.max(worst, Math.abs(g[i]! - gr[i]!));
            scale = Math.max(scale, Math.abs(gr[i]!));
          }
          expect(worst / scale).toBeLessThan(1e-4);
          expect(Array.from(b.grads[j]!)).toEqual(Array.from(g));
        }
        expect(Array.from(b.state)).toEqual(Array.from(a.state));
      }
    });
  }
});
