// The cells' element-wise timestep kernels and whole-sequence recurrences (cells.cc), the same
// formulas as the reference cells (src/engine/cells) and asm/. H % 4 == 0.
#pragma once
#include "simd.h"

// One timestep, B rows (the layouts of src/engine/cells/lstm.ts, gru.ts).
void lstm_forward(int B, int H, float* gates, const float* cPrev, float* cNew, float* tanhC, float* h);
void lstm_backward(int B, int H, const float* gates, const float* cPrev, const float* tanhC, const float* dH,
                   float* dhNext, float* dcNext, float* dGates);
void tanh_forward(int n, const float* a, float* h);
void tanh_backward(int n, const float* h, const float* dH, const float* dhNext, float* dA);
void gru_forward_rz(int B, int H, float* gates, const float* hPrev, float* rh);
void gru_out(int B, int H, int G, int zAct, float* gates, const float* hPrev, float* hNew);
void gru_out_backward(int B, int H, int G, const float* gates, const float* hPrev, const float* dH, float* dhNext, float* dGates);
void gru_backward_r(int B, int H, const float* gates, const float* hPrev, const float* drh, float* dhNext, float* dGates);
// the same forwards on the hidden units [j0, j1) only (a thread's share of a step)
void lstm_forward_units(int B, int H, int j0, int j1, float* gates, const float* cPrev, float* cNew, float* tanhC, float* h);
void gru_forward_rz_units(int B, int H, int j0, int j1, float* gates, const float* hPrev, float* rh);
void gru_out_units(int B, int H, int j0, int j1, int G, int zAct, float* gates, const float* hPrev, float* hNew);

// Whole recurrences over `rows` rows of a batch of B (pointers at the block's first row), W_hh
// operands prepacked by pack_b_all; scratch: SCRATCH_FLOATS (gemm.h).
void rnn_tanh_steps_forward(int T, int B, int rows, int H, float* gates, float* hAll, const float* whhT, float* scratch);
void rnn_tanh_steps_backward(int T, int B, int rows, int H, const float* hAll, const float* dH, float* dhNext, float* dGates,
                             const float* whh, float* scratch);
void lstm_steps_forward(int T, int B, int rows, int H, float* gates, float* cAll, float* tanhC, float* hAll,
                        const float* whhT, float* scratch);
void lstm_steps_backward(int T, int B, int rows, int H, const float* gates, const float* cAll, const float* tanhC,
                         const float* dH, float* dhNext, float* dcNext, float* dGates, const float* whh, float* scratch);
// layer normalisation over P rows of n, the gains' gradients, and the layer-normalised LSTM (ln_lstm.cc):
// one timestep of `rows` rows, and its whole recurrences
void layer_norm_forward(int P, int n, float* z, float* rstd, const float* gain, const float* bias, float* y);
void layer_norm_backward(int P, int n, const float* dy, const float* zHat, const float* rstd, const float* gain, float* dz);
void column_dots(int P, int n, const float* a, const float* b, float* out);
void ln_lstm_forward(int rows, int H, float* gates, float* hHat, float* rstdH, const float* cPrev, float* cNew, float* cHat,
                     float* rstdC, float* tanhC, float* h, const float* norm);
void ln_lstm_backward(int rows, int H, const float* gates, const float* hHat, const float* rstdH, const float* cPrev, const float* cHat,
                      const float* rstdC, const float* tanhC, const float* norm, const float* dH, float* dhNext, float* dcNext,
                      float* dGates, float* dGh, float* dZc);
void ln_lstm_steps_forward(int T, int B, int rows, int H, float* gates, float* hHat, float* rstdH, float* cAll, float* cHat,
                           float* rstdC, float* tanhC, float* hAll, const float* norm, const float* whhT, float* scratch);
void ln_lstm_steps_backward(int T, int B, int rows, int H, const float* gates, const float* hHat, const float* rstdH, const float* cAll,
                            const float* cHat, const float* rstdC, const float* tanhC, const float* norm, const float* dH, float* dhNext,
                            float* dcNext, float* dGates, float* dGh, float* dZc, const float* whh, float* scratch);
void gru_steps_forward(int T, int B, int rows, int H, int G, float* gates, float* hAll, float* rh, const float* whAT,
                       const float* whNT, float* scratch);
void gru_steps_backward(int T, int B, int rows, int H, int G, const float* gates, const float* hAll, const float* dH,
                        float* dhNext, float* drh, float* dGates, const float* whA, const float* whN, float* scratch);
