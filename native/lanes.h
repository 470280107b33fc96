// One element-wise body for the vector lanes and the scalar tail alike: F is vf or float.
#pragma once
#include "simd.h"

template <typename F> static inline F ld(const float* p) { if constexpr (sizeof(F) == sizeof(float)) return *p; else return vload(p); }
template <typename F> static inline void st(float* p, F x) { if constexpr (sizeof(F) == sizeof(float)) *p = x; else vstore(p, x); }
/** body(j, F{}) for j in [j0, j1): VL at a time, then one at a time. */
template <typename Body> static inline void lanes(int j0, int j1, Body body) {
  int j = j0;
  for (; j + VL <= j1; j += VL) body(j, vf{});
  for (; j < j1; j++) body(j, 0.0f);
}
