// Layer normalisation over rows, the gains' gradients, and the layer-normalised LSTM's timestep and
// whole recurrences: asm/ln-lstm.ts op for op at the host's vector width (the reference's formulas:
// src/engine/kernels/js/ln-lstm.ts; the layouts: src/engine/kernels/ops.ts).
#include <math.h>
#include "activations.h"
#include "cells.h"
#include "gemm.h"
#include "lanes.h"

constexpr float EPS = 1e-5f;  // LN_EPS of the reference

static inline float hsum(vf v) {
  float s = 0;
  for (int l = 0; l < VL; l++) s += v[l];
  return s;
}

/** Σ_j body(j) over [0, n): VL lanes at a time into one vector, then the scalar tail. */
template <typename Body> static inline float sum(int n, Body body) {
  vf s = vf{};
  float t = 0;
  int j = 0;
  for (; j + VL <= n; j += VL) s += body(j, vf{});
  for (; j < n; j++) t += body(j, 0.0f);
  return hsum(s) + t;
}

/** z[0…n) := (z − mean)/√(var + ε) in place; returns 1/√(var + ε). */
static float normalise(float* z, int n) {
  const float mean = sum(n, [&](int j, auto lane) { return ld<decltype(lane)>(z + j); }) / n;
  const float var = sum(n, [&](int j, auto lane) {
    const auto d = ld<decltype(lane)>(z + j) - mean;
    return d * d;
  }) / n;
  const float rstd = 1.0f / sqrtf(var + EPS);
  lanes(0, n, [&](int j, auto lane) { st(z + j, (ld<decltype(lane)>(z + j) - mean) * rstd); });
  return rstd;
}

/** dz := rstd·(dz − mean dz − ẑ·mean(dz⊙ẑ)) in place over n: ∂J/∂z from ∂J/∂ẑ. */
static void normalise_backward(float* dz, const float* zHat, int n, float rstd) {
  const float m1 = sum(n, [&](int j, auto lane) { return ld<decltype(lane)>(dz + j); }) / n;
  const float m2 = sum(n, [&](int j, auto lane) { return ld<decltype(lane)>(dz + j) * ld<decltype(lane)>(zHat + j); }) / n;
  lanes(0, n, [&](int j, auto lane) {
    using F = decltype(lane);
    st(dz + j, rstd * (ld<F>(dz + j) - m1 - ld<F>(zHat + j) * m2));
  });
}

/** Each of P rows of n: z := ẑ, rstd[p] := 1/σ, y := γ⊙ẑ + β */
void layer_norm_forward(int P, int n, float* z, float* rstd, const float* gain, const float* bias, float* y) {
  for (int p = 0; p < P; p++) {
    float *zr = z + (ptrdiff_t)p * n, *yr = y + (ptrdiff_t)p * n;
    rstd[p] = normalise(zr, n);
    lanes(0, n, [&](int j, auto lane) {
      using F = decltype(lane);
      st(yr + j, ld<F>(gain + j) * ld<F>(zr + j) + ld<F>(bias + j));
    });
  }
}

/** Each of P rows of n: dz := LN'(dy⊙γ) */
void layer_norm_backward(int P, int n, const float* dy, const float* zHat, const float* rstd, const float* gain, float* dz) {
  for (int p = 0; p < P; p++) {
    const ptrdiff_t o = (ptrdiff_t)p * n;
    lanes(0, n, [&](int j, auto lane) { st(dz + o + j, ld<decltype(lane)>(dy + o + j) * ld<decltype(lane)>(gain + j)); });
    normalise_backward(dz + o, zHat + o, n, rstd[p]);
  }
}

/** out[j] += Σ_p a[p·n + j]·b[p·n + j], p ascending */
void column_dots(int P, int n, const float* a, const float* b, float* out) {
  lanes(0, n, [&](int j, auto lane) {
    using F = decltype(lane);
    F s = ld<F>(out + j);
    for (int p = 0; p < P; p++) s += ld<F>(a + (ptrdiff_t)p * n + j) * ld<F>(b + (ptrdiff_t)p * n + j);
    st(out + j, s);
  });
}

/** a += γ_hh⊙LN(raw in hHat); i f g o; c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g; ĉ; tanhC = tanh(γ_c⊙ĉ + β_c); h⟨t⟩ = o⊙tanhC */
void ln_lstm_forward(int rows, int H, float* gates, float* hHat, float* rstdH, const float* cPrev, float* cNew, float* cHat,
                     float* rstdC, float* tanhC, float* h, const float* norm) {
  const float *gC = norm + 4 * H, *bC = gC + H;
  for (int b = 0; b < rows; b++) {
    float* a = gates + (ptrdiff_t)b * 4 * H;
    float* hh = hHat + (ptrdiff_t)b * 4 * H;
    const ptrdiff_t o = (ptrdiff_t)b * H;
    float *cn = cNew + o, *ch = cHat + o;
    rstdH[b] = normalise(hh, 4 * H);
    lanes(0, 4 * H, [&](int j, auto lane) {
      using F = decltype(lane);
      st(a + j, ld<F>(norm + j) * ld<F>(hh + j) + ld<F>(a + j));
    });
    lanes(0, H, [&](int j, auto lane) {
      using F = decltype(lane);
      const F i = sigmoid_r(ld<F>(a + j)), f = sigmoid_r(ld<F>(a + H + j)), g = tanh_r(ld<F>(a + 2 * H + j)), og = sigmoid_r(ld<F>(a + 3 * H + j));
      st(a + j, i); st(a + H + j, f); st(a + 2 * H + j, g); st(a + 3 * H + j, og);
      const F c = f * ld<F>(cPrev + o + j) + i * g;
      st(cn + j, c);
      st(ch + j, c);
    });
    rstdC[b] = normalise(ch, H);
    lanes(0, H, [&](int j, auto lane) {
      using F = decltype(lane);
      const F th = tanh_r(ld<F>(gC + j) * ld<F>(ch + j) + ld<F>(bC + j));
      st(tanhC + o + j, th);
      st(h + o + j, ld<F>(a + 3 * H + j) * th);
    });
  }
}

/** From dh = dH + dhNext: dZc, dGates, dcNext := ∂J/∂c⟨t−1⟩, dGh = LN'(da⊙γ_hh); ∂J/∂ĉ parked in the i block */
void ln_lstm_backward(int rows, int H, const float* gates, const float* hHat, const float* rstdH, const float* cPrev, const float* cHat,
                      const float* rstdC, const float* tanhC, const float* norm, const float* dH, float* dhNext, float* dcNext,
                      float* dGates, float* dGh, float* dZc) {
  const float* gC = norm + 4 * H;
  for (int b = 0; b < rows; b++) {
    const float* g0 = gates + (ptrdiff_t)b * 4 * H;
    float* d0 = dGates + (ptrdiff_t)b * 4 * H;
    float* e0 = dGh + (ptrdiff_t)b * 4 * H;
    const ptrdiff_t o = (ptrdiff_t)b * H;
    lanes(0, H, [&](int j, auto lane) {
      using F = decltype(lane);
      const F dh = ld<F>(dH + o + j) + ld<F>(dhNext + o + j);
      const F og = ld<F>(g0 + 3 * H + j), th = ld<F>(tanhC + o + j);
      st(d0 + 3 * H + j, dh * th * og * (1.0f - og));
      const F dz = dh * og * (1.0f - th * th);
      st(dZc + o + j, dz);
      st(d0 + j, dz * ld<F>(gC + j));
    });
    normalise_backward(d0, cHat + o, H, rstdC[b]);
    lanes(0, H, [&](int j, auto lane) {
      using F = decltype(lane);
      const F i = ld<F>(g0 + j), f = ld<F>(g0 + H + j), g = ld<F>(g0 + 2 * H + j);
      const F dc = ld<F>(d0 + j) + ld<F>(dcNext + o + j);
      st(d0 + j, dc * g * i * (1.0f - i));
      st(d0 + H + j, dc * ld<F>(cPrev + o + j) * f * (1.0f - f));
      st(d0 + 2 * H + j, dc * i * (1.0f - g * g));
      st(dcNext + o + j, dc * f);
    });
    lanes(0, 4 * H, [&](int j, auto lane) { st(e0 + j, ld<decltype(lane)>(d0 + j) * ld<decltype(lane)>(norm + j)); });
    normalise_backward(e0, hHat + (ptrdiff_t)b * 4 * H, 4 * H, rstdH[b]);
  }
}

/** for t:  raw⟨t⟩ = h⟨t−1⟩·W_hhᵀ (B, 4H) into hHat;  then the step above   rstdH, rstdC (T·B) */
void ln_lstm_steps_forward(int T, int B, int rows, int H, float* gates, float* hHat, float* rstdH, float* cAll, float* cHat,
                           float* rstdC, float* tanhC, float* hAll, const float* norm, const float* whhT, float* scratch) {
  const ptrdiff_t st = (ptrdiff_t)B * H;
  for (int t = 0; t < T; t++) {
    const ptrdiff_t g = t * 4 * st, o = t * st, r = (ptrdiff_t)t * B;
    gemm_prepacked(0, rows, 4 * H, H, hAll + o, H, whhT, 4 * H, 0, 0, hHat + g, 4 * H, scratch);
    ln_lstm_forward(rows, H, gates + g, hHat + g, rstdH + r, cAll + o, cAll + o + st, cHat + o, rstdC + r, tanhC + o, hAll + o + st, norm);
  }
}

/** for t = T−1…0:  the step of BPTT above;  dhNext = dGh⟨t⟩·W_hh */
void ln_lstm_steps_backward(int T, int B, int rows, int H, const float* gates, const float* hHat, const float* rstdH, const float* cAll,
                            const float* cHat, const float* rstdC, const float* tanhC, const float* norm, const float* dH, float* dhNext,
                            float* dcNext, float* dGates, float* dGh, float* dZc, const float* whh, float* scratch) {
  const ptrdiff_t st = (ptrdiff_t)B * H;
  for (int t = T - 1; t >= 0; t--) {
    const ptrdiff_t g = t * 4 * st, o = t * st, r = (ptrdiff_t)t * B;
    ln_lstm_backward(rows, H, gates + g, hHat + g, rstdH + r, cAll + o, cHat + o, rstdC + r, tanhC + o, norm, dH + o, dhNext, dcNext,
                     dGates + g, dGh + g, dZc + o);
    gemm_prepacked(0, rows, H, 4 * H, dGh + g, 4 * H, whh, H, 0, 0, dhNext, H, scratch);
  }
}
