import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemm as jsGemm } from '../../../src/engine/kernels/js/gemm.ts';
import type { WasmKernels } from '../../../src/engine/kernels/wasm.ts';
import { Rng } from '../../../src/util/rng.ts';
import { FAST_BACKENDS } from './backends.ts';

// The WebAssembly GEMM against the plain TypeScript reference: every transpose case, odd sizes,
// leading dimensions wider than the matrix, offsets, beta 0 over NaN garbage, beta 1, 1 and 2 threads.

for (const backend of FAST_BACKENDS) describe(backend.name, () => {
  let k1: WasmKernels;
  let k2: WasmKernels;
  let k1simd: WasmKernels;
  beforeAll(async () => {
    k1 = await backend.create({ threads: 1 });
    k2 = await backend.create({ threads: 2, parallelFlops: 0 });
    k1simd = await backend.create({ threads: 1, relaxed: false });
  });
  afterAll(() => {
    k1.close();
    k2.close();
    k1simd.close();
  });

  interface Case { tA: boolean; tB: boolean; M: number; N: number; K: number; pad: number; off: number; beta: 0 | 1 }

  function run(k: WasmKernels, c: Case, seed: number): { got: Float32Array; want: Float64Array; scale: number } {
    const rng = new Rng(seed);
    const { tA, tB, M, N, K, pad, off, beta } = c;
    const [ar, ac] = tA ? [K, M] : [M, K];
    const [br, bc] = tB ? [N, K] : [K, N];
    const lda = ac + pad, ldb = bc + pad, ldc = N + pad;
    const A = k.alloc(off + ar * lda), B = k.alloc(off + br * ldb), C = k.alloc(off + M * ldc);
    const rnd = (x: Float32Array): void => { for (let i = 0; i < x.length; i++) x[i] = rng.uniform() * 2 - 1; };
    rnd(A as Float32Array);
    rnd(B as Float32Array);
    if (beta === 1) rnd(C as Float32Array);
    else C.fill(NaN);
    const A64 = Float64Array.from(A), B64 = Float64Array.from(B), C64 = Float64Array.from(C);
    jsGemm(tA, tB, M, N, K, A64, off, lda, B64, off, ldb, beta, C64, off, ldc);
    k.gemm(tA, tB, M, N, K, A, off, lda, B, off, ldb, beta, C, off, ldc);
    // outside the M×N window C is untouched
    for (let i = 0; i < M; i++) for (let j = N; j < ldc && off + i * ldc + j < C.length; j++) {
      if (beta === 0) expect(Number.isNaN(C[off + i * ldc + j])).toBe(true);
    }
    return { got: C as Float32Array, want: C64, scale: Math.sqrt(K) };
  }

  function check(k: WasmKernels, c: Case, seed = 1): Float32Array {
    const { got, want, scale } = run(k, c, seed);
    const { M, N, off, pad } = c;
    const ldc = N + pad;
    let worst = 0;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      const p = off + i * ldc + j;
      worst = Math.max(worst, Math.abs(got[p]! - want[p]!));
    }
    expect(worst).toBeLessThan(2e-6 * scale + 1e-6);
    return got.slice();
  }

  const shapes: [number, number, number][] = [
    [1, 1, 1], [1, 65, 128], [2, 37, 19], [3, 70, 33], [5, 9, 3], [6, 8, 256], [7, 17, 300],
    [13, 29, 257], [32, 512, 128], [64, 65, 100], [121, 1030, 40], [200, 33, 600], [9, 2100, 7],
  ];

  describe('wasm gemm agrees with the reference', () => {
    for (const tA of [false, true]) for (const tB of [false, true]) {
      it(`transA=${tA} transB=${tB}`, () => {
        let seed = 1;
        for (const [M, N, K] of shapes) for (const beta of [0, 1] as const) {
          const c: Case = { tA, tB, M, N, K, pad: (seed % 3) * 3, off: seed % 5, beta };
          check(k1, c, seed);
          check(k1simd, c, seed);
          check(k2, c, seed);
          seed++;
        }
      });
    }

    it('K = 0: beta 0 clears C, beta 1 leaves it', () => {
      const C = k1.alloc(12).fill(NaN);
      const A = k1.alloc(4), B = k1.alloc(4);
      k1.gemm(false, false, 3, 4, 0, A, 0, 1, B, 0, 4, 0, C, 0, 4);
      expect(Array.from(C)).toEqual(new Array(12).fill(0));
      C.fill(2);
      k1.gemm(false, false, 3, 4, 0, A, 0, 1, B, 0, 4, 1, C, 0, 4);
      expect(Array.from(C)).toEqual(new Array(12).fill(2));
    });

    it('is deterministic for a given thread count', () => {
      const c: Case = { tA: true, tB: false, M: 256, N: 128, K: 2000, pad: 0, off: 0, beta: 0 };
      const a = check(k2, c, 7);
      const b = check(k2, c, 7);
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    });

    it('falls back to the reference for buffers it does not own', () => {
      const A = new Float32Array([1, 2, 3, 4]), B = new Float32Array([5, 6, 7, 8]), C = new Float32Array(4);
      k1.gemm(false, false, 2, 2, 2, A, 0, 2, B, 0, 2, 0, C, 0, 2);
      expect(Array.from(C)).toEqual([19, 22, 43, 50]);
    });

    it('alloc hands out zeroed, distinct, aligned views that survive growth', () => {
      const a = k1.alloc(10);
      a.fill(3);
      const big = k1.alloc(20_000_000); // forces memory.grow
      expect(big.length).toBe(20_000_000);
      expect(big[19_999_999]).toBe(0);
      expect(a[9]).toBe(3);
      expect(a.byteOffset % 64).toBe(0);
    });
  });
});
