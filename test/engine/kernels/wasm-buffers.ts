import { expect } from 'vitest';
import type { WasmKernels } from '../../../src/engine/kernels/wasm.ts';
import type { Rng } from '../../../src/util/rng.ts';

/** Random and copied buffers in a WebAssembly kernel set's memory, for the fused-kernel tests. */
export function wasmBuffers(kernels: () => WasmKernels, rng: Rng) {
  const rand = (n: number, scale = 3): Float32Array => {
    const x = kernels().alloc(n) as Float32Array;
    for (let i = 0; i < n; i++) x[i] = (rng.uniform() * 2 - 1) * scale;
    return x;
  };
  const copy = (x: Float32Array): Float32Array => {
    const y = kernels().alloc(x.length) as Float32Array;
    y.set(x);
    return y;
  };
  return { rand, copy };
}

/** max |a − b| below tol (same lengths). */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThan(tol);
}
