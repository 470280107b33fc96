// The cells' element-wise timestep kernels and whole-sequence recurrences; each step is the
// cell's stepForward / stepBackward (src/engine/cells), op for op. Rows of a batch are independent
// streams, so a block of rows runs every timestep without meeting the other blocks (pool.cc).
#include "cells.h"
#include "activations.h"
#include "gemm.h"
#include "lanes.h"


/** i f g o = σ σ tanh σ (a);  c = f⊙c⟨t−1⟩ + i⊙g;  h = o⊙tanh(c)   gates (B, 4H) activated in place; units [j0, j1) */
void lstm_forward_units(int B, int H, int j0, int j1, float* gates, const float* cPrev, float* cNew, float* tanhC, float* h) {
  for (int b = 0; b < B; b++) {
    float* g = gates + (ptrdiff_t)b * 4 * H;
    const float* cp = cPrev + (ptrdiff_t)b * H;
    float *cn = cNew + (ptrdiff_t)b * H, *tc = tanhC + (ptrdiff_t)b * H, *hb = h + (ptrdiff_t)b * H;
    lanes(j0, j1, [&](int j, auto lane) {
      using F = decltype(lane);
      const F i = sigmoid_r(ld<F>(g + j)), f = sigmoid_r(ld<F>(g + H + j)), gg = tanh_r(ld<F>(g + 2 * H + j)), o = sigmoid_r(ld<F>(g + 3 * H + j));
      const F c = f * ld<F>(cp + j) + i * gg;
      const F t = tanh_r(c);
      st(g + j, i); st(g + H + j, f); st(g + 2 * H + j, gg); st(g + 3 * H + j, o);
      st(cn + j, c); st(tc + j, t); st(hb + j, o * t);
    });
  }
}

void lstm_forward(int B, int H, float* gates, const float* cPrev, float* cNew, float* tanhC, float* h) {
  lstm_forward_units(B, H, 0, H, gates, cPrev, cNew, tanhC, h);
}

/** dh = dH + dhNext;  dc = dcNext + dh⊙o⊙(1−tanh²c);  da_{i,f,g,o};  dcNext := dc⊙f */
void lstm_backward(int B, int H, const float* gates, const float* cPrev, const float* tanhC, const float* dH,
                   float* dhNext, float* dcNext, float* dGates) {
  for (int b = 0; b < B; b++) {
    const float* g = gates + (ptrdiff_t)b * 4 * H;
    float* d = dGates + (ptrdiff_t)b * 4 * H;
    const ptrdiff_t o = (ptrdiff_t)b * H;
    const float *cp = cPrev + o, *tc = tanhC + o, *dh = dH + o, *dn = dhNext + o;
    float* dc = dcNext + o;
    lanes(0, H, [&](int j, auto lane) {
      using F = decltype(lane);
      const F i = ld<F>(g + j), f = ld<F>(g + H + j), gg = ld<F>(g + 2 * H + j), og = ld<F>(g + 3 * H + j);
      const F t = ld<F>(tc + j);
      const F dhj = ld<F>(dh + j) + ld<F>(dn + j);
      const F dao = dhj * t * og * (1.0f - og);
      const F dcv = ld<F>(dc + j) + dhj * og * (1.0f - t * t);
      st(d + j, dcv * gg * i * (1.0f - i));
      st(d + H + j, dcv * ld<F>(cp + j) * f * (1.0f - f));
      st(d + 2 * H + j, dcv * i * (1.0f - gg * gg));
      st(d + 3 * H + j, dao);
      st(dc + j, dcv * f);
    });
  }
}

/** h = tanh(a) */
void tanh_forward(int n, const float* __restrict a, float* __restrict h) {
  for (int j = 0; j < n; j++) h[j] = tanh_r(a[j]);
}

/** dA = (dH + dhNext)·(1 − h²) */
void tanh_backward(int n, const float* __restrict h, const float* __restrict dH, const float* __restrict dhNext, float* __restrict dA) {
  for (int j = 0; j < n; j++) dA[j] = (dH[j] + dhNext[j]) * (1.0f - h[j] * h[j]);
}

/** r = σ(a_r), z = σ(a_z) in place;  rh = r⊙h⟨t−1⟩   gates (B, 3H); units [j0, j1) */
void gru_forward_rz_units(int B, int H, int j0, int j1, float* gates, const float* hPrev, float* rh) {
  for (int b = 0; b < B; b++) {
    float* __restrict gr = gates + (ptrdiff_t)b * 3 * H;
    float* __restrict gz = gr + H;
    const float* __restrict hp = hPrev + (ptrdiff_t)b * H;
    float* __restrict out = rh + (ptrdiff_t)b * H;
    for (int j = j0; j < j1; j++) {
      const float r = sigmoid_r(gr[j]);
      gr[j] = r;
      gz[j] = sigmoid_r(gz[j]);
      out[j] = r * hp[j];
    }
  }
}

void gru_forward_rz(int B, int H, float* gates, const float* hPrev, float* rh) { gru_forward_rz_units(B, H, 0, H, gates, hPrev, rh); }

/** z (σ of it when zAct), n = tanh(a_n) in place;  h⟨t⟩ = (1−z)⊙n + z⊙h⟨t−1⟩   gates (B, G·H); units [j0, j1) */
void gru_out_units(int B, int H, int j0, int j1, int G, int zAct, float* gates, const float* hPrev, float* hNew) {
  for (int b = 0; b < B; b++) {
    float* __restrict zr = gates + (ptrdiff_t)b * G * H + (ptrdiff_t)(G - 2) * H;
    float* __restrict nr = zr + H;
    const float* __restrict hp = hPrev + (ptrdiff_t)b * H;
    float* __restrict hn = hNew + (ptrdiff_t)b * H;
    for (int j = j0; j < j1; j++) {
      const float z = zAct ? sigmoid_r(zr[j]) : zr[j];
      const float n = tanh_r(nr[j]);
      zr[j] = z;
      nr[j] = n;
      hn[j] = (1.0f - z) * n + z * hp[j];
    }
  }
}

void gru_out(int B, int H, int G, int zAct, float* gates, const float* hPrev, float* hNew) {
  gru_out_units(B, H, 0, H, G, zAct, gates, hPrev, hNew);
}

/** dh = dH + dhNext;  da_z = dh(h⟨t−1⟩−n)z(1−z);  da_n = dh(1−z)(1−n²);  dhNext := dh⊙z */
void gru_out_backward(int B, int H, int G, const float* gates, const float* hPrev, const float* dH, float* dhNext, float* dGates) {
  for (int b = 0; b < B; b++) {
    const ptrdiff_t g = (ptrdiff_t)b * G * H + (ptrdiff_t)(G - 2) * H, o = (ptrdiff_t)b * H;
    const float* zr = gates + g;
    float* dz = dGates + g;
    const float *hp = hPrev + o, *dh = dH + o;
    float* dn = dhNext + o;
    lanes(0, H, [&](int j, auto lane) {
      using F = decltype(lane);
      const F z = ld<F>(zr + j), n = ld<F>(zr + H + j);
      const F d = ld<F>(dh + j) + ld<F>(dn + j);
      const F omz = 1.0f - z;
      st(dz + j, d * (ld<F>(hp + j) - n) * z * omz);
      st(dz + H + j, d * omz * (1.0f - n * n));
      st(dn + j, d * z);
    });
  }
}

/** da_r = drh⊙h⟨t−1⟩⊙r(1−r);  dhNext += drh⊙r */
void gru_backward_r(int B, int H, const float* gates, const float* hPrev, const float* drh, float* dhNext, float* dGates) {
  for (int b = 0; b < B; b++) {
    const float* __restrict r = gates + (ptrdiff_t)b * 3 * H;
    float* __restrict dr = dGates + (ptrdiff_t)b * 3 * H;
    const ptrdiff_t o = (ptrdiff_t)b * H;
    const float* __restrict hp = hPrev + o;
    const float* __restrict d = drh + o;
    float* __restrict dn = dhNext + o;
    for (int j = 0; j < H; j++) {
      dr[j] = d[j] * hp[j] * r[j] * (1.0f - r[j]);
      dn[j] = dn[j] + d[j] * r[j];
    }
  }
}

// --- whole recurrences; st = floats of one timestep of a (B, H) array ---

/** for t:  a⟨t⟩ += h⟨t−1⟩·W_hhᵀ;  h⟨t⟩ = tanh(a⟨t⟩)   gates (T·B, H), hAll (T·B + B, H) */
void rnn_tanh_steps_forward(int T, int B, int rows, int H, float* gates, float* hAll, const float* whhT, float* scratch) {
  const ptrdiff_t st = (ptrdiff_t)B * H;
  for (int t = 0; t < T; t++) {
    float* a = gates + t * st;
    float* hPrev = hAll + t * st;
    gemm_prepacked(0, rows, H, H, hPrev, H, whhT, H, 0, 1, a, H, scratch);
    tanh_forward(rows * H, a, hPrev + st);
  }
}

/** for t = T−1…0:  da⟨t⟩ = (dH⟨t⟩ + dhNext)(1 − h⟨t⟩²);  dhNext = da⟨t⟩·W_hh */
void rnn_tanh_steps_backward(int T, int B, int rows, int H, const float* hAll, const float* dH, float* dhNext, float* dGates,
                             const float* whh, float* scratch) {
  const ptrdiff_t st = (ptrdiff_t)B * H;
  for (int t = T - 1; t >= 0; t--) {
    float* da = dGates + t * st;
    tanh_backward(rows * H, hAll + (t + 1) * st, dH + t * st, dhNext, da);
    gemm_prepacked(0, rows, H, H, da, H, whh, H, 0, 0, dhNext, H, scratch);
  }
}

/** for t:  a⟨t⟩ += h⟨t−1⟩·W_hhᵀ (B, 4H);  then the gates, c⟨t⟩, h⟨t⟩   cAll laid out like hAll */
void lstm_steps_forward(int T, int B, int rows, int H, float* gates, float* cAll, float* tanhC, float* hAll,
                        const float* whhT, float* scratch) {
  const ptrdiff_t st = (ptrdiff_t)B * H;
  for (int t = 0; t < T; t++) {
    float* a = gates + t * 4 * st;
    const ptrdiff_t o = t * st;
    gemm_prepacked(0, rows, 4 * H, H, hAll + o, H, whhT, 4 * H, 0, 1, a, 4 * H, scratch);
    lstm_forward(rows, H, a, cAll + o, cAll + o + st, tanhC + o, hAll + o + st);
  }
}

/** for t = T−1…0:  dGates⟨t⟩, dcNext from dH⟨t⟩ + dhNext;  dhNext = dGates⟨t⟩·W_hh */
void lstm_steps_backward(int T, int B, int rows, int H, const float* gates, const float* cAll, const float* tanhC,
                         const float* dH, float* dhNext, float* dcNext, float* dGates, const float* whh, float* scratch) {
  const ptrdiff_t st = (ptrdiff_t)B * H;
  for (int t = T - 1; t >= 0; t--) {
    const ptrdiff_t g = t * 4 * st, o = t * st;
    lstm_backward(rows, H, gates + g, cAll + o, tanhC + o, dH + o, dhNext, dcNext, dGates + g);
    gemm_prepacked(0, rows, H, 4 * H, dGates + g, 4 * H, whh, H, 0, 0, dhNext, H, scratch);
  }
}

/**
 * G = 3 (Cho):  a_rz += h⟨t−1⟩·W_hrzᵀ;  r, z;  rh = r⊙h⟨t−1⟩;  a_n += rh·W_hnᵀ;  n, h⟨t⟩
 * G = 2 (minimal):  a += h⟨t−1⟩·W_hhᵀ;  z, n, h⟨t⟩
 */
void gru_steps_forward(int T, int B, int rows, int H, int G, float* gates, float* hAll, float* rh, const float* whAT,
                       const float* whNT, float* scratch) {
  const ptrdiff_t st = (ptrdiff_t)B * H;
  const int GH = G * H, A = G == 3 ? 2 * H : GH;
  for (int t = 0; t < T; t++) {
    float* a = gates + t * G * st;
    const ptrdiff_t o = t * st;
    gemm_prepacked(0, rows, A, H, hAll + o, H, whAT, A, 0, 1, a, GH, scratch);
    if (G == 3) {
      gru_forward_rz(rows, H, a, hAll + o, rh + o);
      gemm_prepacked(0, rows, H, H, rh + o, H, whNT, H, 0, 1, a + 2 * H, GH, scratch);
    }
    gru_out(rows, H, G, G == 2, a, hAll + o, hAll + o + st);
  }
}

/**
 * for t = T−1…0 (drh (B, H) scratch of the Cho form):
 *   da_z, da_n, dhNext = dh⊙z;  drh = da_n·W_hn;  da_r, dhNext += drh⊙r;  dhNext += da_rz·W_hrz   (Cho)
 *   da_z, da_n, dhNext = dh⊙z;  dhNext += da·W_hh                                             (minimal)
 */
void gru_steps_backward(int T, int B, int rows, int H, int G, const float* gates, const float* hAll, const float* dH,
                        float* dhNext, float* drh, float* dGates, const float* whA, const float* whN, float* scratch) {
  const ptrdiff_t st = (ptrdiff_t)B * H;
  const int GH = G * H, A = G == 3 ? 2 * H : GH;
  for (int t = T - 1; t >= 0; t--) {
    const ptrdiff_t g = t * G * st, o = t * st;
    gru_out_backward(rows, H, G, gates + g, hAll + o, dH + o, dhNext, dGates + g);
    if (G == 3) {
      gemm_prepacked(0, rows, H, H, dGates + g + 2 * H, GH, whN, H, 0, 0, drh, H, scratch);
      gru_backward_r(rows, H, gates + g, hAll + o, drh, dhNext, dGates + g);
    }
    gemm_prepacked(0, rows, H, A, dGates + g, GH, whA, H, 0, 1, dhNext, H, scratch);
  }
}
