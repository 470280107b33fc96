import type { DType, Vec } from '../types.js';
import type { Kernels } from './kernels.js';

/**
 * The plain TypeScript kernels: the reference every faster kernel set is tested against, and the
 * float64 path of gradient checks. GEMM loops keep the innermost loop contiguous in memory.
 */
export function createJsKernels(dtype: DType): Kernels {
  const alloc = dtype === 'f64' ? (n: number): Vec => new Float64Array(n) : (n: number): Vec => new Float32Array(n);
  return { name: `js-${dtype}`, dtype, alloc, gemm, fused: {} };
}

/** C (M×N) = op(A)·op(B) + beta·C, row-major with leading dimensions (see Kernels.gemm). */
export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Vec, aOff: number, lda: number,
  B: Vec, bOff: number, ldb: number,
  beta: 0 | 1,
  C: Vec, cOff: number, ldc: number,
): void {
  if (beta === 0) {
    for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
  }
  if (M === 0 || N === 0 || K === 0) return;
  if (!transB) {
    // C[i,:] += op(A)[i,k] · B[k,:]   (i-k-j: the j loop runs along rows of B and C)
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * ldc;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
        if (a === 0) continue;
        const bk = bOff + k * ldb;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  } else if (!transA) {
    // C[i,j] += A[i,:] · B[j,:]   (both rows contiguous: a dot product)
    for (let i = 0; i < M; i++) {
      const ai = aOff + i * lda;
      const ci = cOff + i * ldc;
      for (let j = 0; j < N; j++) {
        const bj = bOff + j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ai + k] * B[bj + k];
        C[ci + j] += s;
      }
    }
  } else {
    // C[i,j] += Σ_k A[k,i] · B[j,k]   (rare: Aᵀ·Bᵀ; the k loop walks B's row)
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * ldc;
      for (let j = 0; j < N; j++) {
        const bj = bOff + j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[aOff + k * lda + i] * B[bj + k];
        C[ci + j] += s;
      }
    }
  }
}
