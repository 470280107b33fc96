// The big operations split over the pool (parallel.cc): GEMMs by columns or rows, recurrences by
// blocks of batch rows, each block running every timestep of its rows.
#pragma once
#include "pool.h"

/** 2·M·N·K from which a GEMM is shared over the threads, unless the context sets another. */
constexpr double PARALLEL_FLOPS = 1 << 20;

/** gemm_one / gemm_prepacked (transB = 2: b prepacked with Nfull = ldb columns, C's columns from col0), shared
 *  when 2·M·N·K ≥ minFlops or, with few rows (batch-1 sampling), when B is big. */
void par_gemm(Pool* pool, double minFlops, int transA, int transB, int M, int N, int K, const float* a, int lda, const float* b, int ldb,
              int beta, float* c, int ldc, int col0);

enum StepKind { RNN_FWD, RNN_BWD, LSTM_FWD, LSTM_BWD, LN_LSTM_FWD, LN_LSTM_BWD, GRU_FWD, GRU_BWD };
constexpr int STEP_PTRS = 16;

/** A recurrence over `rows` rows of a batch of B: p[j] points at row 0, moving rowFloats[j] per row (0: shared). */
struct Steps {
  StepKind kind;
  int T, B, rows, H, G;
  float* p[STEP_PTRS];
  int64_t rowFloats[STEP_PTRS];
  int per;  // rows per block
};
void par_steps(Pool* pool, Steps& s);

/** The forward of a few rows split by hidden units over every thread (units.cc); false when it does not apply. */
bool units_forward(Pool* pool, const Steps& s);
