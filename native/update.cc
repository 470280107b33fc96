// Optimiser updates over whole tensors (the formulas of src/train/optimizers.ts).
#include "update.h"
#include <math.h>

void adam_update(int64_t n, float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v,
                 float b1, float b2, float eps, float s, float sqrtC2) {
  const float a1 = 1.0f - b1, a2 = 1.0f - b2;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + a1 * gi;
    const float vi = b2 * v[i] + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= s * mi / (sqrtf(vi) / sqrtC2 + eps);
  }
}

void adagrad_update(int64_t n, float* __restrict w, const float* __restrict g, float* __restrict m, float lr, float eps) {
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] + gi * gi;
    m[i] = mi;
    w[i] -= lr * gi / sqrtf(mi + eps);
  }
}
