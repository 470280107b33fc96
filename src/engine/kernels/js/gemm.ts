import type { Vec } from '../../types.js';

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
    // C[i,:] += Σ_k op(A)[i,k] · B[k,:]   (i-k-j: the j loop runs along rows of B and C; four k at a
    // time so that each pass over C's row does four multiply-adds)
    const sa = transA ? lda : 1; // step between A[i,k] and A[i,k+1]
    const si = transA ? 1 : lda; //  step between A[i,k] and A[i+1,k]
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * ldc;
      const ai = aOff + i * si;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        const a0 = A[ai + k * sa], a1 = A[ai + (k + 1) * sa], a2 = A[ai + (k + 2) * sa], a3 = A[ai + (k + 3) * sa];
        const b0 = bOff + k * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        for (let j = 0; j < N; j++) C[ci + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
      }
      for (; k < K; k++) {
        const a = A[ai + k * sa];
        const bk = bOff + k * ldb;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  } else if (!transA) {
    // C[i,j] += A[i,:] · B[j,:]   (both rows contiguous: dot products, four columns j at a time)
    for (let i = 0; i < M; i++) {
      const ai = aOff + i * lda;
      const ci = cOff + i * ldc;
      let j = 0;
      for (; j + 3 < N; j += 4) {
        const b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < K; k++) {
          const a = A[ai + k];
          s0 += a * B[b0 + k];
          s1 += a * B[b1 + k];
          s2 += a * B[b2 + k];
          s3 += a * B[b3 + k];
        }
        C[ci + j] += s0;
        C[ci + j + 1] += s1;
        C[ci + j + 2] += s2;
        C[ci + j + 3] += s3;
      }
      for (; j < N; j++) {
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
