// The forward recurrences of a batch too small to split by rows (one-stream evaluation: B = 1),
// split by hidden units instead: thread t computes the gate columns of its units against the
// packed W_hh and their element-wise step, then all threads meet at a barrier before the next step
// reads the whole h⟨t⟩. Each element is computed as on one thread (the same k order): the same bits.
#include "activations.h"
#include "cells.h"
#include "gemm.h"
#include "parallel.h"

struct UnitsJob {
  const Steps* s;
  int per;  // units per thread, a multiple of NR (so that every gate block's slice starts a panel)
  mutable Barrier bar;
};

/** C[:, col0 + u0 … col0 + u1) += A·(packed W)[:, the same columns] */
static void slice(const Steps& s, int u0, int u1, const float* a, const float* w, int Nfull, int col0, float* c, int ldc, float* scratch) {
  gemm_prepacked(0, s.rows, u1 - u0, s.H, a, s.H, w, Nfull, col0 + u0, 1, c + col0 + u0, ldc, scratch);
}

static void units_chunk(const void* job, int t, float* scratch) {
  const UnitsJob& u = *(const UnitsJob*)job;
  const Steps& s = *u.s;
  const int H = s.H, rows = s.rows, G = s.G;
  const int u0 = t * u.per < H ? t * u.per : H, u1 = (t + 1) * u.per < H ? (t + 1) * u.per : H;
  const ptrdiff_t st = (ptrdiff_t)s.B * H;
  for (int step = 0; step < s.T; step++) {
    const ptrdiff_t o = step * st;
    if (s.kind == RNN_FWD) {
      float* a = s.p[0] + o;
      float* hPrev = s.p[1] + o;
      slice(s, u0, u1, hPrev, s.p[2], H, 0, a, H, scratch);
      for (int b = 0; b < rows; b++)
        for (int j = u0; j < u1; j++) hPrev[st + (ptrdiff_t)b * H + j] = tanh_r(a[(ptrdiff_t)b * H + j]);
    } else if (s.kind == LSTM_FWD) {
      float* a = s.p[0] + step * 4 * st;
      for (int g = 0; g < 4; g++) slice(s, u0, u1, s.p[3] + o, s.p[4], 4 * H, g * H, a, 4 * H, scratch);
      lstm_forward_units(rows, H, u0, u1, a, s.p[1] + o, s.p[1] + o + st, s.p[2] + o, s.p[3] + o + st);
    } else {  // GRU: p = gates, hAll, rh, W_hAᵀ, W_hnᵀ
      float* a = s.p[0] + step * G * st;
      const float* hPrev = s.p[1] + o;
      const int A = G == 3 ? 2 * H : G * H;
      for (int g = 0; g < (G == 3 ? 2 : G); g++) slice(s, u0, u1, hPrev, s.p[3], A, g * H, a, G * H, scratch);
      if (G == 3) {
        gru_forward_rz_units(rows, H, u0, u1, a, hPrev, s.p[2] + o);
        barrier_wait(&u.bar);  // rh⟨t⟩ whole before a_n reads it
        slice(s, u0, u1, s.p[2] + o, s.p[4], H, 0, a + 2 * H, G * H, scratch);
      }
      gru_out_units(rows, H, u0, u1, G, G == 2, a, hPrev, s.p[1] + o + st);
    }
    barrier_wait(&u.bar);  // h⟨t⟩ whole before the next step reads it
  }
}

bool units_forward(Pool* pool, const Steps& s) {
  const int threads = pool_threads(pool);
  const bool forward = s.kind == RNN_FWD || s.kind == LSTM_FWD || s.kind == GRU_FWD;
  if (!forward || threads < 2 || s.H % NR != 0 || s.H / NR < threads) return false;
  const int panels = s.H / NR;
  UnitsJob u{&s, (panels + threads - 1) / threads * NR, Barrier{threads, 0, 0}};
  pool_gang(pool, units_chunk, &u);
  return true;
}
