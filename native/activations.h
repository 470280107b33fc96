// tanh, σ and eˣ as asm/pointwise.ts computes them, for a float or a vector of them (the same
// operations, so that a loop's vector body and its scalar tail agree bit for bit).
#pragma once
#include "simd.h"

/** x as a value of F: a float, or a vector of x in every lane. */
template <typename F> static inline F bc(float x) { if constexpr (sizeof(F) == sizeof(float)) return x; else return vsplat(x); }

/** tanh: Eigen's float rational approximation x·P(x²)/Q(x²), |x| clamped to 7.905 (a few ulp). */
template <typename F> static inline F tanh_r(F x) {
  const F lim = bc<F>(7.90531110763549805f), nlim = bc<F>(-7.90531110763549805f);
  x = x < nlim ? nlim : (x > lim ? lim : x);
  const F x2 = x * x;
  F p = bc<F>(-2.76076847742355e-16f);
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * x;
  F q = bc<F>(1.19825839466702e-06f);
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return p / q;
}

/** σ(x) = ½ + ½·tanh(x/2) */
template <typename F> static inline F sigmoid_r(F x) { return 0.5f + 0.5f * tanh_r(0.5f * x); }

/** eˣ = 2ⁿ·2ᶠ (n = round(x·log₂e), f ∈ [−½, ½]) with a degree-6 polynomial; x clamped to [−87, 88]. */
static inline float exp_r(float x) {
  x = x > 88.0f ? 88.0f : (x < -87.0f ? -87.0f : x);
  const float t = x * 1.44269504088896341f;
  const float n = (t + 12582912.0f) - 12582912.0f;  // round to nearest (|t| < 2²²)
  const float f = t - n;
  float p = 1.535336188319500e-4f;
  p = p * f + 1.339887440266574e-3f;
  p = p * f + 9.618437357674640e-3f;
  p = p * f + 5.550332471162809e-2f;
  p = p * f + 2.402264791363012e-1f;
  p = p * f + 6.931472028550421e-1f;
  p = p * f + 1.0f;
  const int bits = ((int)n + 127) << 23;
  float scale;
  __builtin_memcpy(&scale, &bits, 4);
  return p * scale;
}
