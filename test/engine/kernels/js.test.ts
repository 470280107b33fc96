import { describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../src/engine/kernels/index.ts';
import { Rng } from '../../../src/util/rng.ts';

/** Naive C = op(A)·op(B) + beta·C for comparison. */
function naive(tA: boolean, tB: boolean, M: number, N: number, K: number, A: Float64Array, lda: number, B: Float64Array, ldb: number, beta: number, C: Float64Array, ldc: number): Float64Array {
  const out = C.slice();
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (tA ? A[k * lda + i]! : A[i * lda + k]!) * (tB ? B[j * ldb + k]! : B[k * ldb + j]!);
      out[i * ldc + j] = s + (beta ? C[i * ldc + j]! : 0);
    }
  }
  return out;
}

describe('js kernels: gemm', () => {
  const rng = new Rng(3);
  const rand = (n: number): Float64Array => Float64Array.from({ length: n }, () => rng.normal());
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      for (const [beta, M, N, K] of [[0, 5, 7, 3], [1, 5, 7, 3], [0, 3, 9, 10], [1, 4, 8, 8]] as const) {
        it(`transA=${tA} transB=${tB} beta=${beta} ${M}×${N}×${K}, with offsets and leading dimensions`, () => {
          const k = referenceKernels('f64');
          const lda = (tA ? M : K) + 2, ldb = (tB ? K : N) + 1, ldc = N + 3;
          const aOff = 4, bOff = 2, cOff = 5;
          const A = rand(aOff + (tA ? K : M) * lda), B = rand(bOff + (tB ? N : K) * ldb), C = rand(cOff + M * ldc);
          if (beta === 0) C[cOff] = NaN; // ignored with beta 0
          const want = naive(tA, tB, M, N, K, A.subarray(aOff), lda, B.subarray(bOff), ldb, beta, C.subarray(cOff), ldc);
          const got = C.slice();
          k.gemm(tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, got, cOff, ldc);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < ldc; j++) {
              const idx = i * ldc + j;
              if (j < N) expect(got[cOff + idx]).toBeCloseTo(want[idx]!, 12);
              else expect(got[cOff + idx]).toBe(C[cOff + idx]); // padding untouched
            }
          }
          expect(got.subarray(0, cOff)).toEqual(C.subarray(0, cOff));
        });
      }
    }
  }

  it('alloc gives zeroed buffers of the dtype', () => {
    expect(referenceKernels('f32').alloc(4)).toEqual(new Float32Array(4));
    expect(referenceKernels('f64').alloc(3)).toBeInstanceOf(Float64Array);
  });
});
