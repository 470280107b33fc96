import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../src/engine/kernels/index.ts';
import type { WasmKernels } from '../../../src/engine/kernels/wasm.ts';
import { Rng } from '../../../src/util/rng.ts';
import { expectClose, wasmBuffers } from './wasm-buffers.ts';
import { FAST_BACKENDS } from './backends.ts';

// The WebAssembly backend's element-wise overrides against the TypeScript backend's references.
for (const backend of FAST_BACKENDS) describe(backend.name, () => {
  const js = referenceKernels('f32');

  let k: WasmKernels;
  beforeAll(async () => {
    k = await backend.create({ threads: 1 });
  });
  afterAll(() => k.close());

  const rng = new Rng(3);
  const { rand, copy } = wasmBuffers(() => k, rng);
  const close = expectClose;

  describe('fused wasm element-wise kernels agree with the reference', () => {
    it('lstm_forward and lstm_backward', () => {
      const fwd = k.lstmForward;
      const bwd = k.lstmBackward;
      expect(fwd).not.toBe(js.lstmForward); // an override, not the reference
      for (const [B, H] of [[1, 4], [3, 8], [32, 128], [5, 20]] as const) {
        const gOff = 4 * H, cOff = H, tcOff = 2, hOff = 3; // offsets inside the buffers
        const gates = rand(gOff + B * 4 * H), c = rand(cOff + 2 * B * H), tc = k.alloc(tcOff + B * H) as Float32Array, h = k.alloc(hOff + B * H) as Float32Array;
        const [g2, c2, tc2, h2] = [copy(gates), copy(c), copy(tc), copy(h)];
        fwd(B, H, gates, gOff, c, cOff, tc, tcOff, h, hOff, null, null, null);
        js.lstmForward(B, H, g2, gOff, c2, cOff, tc2, tcOff, h2, hOff, null, null, null);
        close(gates, g2, 3e-6);
        close(c, c2, 3e-6);
        close(tc, tc2, 3e-6);
        close(h, h2, 3e-6);
        const dH = rand(1 + B * H), dhNext = rand(B * H), dcNext = rand(B * H), dG = k.alloc(7 + B * 4 * H) as Float32Array;
        const [dcN2, dG2] = [copy(dcNext), copy(dG)];
        bwd(B, H, gates, gOff, c, cOff, tc, tcOff, dH, 1, dhNext, dcNext, dG, 7, null, null, null);
        js.lstmBackward(B, H, gates, gOff, c, cOff, tc, tcOff, dH, 1, dhNext, dcN2, dG2, 7, null, null, null);
        close(dG, dG2, 1e-5);
        close(dcNext, dcN2, 1e-5);
      }
    });

    it('lstm with peepholes falls back to the reference', () => {
      const fwd = k.lstmForward;
      const B = 2, H = 4;
      const gates = rand(B * 4 * H), c = rand(2 * B * H), tc = k.alloc(B * H) as Float32Array, h = k.alloc(B * H) as Float32Array;
      const w = rand(H);
      const [g2, c2, tc2, h2] = [copy(gates), copy(c), copy(tc), copy(h)];
      fwd(B, H, gates, 0, c, 0, tc, 0, h, 0, w, w, w);
      js.lstmForward(B, H, g2, 0, c2, 0, tc2, 0, h2, 0, w, w, w);
      expect(Array.from(h)).toEqual(Array.from(h2));
    });

    it('rnn tanh forward and backward (odd n)', () => {
      const fwd = k.rnnTanhForward;
      const bwd = k.rnnTanhBackward;
      for (const n of [1, 7, 100, 8192]) {
        const a = rand(n + 2, 6), h = k.alloc(n + 1) as Float32Array, h2 = k.alloc(n + 1) as Float32Array;
        fwd(n, a, 2, h, 1);
        js.rnnTanhForward(n, a, 2, h2, 1);
        close(h, h2, 2e-6);
        const dH = rand(n), dhNext = rand(n), dA = k.alloc(n) as Float32Array, dA2 = k.alloc(n) as Float32Array;
        bwd(n, h, 1, dH, 0, dhNext, dA, 0);
        js.rnnTanhBackward(n, h, 1, dH, 0, dhNext, dA2, 0);
        close(dA, dA2, 1e-6);
      }
    });

    it('softmax_xent (in place and not), V = 65', () => {
      const xent = k.softmaxXent;
      for (const [N, V] of [[1, 3], [37, 65], [2048, 65]] as const) {
        const z = rand(N * V, 8);
        const y = new Int32Array(N).map(() => rng.int(V));
        const z2 = copy(z), d = k.alloc(N * V) as Float32Array, d2 = k.alloc(N * V) as Float32Array;
        const l1 = xent(N, V, z, y, d);
        const l2 = js.softmaxXent(N, V, z2, y, d2);
        expect(Math.abs(l1 - l2)).toBeLessThan(1e-5 * Math.max(1, l2));
        close(d, d2, 1e-6);
        const l3 = xent(N, V, z, y, z); // in place
        expect(l3).toBe(l1);
        close(z, d2, 1e-6);
      }
    });
  });
});
