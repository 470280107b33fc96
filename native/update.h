#pragma once
#include "simd.h"

/** Adam: m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  w −= s·m/(√v/√c2 + ε)  (s = lr/c1). */
void adam_update(int64_t n, float* w, const float* g, float* m, float* v, float b1, float b2, float eps, float s, float sqrtC2);
/** Adagrad: m += g²;  w −= lr·g/√(m + ε). */
void adagrad_update(int64_t n, float* w, const float* g, float* m, float lr, float eps);
