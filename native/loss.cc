// Softmax cross-entropy and log-probabilities over N rows of V logits (asm/pointwise.ts's formulas).
#include "loss.h"
#include <math.h>
#include "activations.h"

static float row_max(const float* z, int V) {
  float m = -INFINITY;
  for (int v = 0; v < V; v++) m = z[v] > m ? z[v] : m;
  return m;
}

/** e = exp(z − m) into e (may be z), returns Σ e */
static float exp_row(const float* z, float m, int V, float* e) {
  for (int v = 0; v < V; v++) e[v] = exp_r(z[v] - m);
  float s = 0.0f;
  for (int v = 0; v < V; v++) s += e[v];
  return s;
}

double softmax_xent(int N, int V, const float* logits, const int32_t* y, float* dlogits) {
  double loss = 0.0;
  const float inv = 1.0f / (float)N;
  for (int p = 0; p < N; p++) {
    const float* z = logits + (ptrdiff_t)p * V;
    float* d = dlogits + (ptrdiff_t)p * V;
    const int t = y[p];
    const float zt = z[t];  // before d (which may alias z) is written
    const float m = row_max(z, V);
    const float s = exp_row(z, m, V, d);
    loss += (double)m + log((double)s) - (double)zt;  // −ln ŷ_t = logsumexp(z) − z_t
    const float sc = inv / s;
    for (int v = 0; v < V; v++) d[v] *= sc;
    d[t] -= inv;  // dlogits = (ŷ − onehot(y))/N
  }
  return loss;
}

void log_probs(int N, int V, const float* logits, const int32_t* y, double* out, float* rowScratch) {
  for (int p = 0; p < N; p++) {
    const float* z = logits + (ptrdiff_t)p * V;
    const float m = row_max(z, V);
    const float s = exp_row(z, m, V, rowScratch);
    out[p] = (double)z[y[p]] - ((double)m + log((double)s));  // ln ŷ_y = z_y − logsumexp(z)
  }
}
