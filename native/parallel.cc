#include "parallel.h"
#include "cells.h"
#include "gemm.h"

constexpr double PARALLEL_FLOATS = 1 << 20;    // floats of B from which a GEMM of few rows is shared
constexpr int CHUNKS_PER_THREAD = 4;           // a descheduled thread holds up at most one chunk
constexpr int ROW_UNIT = 4;                    // recurrence blocks are whole multiples of this many rows

struct GemmJob {
  int transA, transB, M, N, K;
  const float* a; int lda; const float* b; int ldb; int beta; float* c; int ldc; int col0;
  int byCols, unit, per;
};

static void gemm_chunk(const void* job, int i, float* scratch) {
  const GemmJob& g = *(const GemmJob*)job;
  const int extent = g.byCols ? g.N : g.M;
  const int lo = i * g.per * g.unit;
  if (lo >= extent) return;
  const int n = (extent < lo + g.per * g.unit ? extent : lo + g.per * g.unit) - lo;
  if (g.byCols) {
    if (g.transB == 2) gemm_prepacked(g.transA, g.M, n, g.K, g.a, g.lda, g.b, g.ldb, g.col0 + lo, g.beta, g.c + lo, g.ldc, scratch);
    else gemm_one(g.transA, g.transB, g.M, n, g.K, g.a, g.lda, g.b + (g.transB ? (ptrdiff_t)lo * g.ldb : lo), g.ldb, g.beta, g.c + lo, g.ldc, scratch, g.M);
  } else {
    const float* a = g.a + (g.transA ? lo : (ptrdiff_t)lo * g.lda);
    float* c = g.c + (ptrdiff_t)lo * g.ldc;
    if (g.transB == 2) gemm_prepacked(g.transA, n, g.N, g.K, a, g.lda, g.b, g.ldb, g.col0, g.beta, c, g.ldc, scratch);
    else gemm_one(g.transA, g.transB, n, g.N, g.K, a, g.lda, g.b, g.ldb, g.beta, c, g.ldc, scratch, g.M);
  }
}

void par_gemm(Pool* pool, double minFlops, int transA, int transB, int M, int N, int K, const float* a, int lda, const float* b, int ldb,
              int beta, float* c, int ldc, int col0) {
  const int threads = pool_threads(pool);
  const bool big = 2.0 * M * N * K >= minFlops || (M < MR && (double)N * K >= PARALLEL_FLOATS);
  GemmJob g{transA, transB, M, N, K, a, lda, b, ldb, beta, c, ldc, col0, 1, NR, 0};
  if (threads == 1 || !big) {
    g.per = (N + NR - 1) / NR;
    gemm_chunk(&g, 0, pool_scratch(pool));
    return;
  }
  // the larger of N (by NR columns) and M (by MR rows), in chunks taken dynamically
  g.byCols = N >= M;
  g.unit = g.byCols ? NR : MR;
  const int units = ((g.byCols ? N : M) + g.unit - 1) / g.unit;
  const int chunks = units < CHUNKS_PER_THREAD * threads ? units : CHUNKS_PER_THREAD * threads;
  g.per = (units + chunks - 1) / chunks;
  pool_run(pool, (units + g.per - 1) / g.per, gemm_chunk, &g);
}

static void steps_block(const void* job, int i, float* scratch) {
  const Steps& s = *(const Steps*)job;
  const int lo = i * s.per;
  if (lo >= s.rows) return;
  const int rows = (s.rows < lo + s.per ? s.rows : lo + s.per) - lo;
  float* q[STEP_PTRS];
  for (int j = 0; j < STEP_PTRS; j++) q[j] = s.p[j] ? s.p[j] + lo * s.rowFloats[j] : nullptr;
  const int T = s.T, B = s.B, H = s.H;
  switch (s.kind) {
    case RNN_FWD: rnn_tanh_steps_forward(T, B, rows, H, q[0], q[1], q[2], scratch); break;
    case RNN_BWD: rnn_tanh_steps_backward(T, B, rows, H, q[0], q[1], q[2], q[3], q[4], scratch); break;
    case LSTM_FWD: lstm_steps_forward(T, B, rows, H, q[0], q[1], q[2], q[3], q[4], scratch); break;
    case LSTM_BWD: lstm_steps_backward(T, B, rows, H, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], scratch); break;
    case LN_LSTM_FWD: ln_lstm_steps_forward(T, B, rows, H, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], scratch); break;
    case LN_LSTM_BWD:
      ln_lstm_steps_backward(T, B, rows, H, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13], q[14], scratch);
      break;
    case GRU_FWD: gru_steps_forward(T, B, rows, H, s.G, q[0], q[1], q[2], q[3], q[4], scratch); break;
    case GRU_BWD: gru_steps_backward(T, B, rows, H, s.G, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], scratch); break;
  }
}

void par_steps(Pool* pool, Steps& s) {
  // one block per thread, in whole ROW_UNIT rows: every block streams all of W_hh at every step,
  // so fewer, taller blocks reuse each B panel more; a batch too small for a block per thread
  // runs its forward split by hidden units instead (units.cc)
  const int units = (s.rows + ROW_UNIT - 1) / ROW_UNIT;
  const int threads = pool_threads(pool);
  if (units < threads && units_forward(pool, s)) return;
  const int blocks = units < threads ? units : threads;
  s.per = blocks > 0 ? (units + blocks - 1) / blocks * ROW_UNIT : s.rows;
  pool_run(pool, blocks, steps_block, &s);
}
