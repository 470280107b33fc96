// C (M×N) = op(A) (M×K) · op(B) (K×N) + beta·C on one thread (gemm.cc). Pointers are to floats,
// leading dimensions in elements; beta is 0 (C's old contents ignored) or 1.
#pragma once
#include "simd.h"

constexpr int KC = 256;         // k block: a kc×NR panel of B stays in L1
constexpr int MC = 16 * MR;     // rows of A packed at once (L2)
constexpr int NC = 1024;        // columns of B packed at once; a multiple of NR
constexpr int ROWS_PATH = 4;    // fewer rows of C: stream B unpacked (batch-1 sampling)

/** Floats of scratch one thread needs: packed A, packed B and an edge tile. */
constexpr size_t SCRATCH_FLOATS = (size_t)MC * KC + (size_t)KC * NC + (size_t)MR * NR;

/** Floats of a prepacked op(B) (K×N). */
static inline int64_t packed_floats(int K, int N) { return (int64_t)K * ((N + NR - 1) / NR) * NR; }

/** Pack all of op(B) (K×N) into dst (packed_floats(K, N)), the layout gemm_prepacked reads. */
void pack_b_all(int transB, int K, int N, const float* b, int ldb, float* dst);

/** transB 0/1: op(B) from b. rowsOf: the rows of the whole product this is a block of (it picks the path, so
 *  that a block of rows has the bits it would have in the whole). */
void gemm_one(int transA, int transB, int M, int N, int K, const float* a, int lda, const float* b, int ldb,
              int beta, float* c, int ldc, float* scratch, int rowsOf);

/** Columns [col0, col0 + N) of op(A)·B for B prepacked by pack_b_all (Nfull columns); c points at column col0. */
void gemm_prepacked(int transA, int M, int N, int K, const float* a, int lda, const float* bp, int Nfull, int col0,
                    int beta, float* c, int ldc, float* scratch);
