// Goto-style GEMM: B packed into KC×NR panels, A into MR×KC panels, and a register-blocked MR×NR
// micro-kernel. Every element of C is summed over k in a fixed order (k blocks ascending, k
// ascending inside a block), whatever the tile or thread it lands in: the same bits for any split.
#include "gemm.h"
#include <string.h>
#include <utility>

static inline float atA(const float* a, int lda, int transA, int i, int k) {
  return transA ? a[(ptrdiff_t)k * lda + i] : a[(ptrdiff_t)i * lda + k];
}

/** Pack op(A)[i0:i0+mc, p0:p0+kc] into MR-row panels: panel r holds, for each k, MR values. */
static void pack_a(int transA, const float* a, int lda, int i0, int mc, int p0, int kc, float* dst) {
  for (int r = 0; r < mc; r += MR) {
    const int rows = mc - r < MR ? mc - r : MR;
    if (transA && rows == MR) {
      for (int k = 0; k < kc; k++, dst += MR) memcpy(dst, a + (ptrdiff_t)(p0 + k) * lda + i0 + r, MR * 4);
    } else if (!transA && rows == MR) {
      const float* a0 = a + (ptrdiff_t)(i0 + r) * lda + p0;
      for (int k = 0; k < kc; k++, dst += MR)
        for (int ii = 0; ii < MR; ii++) dst[ii] = a0[(ptrdiff_t)ii * lda + k];
    } else {
      for (int k = 0; k < kc; k++, dst += MR)
        for (int ii = 0; ii < MR; ii++) dst[ii] = ii < rows ? atA(a, lda, transA, i0 + r + ii, p0 + k) : 0.0f;
    }
  }
}

/** Pack op(B)[p0:p0+kc, j0:j0+nc] into NR-column panels: panel s holds, for each k, NR values. */
static void pack_b(int transB, const float* b, int ldb, int p0, int kc, int j0, int nc, float* dst) {
  for (int s = 0; s < nc; s += NR) {
    const int cols = nc - s < NR ? nc - s : NR;
    if (!transB && cols == NR) {
      const float* src = b + (ptrdiff_t)p0 * ldb + j0 + s;
      for (int k = 0; k < kc; k++, src += ldb, dst += NR) memcpy(dst, src, NR * 4);
    } else if (transB && cols == NR) {
      const float* r0 = b + (ptrdiff_t)(j0 + s) * ldb + p0;
      for (int k = 0; k < kc; k++, dst += NR)
        for (int jj = 0; jj < NR; jj++) dst[jj] = r0[(ptrdiff_t)jj * ldb + k];
    } else {
      for (int k = 0; k < kc; k++, dst += NR)
        for (int jj = 0; jj < NR; jj++) {
          float v = 0.0f;
          if (jj < cols) v = transB ? b[(ptrdiff_t)(j0 + s + jj) * ldb + p0 + k] : b[(ptrdiff_t)(p0 + k) * ldb + j0 + s + jj];
          dst[jj] = v;
        }
    }
  }
}

/** The MR×NR micro-kernel: C tile = [C +] Apanel · Bpanel over kc (FMA where the ISA has it). */
static inline void kernel(int kc, const float* __restrict pa, const float* __restrict pb, float* c, ptrdiff_t ldc, int acc) {
  vf c0[MR], c1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) c0[i] = c1[i] = vf{};
  for (int k = 0; k < kc; k++) {
    const vf b0 = vload(pb), b1 = vload(pb + VL);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const vf a = vsplat(pa[i]);
      c0[i] += a * b0;
      c1[i] += a * b1;
    }
    pa += MR;
    pb += NR;
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    float* ci = c + i * ldc;
    if (acc) {
      c0[i] = vload(ci) + c0[i];
      c1[i] = vload(ci + VL) + c1[i];
    }
    vstore(ci, c0[i]);
    vstore(ci + VL, c1[i]);
  }
}

/** An edge tile (mr < MR or nr < NR): the micro-kernel into `tile`, then its mr×nr corner into C. */
static void edge_kernel(int kc, const float* pa, const float* pb, float* tile, float* c, ptrdiff_t ldc, int mr, int nr, int acc) {
  kernel(kc, pa, pb, tile, NR, 0);
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) c[i * ldc + j] = acc ? c[i * ldc + j] + tile[i * NR + j] : tile[i * NR + j];
}

/** The macro-kernel over one packed KC×nc block of B and the rows of A: shared by both paths. */
static void block(int transA, int M, int nc, int kc, int pc, const float* a, int lda, const float* pB, int acc,
                  float* c, int ldc, float* pA, float* tile) {
  for (int ic = 0; ic < M; ic += MC) {
    const int mc = M - ic < MC ? M - ic : MC;
    pack_a(transA, a, lda, ic, mc, pc, kc, pA);
    for (int jr = 0; jr < nc; jr += NR) {
      const int nr = nc - jr < NR ? nc - jr : NR;
      const float* pb = pB + (ptrdiff_t)jr * kc;
      for (int ir = 0; ir < mc; ir += MR) {
        const int mr = mc - ir < MR ? mc - ir : MR;
        float* cp = c + (ptrdiff_t)(ic + ir) * ldc + jr;
        if (mr == MR && nr == NR) kernel(kc, pA + (ptrdiff_t)ir * kc, pb, cp, ldc, acc);
        else edge_kernel(kc, pA + (ptrdiff_t)ir * kc, pb, tile, cp, ldc, mr, nr, acc);
      }
    }
  }
}

static void zero_c(int M, int N, float* c, int ldc) {
  for (int i = 0; i < M; i++) memset(c + (ptrdiff_t)i * ldc, 0, (size_t)N * 4);
}

static void gemm_packed(int transA, int transB, int M, int N, int K, const float* a, int lda, const float* b, int ldb,
                        int beta, float* c, int ldc, float* scratch) {
  float* pA = scratch;
  float* pB = pA + (size_t)MC * KC;
  float* tile = pB + (size_t)KC * NC;
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = N - jc < NC ? N - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = K - pc < KC ? K - pc : KC;
      pack_b(transB, b, ldb, pc, kc, jc, nc, pB);
      block(transA, M, nc, kc, pc, a, lda, pB, pc > 0 || beta != 0, c + jc, ldc, pA, tile);
    }
  }
}

void pack_b_all(int transB, int K, int N, const float* b, int ldb, float* dst) {
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = N - jc < NC ? N - jc : NC;
    const int ncPad = (nc + NR - 1) / NR * NR;
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = K - pc < KC ? K - pc : KC;
      pack_b(transB, b, ldb, pc, kc, jc, nc, dst + (ptrdiff_t)jc * K + (ptrdiff_t)pc * ncPad);
    }
  }
}

/**
 * One row of A against a prepacked block of B (kc × nc, panels of NR): four panels at a time, so
 * that eight accumulators hide the FMA latency. Each element is summed as the micro-kernel sums it
 * (k ascending, then added to C), so a row has the same bits alone as in a batch.
 */
static void row_block(int kc, int nc, const float* a, const float* pB, int acc, float* c) {
  int jr = 0;
  for (; jr + 4 * NR <= nc; jr += 4 * NR) {
    const float* p = pB + (ptrdiff_t)jr * kc;
    vf s[8];
#pragma GCC unroll 8
    for (int q = 0; q < 8; q++) s[q] = vf{};
    for (int k = 0; k < kc; k++) {
      const vf ak = vsplat(a[k]);
#pragma GCC unroll 4
      for (int q = 0; q < 4; q++) {
        const float* pq = p + (ptrdiff_t)q * kc * NR + (ptrdiff_t)k * NR;
        s[2 * q] += ak * vload(pq);
        s[2 * q + 1] += ak * vload(pq + VL);
      }
    }
#pragma GCC unroll 8
    for (int q = 0; q < 8; q++) {
      float* cq = c + jr + (q / 2) * NR + (q % 2) * VL;
      vstore(cq, acc ? vload(cq) + s[q] : s[q]);
    }
  }
  for (; jr < nc; jr += NR) {
    const float* p = pB + (ptrdiff_t)jr * kc;
    vf s0 = vf{}, s1 = vf{};
    for (int k = 0; k < kc; k++) {
      const vf ak = vsplat(a[k]);
      s0 += ak * vload(p + (ptrdiff_t)k * NR);
      s1 += ak * vload(p + (ptrdiff_t)k * NR + VL);
    }
    float t[NR];
    vstore(t, s0);
    vstore(t + VL, s1);
    const int nr = nc - jr < NR ? nc - jr : NR;
    for (int j = 0; j < nr; j++) c[jr + j] = acc ? c[jr + j] + t[j] : t[j];
  }
}

void gemm_prepacked(int transA, int M, int N, int K, const float* a, int lda, const float* bp, int Nfull, int col0,
                    int beta, float* c, int ldc, float* scratch) {
  if (M <= 0 || N <= 0) return;
  if (K == 0) {
    if (!beta) zero_c(M, N, c, ldc);
    return;
  }
  if (M == 1 && !transA) {
    for (int j0 = col0; j0 < col0 + N;) {
      const int blk = j0 - j0 % NC;
      const int ncPad = ((Nfull - blk < NC ? Nfull - blk : NC) + NR - 1) / NR * NR;
      const int hi = col0 + N < blk + NC ? col0 + N : blk + NC;
      for (int pc = 0; pc < K; pc += KC) {
        const int kc = K - pc < KC ? K - pc : KC;
        const float* pB = bp + (ptrdiff_t)blk * K + (ptrdiff_t)pc * ncPad + (ptrdiff_t)(j0 - blk) * kc;
        row_block(kc, hi - j0, a + pc, pB, pc > 0 || beta != 0, c + (j0 - col0));
      }
      j0 = hi;
    }
    return;
  }
  float* pA = scratch;
  float* tile = scratch + (size_t)MC * KC + (size_t)KC * NC;
  const int jEnd = col0 + N;
  for (int j0 = col0; j0 < jEnd;) {
    const int blk = j0 - j0 % NC;
    const int ncB = Nfull - blk < NC ? Nfull - blk : NC;
    const int ncPad = (ncB + NR - 1) / NR * NR;
    const int hi = jEnd < blk + NC ? jEnd : blk + NC;
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = K - pc < KC ? K - pc : KC;
      const float* pB = bp + (ptrdiff_t)blk * K + (ptrdiff_t)pc * ncPad + (ptrdiff_t)(j0 - blk) * kc;
      block(transA, M, hi - j0, kc, pc, a, lda, pB, pc > 0 || beta != 0, c + (j0 - col0), ldc, pA, tile);
    }
    j0 = hi;
  }
}

// Lane sums of VL vectors at once, as one vector (lane q: Σ of s[q]'s lanes): log₂ VL levels, each
// folding pairs of vectors whose lanes hold chunks of C partial sums into vectors of chunks of C/2.
template <int C, bool HI>
constexpr int fold_lane(int t) {  // lane t of the fold of x, y: the half-chunks of x, then those of y
  return (t / (C / 2) < VL / C ? 0 : VL) + (t / (C / 2)) % (VL / C) * C + (HI ? C / 2 : 0) + t % (C / 2);
}
template <int C, size_t... T>
static inline vf fold(vf x, vf y, std::index_sequence<T...>) {
  return __builtin_shufflevector(x, y, fold_lane<C, false>(T)...) + __builtin_shufflevector(x, y, fold_lane<C, true>(T)...);
}
template <int C>
static inline void fold_level(vf* s) {
  for (int m = 0; m < C / 2; m++) s[m] = fold<C>(s[2 * m], s[2 * m + 1], std::make_index_sequence<VL>{});
  if constexpr (C > 2) fold_level<C / 2>(s);
}
static inline vf lane_sums(vf* s) {
  fold_level<VL>(s);
  return s[0];
}

/** Few rows (batch-1 sampling): stream B unpacked, one row of C at a time, k ascending. */
static void gemm_rows(int transA, int transB, int M, int N, int K, const float* a, int lda, const float* b, int ldb,
                      int beta, float* c, int ldc) {
  for (int i = 0; i < M; i++) {
    float* crow = c + (ptrdiff_t)i * ldc;
    if (!transB) {
      // c[j] = Σ_k a[k]·B[k, j]: 4 vectors of columns at a time
      int j = 0;
      for (; j + 4 * VL <= N; j += 4 * VL) {
        vf s0 = vf{}, s1 = vf{}, s2 = vf{}, s3 = vf{};
        const float* bp = b + j;
        for (int k = 0; k < K; k++, bp += ldb) {
          const vf av = vsplat(atA(a, lda, transA, i, k));
          s0 += av * vload(bp); s1 += av * vload(bp + VL); s2 += av * vload(bp + 2 * VL); s3 += av * vload(bp + 3 * VL);
        }
        float* q = crow + j;
        if (beta) { s0 = vload(q) + s0; s1 = vload(q + VL) + s1; s2 = vload(q + 2 * VL) + s2; s3 = vload(q + 3 * VL) + s3; }
        vstore(q, s0); vstore(q + VL, s1); vstore(q + 2 * VL, s2); vstore(q + 3 * VL, s3);
      }
      for (; j + VL <= N; j += VL) {
        vf s0 = vf{};
        const float* bp = b + j;
        for (int k = 0; k < K; k++, bp += ldb) s0 += vsplat(atA(a, lda, transA, i, k)) * vload(bp);
        if (beta) s0 = vload(crow + j) + s0;
        vstore(crow + j, s0);
      }
      for (; j < N; j++) {
        float s = 0.0f;
        for (int k = 0; k < K; k++) s = fmadd(atA(a, lda, transA, i, k), b[(ptrdiff_t)k * ldb + j], s);
        crow[j] = beta ? crow[j] + s : s;
      }
    } else if (transA) {
      for (int j = 0; j < N; j++) {
        float s = 0.0f;
        const float* bp = b + (ptrdiff_t)j * ldb;
        for (int k = 0; k < K; k++) s += atA(a, lda, 1, i, k) * bp[k];
        crow[j] = beta ? crow[j] + s : s;
      }
    } else {
      // c[j] = dot(row i of A, row j of B): VL rows of B at a time, VL-lane partial sums folded into one vector
      const float* ap = a + (ptrdiff_t)i * lda;
      for (int j = 0; j < N; j += VL) {
        const int nb = N - j < VL ? N - j : VL;
        const float* br[VL];
        for (int q = 0; q < VL; q++) br[q] = b + (ptrdiff_t)(j + (q < nb ? q : 0)) * ldb;
        vf s[VL];
        for (int q = 0; q < VL; q++) s[q] = vf{};
        int k = 0;
        for (; k + VL <= K; k += VL) {
          const vf av = vload(ap + k);
#pragma GCC unroll 16
          for (int q = 0; q < VL; q++) s[q] += av * vload(br[q] + k);
        }
        float r[VL];
        vstore(r, lane_sums(s));
        for (int q = 0; q < nb; q++) {
          for (int kk = k; kk < K; kk++) r[q] = fmadd(ap[kk], br[q][kk], r[q]);
          crow[j + q] = beta ? crow[j + q] + r[q] : r[q];
        }
      }
    }
  }
}

void gemm_one(int transA, int transB, int M, int N, int K, const float* a, int lda, const float* b, int ldb,
              int beta, float* c, int ldc, float* scratch, int rowsOf) {
  if (M <= 0 || N <= 0) return;
  if (K == 0) {
    if (!beta) zero_c(M, N, c, ldc);
  } else if (rowsOf < ROWS_PATH) {
    gemm_rows(transA, transB, M, N, K, a, lda, b, ldb, beta, c, ldc);
  } else {
    gemm_packed(transA, transB, M, N, K, a, lda, b, ldb, beta, c, ldc, scratch);
  }
}
