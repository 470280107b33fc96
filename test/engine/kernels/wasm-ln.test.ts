import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../src/engine/kernels/index.ts';
import type { WasmKernels } from '../../../src/engine/kernels/wasm.ts';
import { Rng } from '../../../src/util/rng.ts';
import { expectClose, wasmBuffers } from './wasm-buffers.ts';
import { FAST_BACKENDS } from './backends.ts';

// The layer-normalisation ops (LnLstmOps) of the fast backends against the TypeScript references,
// on row widths with and without a tail past the widest vector loop, and one not a multiple of 4.
for (const backend of FAST_BACKENDS) describe(backend.name, () => {
  const js = referenceKernels('f32');
  let k: WasmKernels;
  beforeAll(async () => {
    k = await backend.create({ threads: 1 });
  });
  afterAll(() => k.close());
  const rng = new Rng(5);
  const { rand, copy } = wasmBuffers(() => k, rng);

  it('layerNormForward, layerNormBackward and columnDots', () => {
    expect(k.layerNormForward).not.toBe(js.layerNormForward);
    for (const [P, n] of [[1, 4], [7, 12], [33, 64], [5, 84], [3, 10]] as const) {
      const z = rand(P * n), rstd = k.alloc(P) as Float32Array, gain = rand(n), bias = rand(n), y = k.alloc(P * n) as Float32Array;
      const [z2, rstd2, y2] = [copy(z), copy(rstd), copy(y)];
      k.layerNormForward(P, n, z, rstd, gain, bias, y);
      js.layerNormForward(P, n, z2, rstd2, gain, bias, y2);
      expectClose(z, z2, 2e-5);
      expectClose(rstd, rstd2, 1e-5 * Math.max(...rstd2));
      expectClose(y, y2, 1e-4);
      const dy = rand(P * n), dz = k.alloc(P * n) as Float32Array, dz2 = k.alloc(P * n) as Float32Array;
      k.layerNormBackward(P, n, dy, z, rstd, gain, dz);
      js.layerNormBackward(P, n, dy, z2, rstd2, gain, dz2);
      expectClose(dz, dz2, 1e-4 * Math.max(1, ...rstd2));
      const out = rand(n), out2 = copy(out);
      k.columnDots(P, n, dy, z, out);
      js.columnDots(P, n, dy, z2, out2);
      expectClose(out, out2, 1e-4 * P);
    }
  });

  it('lnLstmForward and lnLstmBackward, at a step inside the buffers', () => {
    for (const [B, H] of [[1, 4], [3, 12], [2, 20], [2, 6]] as const) {
      const t = 1, T = 2, GH = 4 * H, P = T * B;
      const gates = rand(P * GH), hHat = rand(P * GH), cAll = rand((P + B) * H), norm = rand(6 * H);
      const [cHat, tanhC, hAll, rstdH, rstdC] = [P * H, P * H, (P + B) * H, P, P].map((n) => k.alloc(n) as Float32Array);
      const a = [gates, hHat, rstdH!, cAll, cHat!, rstdC!, tanhC!, hAll!].map(copy);
      k.lnLstmForward(t, B, H, gates, hHat, rstdH!, cAll, cHat!, rstdC!, tanhC!, hAll!, norm);
      js.lnLstmForward(t, B, H, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, norm);
      for (const [i, x] of [gates, hHat, rstdH!, cAll, cHat!, rstdC!, tanhC!, hAll!].entries()) expectClose(x, a[i]!, 1e-4);
      const dH = rand(1 + P * H), dhNext = rand(B * H), dcNext = rand(B * H);
      const [dGates, dGh, dZc] = [P * GH, P * GH, P * H].map((n) => k.alloc(n) as Float32Array);
      const d = [dcNext, dGates!, dGh!, dZc!].map(copy);
      k.lnLstmBackward(t, B, H, gates, hHat, rstdH!, cAll, cHat!, rstdC!, tanhC!, norm, dH, 1, dhNext, dcNext, dGates!, dGh!, dZc!);
      js.lnLstmBackward(t, B, H, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, norm, dH, 1, dhNext, d[0]!, d[1]!, d[2]!, d[3]!);
      for (const [i, x] of [dcNext, dGates!, dGh!, dZc!].entries()) expectClose(x, d[i]!, 1e-3);
    }
  });
});
