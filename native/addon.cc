// Node-API face of the native kernels: a kernel context over the WebAssembly backend's linear
// memory (a SharedArrayBuffer, reserved at its maximum size so that it never moves) whose functions
// take the asm module's arguments (byte addresses into that memory; src/engine/kernels/wasm-api.ts).
// Every address range a call touches is checked against the memory's current size before any
// kernel runs: a bad call throws a RangeError, it never reads or writes outside the memory.
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include "cells.h"
#include "gemm.h"
#include "loss.h"
#include "parallel.h"
#include "update.h"

struct Ctx {
  uint8_t* base;
  int64_t size;  // bytes of the memory now
  Pool* pool;
  float* row;    // V floats for log_probs
  int64_t rowCap;
  int32_t* ys;   // a copy of the targets: an output may overwrite them in memory
  int64_t yCap;
  double parallelFlops;
};

constexpr int MAX_ARGS = 20;

/** The arguments of one call and the checks on them; the first failure is reported. */
struct Call {
  napi_env env;
  Ctx* ctx;
  const char* op;
  napi_value argv[MAX_ARGS];
  size_t argc = MAX_ARGS;
  const char* bad = nullptr;
  char detail[160] = "";

  Call(napi_env e, napi_callback_info info, const char* name) : env(e), ctx(nullptr), op(name) {
    void* data = nullptr;
    napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
    ctx = (Ctx*)data;
    if (!ctx->pool) fail("context", "the kernel context is closed");
  }
  void fail(const char* what, const char* why) {
    if (!bad) {
      bad = what;
      snprintf(detail, sizeof detail, "%s", why);
    }
  }
  int64_t i(size_t k) {
    int64_t v = 0;
    if (k >= argc || napi_get_value_int64(env, argv[k], &v) != napi_ok) fail("argument", "an integer argument is missing");
    return v;
  }
  int n(size_t k, const char* what) {  // a size or count: 0 … 2³¹−1
    const int64_t v = i(k);
    if (v < 0 || v > INT32_MAX) fail(what, "a size out of range");
    return (int)v;
  }
  float f(size_t k) {
    double v = 0;
    if (k >= argc || napi_get_value_double(env, argv[k], &v) != napi_ok) fail("argument", "a number argument is missing");
    return (float)v;
  }
  /** bytes [at, at + count·elem) of the memory, elem-aligned */
  uint8_t* span(int64_t at, int64_t count, int elem, const char* what) {
    if (bad) return nullptr;
    if (count < 0 || at < 0 || at % elem != 0 || at > ctx->size || count > (ctx->size - at) / elem) {
      char why[120];
      snprintf(why, sizeof why, "%lld elements of %d bytes at byte %lld, memory %lld bytes", (long long)count, elem, (long long)at,
               (long long)ctx->size);
      fail(what, why);
      return nullptr;
    }
    return ctx->base + at;
  }
  float* vec(int64_t at, int64_t count, const char* what) { return (float*)span(at, count, 4, what); }
  /** rows × cols floats, row stride ld ≥ cols */
  float* mat(int64_t at, int64_t rows, int64_t cols, int64_t ld, const char* what) {
    if (rows < 0 || cols < 0 || (rows > 0 && ld < cols)) fail(what, "a leading dimension smaller than the row");
    return vec(at, rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols, what);
  }
  /** T timesteps of `rows` rows of `w` floats in a batch of B rows (rows ≤ B) */
  float* steps(int64_t at, int64_t T, int64_t rows, int64_t B, int64_t w, const char* what) {
    if (rows > B) fail(what, "more rows than the batch");
    return mat(at, T, rows * w, B * w, what);
  }
  bool ok() {
    if (!bad) return true;
    char msg[256];
    snprintf(msg, sizeof msg, "native kernel %s: %s: %s", op, bad, detail);
    napi_throw_range_error(env, "ERR_RNN_NATIVE_BOUNDS", msg);
    return false;
  }
};

static napi_value num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

// --- GEMM ---

static napi_value js_gemm(napi_env env, napi_callback_info info) {
  Call c(env, info, "gemm");
  const int tA = (int)c.i(0), tB = (int)c.i(1), M = c.n(2, "M"), N = c.n(3, "N"), K = c.n(4, "K");
  const int lda = c.n(6, "lda"), ldb = c.n(8, "ldb"), beta = (int)c.i(9), ldc = c.n(11, "ldc"), col0 = c.n(13, "col0");
  if (tA < 0 || tA > 1 || tB < 0 || tB > 2 || beta < 0 || beta > 1) c.fail("flags", "transA, beta 0/1 and transB 0/1/2");
  const float* a = tA ? c.mat(c.i(5), K, M, lda, "A") : c.mat(c.i(5), M, K, lda, "A");
  const float* b;
  if (tB == 2) {
    if (col0 % NR != 0 || (int64_t)col0 + N > ldb) c.fail("col0", "a column range outside the packed operand");
    b = c.vec(c.i(7), packed_floats(K, ldb), "packed B");
  } else {
    b = tB ? c.mat(c.i(7), N, K, ldb, "B") : c.mat(c.i(7), K, N, ldb, "B");
  }
  float* C = c.mat(c.i(10), M, N, ldc, "C");
  if (!c.ok()) return nullptr;
  par_gemm(c.ctx->pool, c.ctx->parallelFlops, tA, tB, M, N, K, a, lda, b, ldb, beta, C, ldc, col0);
  return nullptr;
}

static napi_value js_packed_floats(napi_env env, napi_callback_info info) {
  Call c(env, info, "packedFloats");
  const int K = c.n(0, "K"), N = c.n(1, "N");
  if (!c.ok()) return nullptr;
  return num(env, (double)packed_floats(K, N));
}

static napi_value js_pack_b(napi_env env, napi_callback_info info) {
  Call c(env, info, "pack_b");
  const int tB = (int)c.i(0), K = c.n(1, "K"), N = c.n(2, "N"), ldb = c.n(4, "ldb");
  if (tB < 0 || tB > 1) c.fail("transB", "0 or 1");
  const float* b = tB ? c.mat(c.i(3), N, K, ldb, "B") : c.mat(c.i(3), K, N, ldb, "B");
  float* dst = c.vec(c.i(5), packed_floats(K, N), "packed B");
  if (!c.ok()) return nullptr;
  pack_b_all(tB, K, N, b, ldb, dst);
  return nullptr;
}

// --- one timestep of a cell ---

static napi_value js_lstm_forward(napi_env env, napi_callback_info info) {
  Call c(env, info, "lstm_forward");
  const int B = c.n(0, "B"), H = c.n(1, "H");
  const int64_t n = (int64_t)B * H;
  float* gates = c.vec(c.i(2), 4 * n, "gates");
  const float* cPrev = c.vec(c.i(3), n, "cPrev");
  float* cNew = c.vec(c.i(4), n, "cNew");
  float* tanhC = c.vec(c.i(5), n, "tanhC");
  float* h = c.vec(c.i(6), n, "h");
  if (!c.ok()) return nullptr;
  lstm_forward(B, H, gates, cPrev, cNew, tanhC, h);
  return nullptr;
}

static napi_value js_lstm_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "lstm_backward");
  const int B = c.n(0, "B"), H = c.n(1, "H");
  const int64_t n = (int64_t)B * H;
  const float* gates = c.vec(c.i(2), 4 * n, "gates");
  const float* cPrev = c.vec(c.i(3), n, "cPrev");
  const float* tanhC = c.vec(c.i(4), n, "tanhC");
  const float* dH = c.vec(c.i(5), n, "dH");
  float* dhNext = c.vec(c.i(6), n, "dhNext");
  float* dcNext = c.vec(c.i(7), n, "dcNext");
  float* dGates = c.vec(c.i(8), 4 * n, "dGates");
  if (!c.ok()) return nullptr;
  lstm_backward(B, H, gates, cPrev, tanhC, dH, dhNext, dcNext, dGates);
  return nullptr;
}

static napi_value js_tanh_forward(napi_env env, napi_callback_info info) {
  Call c(env, info, "tanh_forward");
  const int n = c.n(0, "n");
  const float* a = c.vec(c.i(1), n, "a");
  float* h = c.vec(c.i(2), n, "h");
  if (!c.ok()) return nullptr;
  tanh_forward(n, a, h);
  return nullptr;
}

static napi_value js_tanh_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "tanh_backward");
  const int n = c.n(0, "n");
  const float* h = c.vec(c.i(1), n, "h");
  const float* dH = c.vec(c.i(2), n, "dH");
  const float* dhNext = c.vec(c.i(3), n, "dhNext");
  float* dA = c.vec(c.i(4), n, "dA");
  if (!c.ok()) return nullptr;
  tanh_backward(n, h, dH, dhNext, dA);
  return nullptr;
}

static napi_value js_gru_forward_rz(napi_env env, napi_callback_info info) {
  Call c(env, info, "gru_forward_rz");
  const int B = c.n(0, "B"), H = c.n(1, "H");
  const int64_t n = (int64_t)B * H;
  float* gates = c.vec(c.i(2), 3 * n, "gates");
  const float* hPrev = c.vec(c.i(3), n, "hPrev");
  float* rh = c.vec(c.i(4), n, "rh");
  if (!c.ok()) return nullptr;
  gru_forward_rz(B, H, gates, hPrev, rh);
  return nullptr;
}

static napi_value js_layer_norm_forward(napi_env env, napi_callback_info info) {
  Call c(env, info, "layer_norm_forward");
  const int P = c.n(0, "P"), n = c.n(1, "n");
  const int64_t pn = (int64_t)P * n;
  float* z = c.vec(c.i(2), pn, "z");
  float* rstd = c.vec(c.i(3), P, "rstd");
  const float* gain = c.vec(c.i(4), n, "gain");
  const float* bias = c.vec(c.i(5), n, "bias");
  float* y = c.vec(c.i(6), pn, "y");
  if (!c.ok()) return nullptr;
  layer_norm_forward(P, n, z, rstd, gain, bias, y);
  return nullptr;
}

static napi_value js_layer_norm_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "layer_norm_backward");
  const int P = c.n(0, "P"), n = c.n(1, "n");
  const int64_t pn = (int64_t)P * n;
  const float* dy = c.vec(c.i(2), pn, "dy");
  const float* zHat = c.vec(c.i(3), pn, "zHat");
  const float* rstd = c.vec(c.i(4), P, "rstd");
  const float* gain = c.vec(c.i(5), n, "gain");
  float* dz = c.vec(c.i(6), pn, "dz");
  if (!c.ok()) return nullptr;
  layer_norm_backward(P, n, dy, zHat, rstd, gain, dz);
  return nullptr;
}

static napi_value js_column_dots(napi_env env, napi_callback_info info) {
  Call c(env, info, "column_dots");
  const int P = c.n(0, "P"), n = c.n(1, "n");
  const float* a = c.vec(c.i(2), (int64_t)P * n, "a");
  const float* b = c.vec(c.i(3), (int64_t)P * n, "b");
  float* out = c.vec(c.i(4), n, "out");
  if (!c.ok()) return nullptr;
  column_dots(P, n, a, b, out);
  return nullptr;
}

static napi_value js_ln_lstm_forward(napi_env env, napi_callback_info info) {
  Call c(env, info, "ln_lstm_forward");
  const int B = c.n(0, "rows"), H = c.n(1, "H");
  const int64_t n = (int64_t)B * H;
  float* gates = c.vec(c.i(2), 4 * n, "gates");
  float* hHat = c.vec(c.i(3), 4 * n, "hHat");
  float* rstdH = c.vec(c.i(4), B, "rstdH");
  const float* cPrev = c.vec(c.i(5), n, "cPrev");
  float* cNew = c.vec(c.i(6), n, "cNew");
  float* cHat = c.vec(c.i(7), n, "cHat");
  float* rstdC = c.vec(c.i(8), B, "rstdC");
  float* tanhC = c.vec(c.i(9), n, "tanhC");
  float* h = c.vec(c.i(10), n, "h");
  const float* norm = c.vec(c.i(11), 6 * (int64_t)H, "norm");
  if (!c.ok()) return nullptr;
  ln_lstm_forward(B, H, gates, hHat, rstdH, cPrev, cNew, cHat, rstdC, tanhC, h, norm);
  return nullptr;
}

static napi_value js_ln_lstm_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "ln_lstm_backward");
  const int B = c.n(0, "rows"), H = c.n(1, "H");
  const int64_t n = (int64_t)B * H;
  const float* gates = c.vec(c.i(2), 4 * n, "gates");
  const float* hHat = c.vec(c.i(3), 4 * n, "hHat");
  const float* rstdH = c.vec(c.i(4), B, "rstdH");
  const float* cPrev = c.vec(c.i(5), n, "cPrev");
  const float* cHat = c.vec(c.i(6), n, "cHat");
  const float* rstdC = c.vec(c.i(7), B, "rstdC");
  const float* tanhC = c.vec(c.i(8), n, "tanhC");
  const float* norm = c.vec(c.i(9), 6 * (int64_t)H, "norm");
  const float* dH = c.vec(c.i(10), n, "dH");
  float* dhNext = c.vec(c.i(11), n, "dhNext");
  float* dcNext = c.vec(c.i(12), n, "dcNext");
  float* dGates = c.vec(c.i(13), 4 * n, "dGates");
  float* dGh = c.vec(c.i(14), 4 * n, "dGh");
  float* dZc = c.vec(c.i(15), n, "dZc");
  if (!c.ok()) return nullptr;
  ln_lstm_backward(B, H, gates, hHat, rstdH, cPrev, cHat, rstdC, tanhC, norm, dH, dhNext, dcNext, dGates, dGh, dZc);
  return nullptr;
}

static int gate_count(Call& c, size_t k) {
  const int G = (int)c.i(k);
  if (G != 2 && G != 3) c.fail("G", "2 or 3 gate blocks");
  return G;
}

static napi_value js_gru_out(napi_env env, napi_callback_info info) {
  Call c(env, info, "gru_out");
  const int B = c.n(0, "B"), H = c.n(1, "H"), G = gate_count(c, 2), zAct = (int)c.i(3);
  const int64_t n = (int64_t)B * H;
  float* gates = c.vec(c.i(4), G * n, "gates");
  const float* hPrev = c.vec(c.i(5), n, "hPrev");
  float* hNew = c.vec(c.i(6), n, "hNew");
  if (!c.ok()) return nullptr;
  gru_out(B, H, G, zAct, gates, hPrev, hNew);
  return nullptr;
}

static napi_value js_gru_out_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "gru_out_backward");
  const int B = c.n(0, "B"), H = c.n(1, "H"), G = gate_count(c, 2);
  const int64_t n = (int64_t)B * H;
  const float* gates = c.vec(c.i(3), G * n, "gates");
  const float* hPrev = c.vec(c.i(4), n, "hPrev");
  const float* dH = c.vec(c.i(5), n, "dH");
  float* dhNext = c.vec(c.i(6), n, "dhNext");
  float* dGates = c.vec(c.i(7), G * n, "dGates");
  if (!c.ok()) return nullptr;
  gru_out_backward(B, H, G, gates, hPrev, dH, dhNext, dGates);
  return nullptr;
}

static napi_value js_gru_backward_r(napi_env env, napi_callback_info info) {
  Call c(env, info, "gru_backward_r");
  const int B = c.n(0, "B"), H = c.n(1, "H");
  const int64_t n = (int64_t)B * H;
  const float* gates = c.vec(c.i(2), 3 * n, "gates");
  const float* hPrev = c.vec(c.i(3), n, "hPrev");
  const float* drh = c.vec(c.i(4), n, "drh");
  float* dhNext = c.vec(c.i(5), n, "dhNext");
  float* dGates = c.vec(c.i(6), 3 * n, "dGates");
  if (!c.ok()) return nullptr;
  gru_backward_r(B, H, gates, hPrev, drh, dhNext, dGates);
  return nullptr;
}

// --- whole recurrences: (T, B, rows, H[, G], buffers…, packed W_hh…, scratch); rows of a batch of B ---

static napi_value js_rnn_tanh_steps_forward(napi_env env, napi_callback_info info) {
  Call c(env, info, "rnn_tanh_steps_forward");
  const int T = c.n(0, "T"), B = c.n(1, "B"), rows = c.n(2, "rows"), H = c.n(3, "H");
  Steps s{RNN_FWD, T, B, rows, H, 1, {}, {}, 0};
  s.p[0] = c.steps(c.i(4), T, rows, B, H, "gates");
  s.p[1] = c.steps(c.i(5), T + 1, rows, B, H, "hAll");
  s.p[2] = c.vec(c.i(6), packed_floats(H, H), "W_hhᵀ");
  if (!c.ok()) return nullptr;
  s.rowFloats[0] = s.rowFloats[1] = H;
  par_steps(c.ctx->pool, s);
  return nullptr;
}

static napi_value js_rnn_tanh_steps_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "rnn_tanh_steps_backward");
  const int T = c.n(0, "T"), B = c.n(1, "B"), rows = c.n(2, "rows"), H = c.n(3, "H");
  Steps s{RNN_BWD, T, B, rows, H, 1, {}, {}, 0};
  s.p[0] = c.steps(c.i(4), T + 1, rows, B, H, "hAll");
  s.p[1] = c.steps(c.i(5), T, rows, B, H, "dH");
  s.p[2] = c.vec(c.i(6), (int64_t)rows * H, "dhNext");
  s.p[3] = c.steps(c.i(7), T, rows, B, H, "dGates");
  s.p[4] = c.vec(c.i(8), packed_floats(H, H), "W_hh");
  if (!c.ok()) return nullptr;
  for (int j = 0; j < 4; j++) s.rowFloats[j] = H;
  par_steps(c.ctx->pool, s);
  return nullptr;
}

static napi_value js_lstm_steps_forward(napi_env env, napi_callback_info info) {
  Call c(env, info, "lstm_steps_forward");
  const int T = c.n(0, "T"), B = c.n(1, "B"), rows = c.n(2, "rows"), H = c.n(3, "H");
  Steps s{LSTM_FWD, T, B, rows, H, 4, {}, {}, 0};
  s.p[0] = c.steps(c.i(4), T, rows, B, 4 * (int64_t)H, "gates");
  s.p[1] = c.steps(c.i(5), T + 1, rows, B, H, "cAll");
  s.p[2] = c.steps(c.i(6), T, rows, B, H, "tanhC");
  s.p[3] = c.steps(c.i(7), T + 1, rows, B, H, "hAll");
  s.p[4] = c.vec(c.i(8), packed_floats(H, 4 * H), "W_hhᵀ");
  if (!c.ok()) return nullptr;
  s.rowFloats[0] = 4 * H;
  s.rowFloats[1] = s.rowFloats[2] = s.rowFloats[3] = H;
  par_steps(c.ctx->pool, s);
  return nullptr;
}

static napi_value js_lstm_steps_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "lstm_steps_backward");
  const int T = c.n(0, "T"), B = c.n(1, "B"), rows = c.n(2, "rows"), H = c.n(3, "H");
  Steps s{LSTM_BWD, T, B, rows, H, 4, {}, {}, 0};
  s.p[0] = c.steps(c.i(4), T, rows, B, 4 * (int64_t)H, "gates");
  s.p[1] = c.steps(c.i(5), T + 1, rows, B, H, "cAll");
  s.p[2] = c.steps(c.i(6), T, rows, B, H, "tanhC");
  s.p[3] = c.steps(c.i(7), T, rows, B, H, "dH");
  s.p[4] = c.vec(c.i(8), (int64_t)rows * H, "dhNext");
  s.p[5] = c.vec(c.i(9), (int64_t)rows * H, "dcNext");
  s.p[6] = c.steps(c.i(10), T, rows, B, 4 * (int64_t)H, "dGates");
  s.p[7] = c.vec(c.i(11), packed_floats(4 * H, H), "W_hh");
  if (!c.ok()) return nullptr;
  s.rowFloats[0] = s.rowFloats[6] = 4 * H;
  for (int j = 1; j < 6; j++) s.rowFloats[j] = H;
  par_steps(c.ctx->pool, s);
  return nullptr;
}

static napi_value js_ln_lstm_steps_forward(napi_env env, napi_callback_info info) {
  Call c(env, info, "ln_lstm_steps_forward");
  const int T = c.n(0, "T"), B = c.n(1, "B"), rows = c.n(2, "rows"), H = c.n(3, "H");
  Steps s{LN_LSTM_FWD, T, B, rows, H, 4, {}, {}, 0};
  s.p[0] = c.steps(c.i(4), T, rows, B, 4 * (int64_t)H, "gates");
  s.p[1] = c.steps(c.i(5), T, rows, B, 4 * (int64_t)H, "hHat");
  s.p[2] = c.steps(c.i(6), T, rows, B, 1, "rstdH");
  s.p[3] = c.steps(c.i(7), T + 1, rows, B, H, "cAll");
  s.p[4] = c.steps(c.i(8), T, rows, B, H, "cHat");
  s.p[5] = c.steps(c.i(9), T, rows, B, 1, "rstdC");
  s.p[6] = c.steps(c.i(10), T, rows, B, H, "tanhC");
  s.p[7] = c.steps(c.i(11), T + 1, rows, B, H, "hAll");
  s.p[8] = c.vec(c.i(12), 6 * (int64_t)H, "norm");
  s.p[9] = c.vec(c.i(13), packed_floats(H, 4 * H), "W_hhᵀ");
  if (!c.ok()) return nullptr;
  s.rowFloats[0] = s.rowFloats[1] = 4 * H;
  s.rowFloats[2] = s.rowFloats[5] = 1;
  s.rowFloats[3] = s.rowFloats[4] = s.rowFloats[6] = s.rowFloats[7] = H;
  par_steps(c.ctx->pool, s);
  return nullptr;
}

static napi_value js_ln_lstm_steps_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "ln_lstm_steps_backward");
  const int T = c.n(0, "T"), B = c.n(1, "B"), rows = c.n(2, "rows"), H = c.n(3, "H");
  Steps s{LN_LSTM_BWD, T, B, rows, H, 4, {}, {}, 0};
  s.p[0] = c.steps(c.i(4), T, rows, B, 4 * (int64_t)H, "gates");
  s.p[1] = c.steps(c.i(5), T, rows, B, 4 * (int64_t)H, "hHat");
  s.p[2] = c.steps(c.i(6), T, rows, B, 1, "rstdH");
  s.p[3] = c.steps(c.i(7), T + 1, rows, B, H, "cAll");
  s.p[4] = c.steps(c.i(8), T, rows, B, H, "cHat");
  s.p[5] = c.steps(c.i(9), T, rows, B, 1, "rstdC");
  s.p[6] = c.steps(c.i(10), T, rows, B, H, "tanhC");
  s.p[7] = c.vec(c.i(11), 6 * (int64_t)H, "norm");
  s.p[8] = c.steps(c.i(12), T, rows, B, H, "dH");
  s.p[9] = c.vec(c.i(13), (int64_t)rows * H, "dhNext");
  s.p[10] = c.vec(c.i(14), (int64_t)rows * H, "dcNext");
  s.p[11] = c.steps(c.i(15), T, rows, B, 4 * (int64_t)H, "dGates");
  s.p[12] = c.steps(c.i(16), T, rows, B, 4 * (int64_t)H, "dGh");
  s.p[13] = c.steps(c.i(17), T, rows, B, H, "dZc");
  s.p[14] = c.vec(c.i(18), packed_floats(4 * H, H), "W_hh");
  if (!c.ok()) return nullptr;
  s.rowFloats[0] = s.rowFloats[1] = s.rowFloats[11] = s.rowFloats[12] = 4 * H;
  s.rowFloats[2] = s.rowFloats[5] = 1;
  s.rowFloats[3] = s.rowFloats[4] = s.rowFloats[6] = s.rowFloats[8] = s.rowFloats[9] = s.rowFloats[10] = s.rowFloats[13] = H;
  par_steps(c.ctx->pool, s);
  return nullptr;
}

static napi_value js_gru_steps_forward(napi_env env, napi_callback_info info) {
  Call c(env, info, "gru_steps_forward");
  const int T = c.n(0, "T"), B = c.n(1, "B"), rows = c.n(2, "rows"), H = c.n(3, "H"), G = gate_count(c, 4);
  const int A = G == 3 ? 2 * H : G * H;
  Steps s{GRU_FWD, T, B, rows, H, G, {}, {}, 0};
  s.p[0] = c.steps(c.i(5), T, rows, B, (int64_t)G * H, "gates");
  s.p[1] = c.steps(c.i(6), T + 1, rows, B, H, "hAll");
  s.p[2] = G == 3 ? c.steps(c.i(7), T, rows, B, H, "rh") : nullptr;
  s.p[3] = c.vec(c.i(8), packed_floats(H, A), "W_hAᵀ");
  s.p[4] = G == 3 ? c.vec(c.i(9), packed_floats(H, H), "W_hnᵀ") : nullptr;
  if (!c.ok()) return nullptr;
  s.rowFloats[0] = (int64_t)G * H;
  s.rowFloats[1] = s.rowFloats[2] = H;
  par_steps(c.ctx->pool, s);
  return nullptr;
}

static napi_value js_gru_steps_backward(napi_env env, napi_callback_info info) {
  Call c(env, info, "gru_steps_backward");
  const int T = c.n(0, "T"), B = c.n(1, "B"), rows = c.n(2, "rows"), H = c.n(3, "H"), G = gate_count(c, 4);
  const int A = G == 3 ? 2 * H : G * H;
  Steps s{GRU_BWD, T, B, rows, H, G, {}, {}, 0};
  s.p[0] = c.steps(c.i(5), T, rows, B, (int64_t)G * H, "gates");
  s.p[1] = c.steps(c.i(6), T + 1, rows, B, H, "hAll");
  s.p[2] = c.steps(c.i(7), T, rows, B, H, "dH");
  s.p[3] = c.vec(c.i(8), (int64_t)rows * H, "dhNext");
  s.p[4] = G == 3 ? c.vec(c.i(9), (int64_t)rows * H, "drh") : nullptr;
  s.p[5] = c.steps(c.i(10), T, rows, B, (int64_t)G * H, "dGates");
  s.p[6] = c.vec(c.i(11), packed_floats(A, H), "W_hA");
  s.p[7] = G == 3 ? c.vec(c.i(12), packed_floats(H, H), "W_hn") : nullptr;
  if (!c.ok()) return nullptr;
  s.rowFloats[0] = s.rowFloats[5] = (int64_t)G * H;
  s.rowFloats[1] = s.rowFloats[2] = s.rowFloats[3] = s.rowFloats[4] = H;
  par_steps(c.ctx->pool, s);
  return nullptr;
}

// --- loss and optimisers ---

/** Grow a context-owned buffer to n elements of `size` bytes; false when out of memory. */
static bool reserve(void** buf, int64_t* cap, int64_t n, size_t size) {
  if (n <= *cap) return true;
  free(*buf);
  *buf = malloc((size_t)(n > 0 ? n : 1) * size);
  *cap = *buf ? n : 0;
  return *buf != nullptr;
}

/** A copy of y[0, N), each in [0, V): the kernels index with them, and their output may alias them. */
static const int32_t* targets(Call& c, int64_t at, int N, int V) {
  const int32_t* y = (const int32_t*)c.span(at, N, 4, "y");
  Ctx* ctx = c.ctx;
  if (!y) return nullptr;
  if (!reserve((void**)&ctx->ys, &ctx->yCap, N, 4)) {
    c.fail("memory", "out of memory");
    return nullptr;
  }
  for (int p = 0; p < N; p++) {
    if (y[p] < 0 || y[p] >= V) {
      c.fail("y", "a target outside the vocabulary");
      return nullptr;
    }
    ctx->ys[p] = y[p];
  }
  return ctx->ys;
}

static napi_value js_softmax_xent(napi_env env, napi_callback_info info) {
  Call c(env, info, "softmax_xent");
  const int N = c.n(0, "N"), V = c.n(1, "V");
  const float* logits = c.vec(c.i(2), (int64_t)N * V, "logits");
  const int32_t* y = targets(c, c.i(3), N, V);
  float* d = c.vec(c.i(4), (int64_t)N * V, "dlogits");
  if (!c.ok()) return nullptr;
  return num(env, softmax_xent(N, V, logits, y, d));
}

static napi_value js_log_probs(napi_env env, napi_callback_info info) {
  Call c(env, info, "log_probs");
  const int N = c.n(0, "N"), V = c.n(1, "V");
  const float* logits = c.vec(c.i(2), (int64_t)N * V, "logits");
  const int32_t* y = targets(c, c.i(3), N, V);
  double* out = (double*)c.span(c.i(4), N, 8, "out");
  Ctx* ctx = c.ctx;
  if (!c.bad && !reserve((void**)&ctx->row, &ctx->rowCap, V, 4)) c.fail("memory", "out of memory");
  if (!c.ok()) return nullptr;
  log_probs(N, V, logits, y, out, ctx->row);
  return nullptr;
}

static napi_value js_adam_update(napi_env env, napi_callback_info info) {
  Call c(env, info, "adam_update");
  const int n = c.n(0, "n");
  float* w = c.vec(c.i(1), n, "w");
  const float* g = c.vec(c.i(2), n, "g");
  float* m = c.vec(c.i(3), n, "m");
  float* v = c.vec(c.i(4), n, "v");
  const float b1 = c.f(5), b2 = c.f(6), eps = c.f(7), s = c.f(8), sqrtC2 = c.f(9);
  if (!c.ok()) return nullptr;
  adam_update(n, w, g, m, v, b1, b2, eps, s, sqrtC2);
  return nullptr;
}

static napi_value js_adagrad_update(napi_env env, napi_callback_info info) {
  Call c(env, info, "adagrad_update");
  const int n = c.n(0, "n");
  float* w = c.vec(c.i(1), n, "w");
  const float* g = c.vec(c.i(2), n, "g");
  float* m = c.vec(c.i(3), n, "m");
  const float lr = c.f(4), eps = c.f(5);
  if (!c.ok()) return nullptr;
  adagrad_update(n, w, g, m, lr, eps);
  return nullptr;
}

// --- the context ---

/** The memory's base and size from a typed array over all of it. */
static bool bind(napi_env env, napi_value view, Ctx* ctx) {
  napi_typedarray_type type;
  size_t length, offset;
  void* data = nullptr;
  napi_value ab;
  if (napi_get_typedarray_info(env, view, &type, &length, &data, &ab, &offset) != napi_ok || type != napi_uint8_array || offset != 0) {
    napi_throw_type_error(env, "ERR_RNN_NATIVE", "native kernels: expected a Uint8Array over the whole memory");
    return false;
  }
  ctx->base = (uint8_t*)data;
  ctx->size = (int64_t)length;
  return true;
}

static napi_value js_resize(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void* data;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  bind(env, argv[0], (Ctx*)data);
  return nullptr;
}

static void release(Ctx* ctx) {
  pool_destroy(ctx->pool);
  ctx->pool = nullptr;
  free(ctx->row);
  free(ctx->ys);
  ctx->row = nullptr;
  ctx->ys = nullptr;
  ctx->rowCap = ctx->yCap = 0;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  void* data;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  release((Ctx*)data);
  return nullptr;
}

static void finalize(napi_env, void* data, void*) {
  release((Ctx*)data);
  free(data);
}

struct Fn { const char* name; napi_callback cb; };
static const Fn FNS[] = {
  {"gemm", js_gemm}, {"packedFloats", js_packed_floats}, {"pack_b", js_pack_b},
  {"lstm_forward", js_lstm_forward}, {"lstm_backward", js_lstm_backward},
  {"layer_norm_forward", js_layer_norm_forward}, {"layer_norm_backward", js_layer_norm_backward}, {"column_dots", js_column_dots},
  {"ln_lstm_forward", js_ln_lstm_forward}, {"ln_lstm_backward", js_ln_lstm_backward},
  {"tanh_forward", js_tanh_forward}, {"tanh_backward", js_tanh_backward},
  {"gru_forward_rz", js_gru_forward_rz}, {"gru_out", js_gru_out}, {"gru_out_backward", js_gru_out_backward},
  {"gru_backward_r", js_gru_backward_r},
  {"rnn_tanh_steps_forward", js_rnn_tanh_steps_forward}, {"rnn_tanh_steps_backward", js_rnn_tanh_steps_backward},
  {"lstm_steps_forward", js_lstm_steps_forward}, {"lstm_steps_backward", js_lstm_steps_backward},
  {"ln_lstm_steps_forward", js_ln_lstm_steps_forward}, {"ln_lstm_steps_backward", js_ln_lstm_steps_backward},
  {"gru_steps_forward", js_gru_steps_forward}, {"gru_steps_backward", js_gru_steps_backward},
  {"softmax_xent", js_softmax_xent}, {"log_probs", js_log_probs},
  {"adam_update", js_adam_update}, {"adagrad_update", js_adagrad_update},
  {"resize", js_resize}, {"close", js_close},
};

/** create(memoryView: Uint8Array, threads[, parallelFlops]): a kernel context over that memory with its own threads. */
static napi_value js_create(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double flops = PARALLEL_FLOPS;
  if (argc >= 3 && napi_get_value_double(env, argv[2], &flops) != napi_ok) flops = PARALLEL_FLOPS;
  int32_t threads = 1;
  if (argc < 2 || napi_get_value_int32(env, argv[1], &threads) != napi_ok || threads < 1 || threads > 256) {
    napi_throw_range_error(env, "ERR_RNN_NATIVE", "native kernels: threads must be 1 to 256");
    return nullptr;
  }
  Ctx* ctx = (Ctx*)calloc(1, sizeof(Ctx));
  if (!ctx || !bind(env, argv[0], ctx) || !(ctx->pool = pool_create(threads))) {
    if (ctx && ctx->base) napi_throw_error(env, "ERR_RNN_NATIVE", "native kernels: out of memory");
    free(ctx);
    return nullptr;
  }
  ctx->parallelFlops = flops;
  napi_value obj;
  napi_create_object(env, &obj);
  for (const Fn& f : FNS) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, ctx, &fn);
    napi_set_named_property(env, obj, f.name, fn);
  }
  napi_set_named_property(env, obj, "threads", num(env, pool_threads(ctx->pool)));
  napi_add_finalizer(env, obj, ctx, finalize, nullptr, nullptr);
  return obj;
}

NAPI_MODULE_INIT() {
  napi_value create, isa;
  napi_create_function(env, "create", NAPI_AUTO_LENGTH, js_create, nullptr, &create);
  napi_set_named_property(env, exports, "create", create);
  napi_create_string_utf8(env, RNN_ISA, NAPI_AUTO_LENGTH, &isa);
  napi_set_named_property(env, exports, "isa", isa);
  napi_set_named_property(env, exports, "vectorBits", num(env, VL * 32));
  return exports;
}
