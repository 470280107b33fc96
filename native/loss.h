#pragma once
#include "simd.h"

/** Σ_p −ln softmax(z_p)[y_p] (the caller divides by N); dlogits = (ŷ − onehot(y))/N, may alias logits. */
double softmax_xent(int N, int V, const float* logits, const int32_t* y, float* dlogits);
/** out[p] = ln softmax(z_p)[y_p] in float64, logits untouched; rowScratch holds V floats. */
void log_probs(int N, int V, const float* logits, const int32_t* y, double* out, float* rowScratch);
