// Whole-sequence recurrences over one block of batch rows. The rows of a batch are independent
// streams (row b of h⟨t⟩ depends only on row b of h⟨t−1⟩), so the threads split the batch into
// blocks and each runs every timestep of its block without meeting the others; its rows stay in
// its own cache. Every pointer points at the block's first row; B is the whole batch (an array's
// rows for one timestep), rows the block's. The W_hh operands are packed by pack_b (gemm tB = 2).
// Each step is the cell's stepForward / stepBackward (src/engine/cells), op for op.
import { gemm } from './gemm';
import { lstm_backward, lstm_forward, tanh_backward, tanh_forward } from './pointwise';
import { gru_backward_r, gru_forward_rz, gru_out, gru_out_backward } from './gru';
import { ln_lstm_backward, ln_lstm_forward } from './ln-lstm';

/** for t = 0…T−1:  a⟨t⟩ += h⟨t−1⟩·W_hhᵀ;  h⟨t⟩ = tanh(a⟨t⟩).   gates (T·B, H), hAll (T·B + B, H) */
export function rnn_tanh_steps_forward(T: i32, B: i32, rows: i32, H: i32, gates: usize, hAll: usize, whhT: usize, scratch: usize): void {
  const st = <usize>B * H << 2; // bytes of one timestep of a (B, H) array
  for (let t = 0; t < T; t++) {
    const a = gates + <usize>t * st, hPrev = hAll + <usize>t * st;
    gemm(0, 2, rows, H, H, hPrev, H, whhT, H, 1, a, H, scratch, 0);
    tanh_forward(rows * H, a, hPrev + st);
  }
}

/** for t = T−1…0:  da⟨t⟩ = (dH⟨t⟩ + dhNext)(1 − h⟨t⟩²);  dhNext = da⟨t⟩·W_hh. */
export function rnn_tanh_steps_backward(
  T: i32, B: i32, rows: i32, H: i32, hAll: usize, dH: usize, dhNext: usize, dGates: usize, whh: usize, scratch: usize,
): void {
  const st = <usize>B * H << 2;
  for (let t = T - 1; t >= 0; t--) {
    const da = dGates + <usize>t * st;
    tanh_backward(rows * H, hAll + <usize>(t + 1) * st, dH + <usize>t * st, dhNext, da);
    gemm(0, 2, rows, H, H, da, H, whh, H, 0, dhNext, H, scratch, 0);
  }
}

/** for t:  a⟨t⟩ += h⟨t−1⟩·W_hhᵀ  (B, 4H);  then the LSTM gates, c⟨t⟩, h⟨t⟩.   cAll is laid out like hAll. */
export function lstm_steps_forward(
  T: i32, B: i32, rows: i32, H: i32, gates: usize, cAll: usize, tanhC: usize, hAll: usize, whhT: usize, scratch: usize,
): void {
  const st = <usize>B * H << 2;
  for (let t = 0; t < T; t++) {
    const a = gates + <usize>t * 4 * st, o = <usize>t * st;
    gemm(0, 2, rows, 4 * H, H, hAll + o, H, whhT, 4 * H, 1, a, 4 * H, scratch, 0);
    lstm_forward(rows, H, a, cAll + o, cAll + o + st, tanhC + o, hAll + o + st);
  }
}

/** for t = T−1…0:  dGates⟨t⟩, dcNext from dH⟨t⟩ + dhNext;  dhNext = dGates⟨t⟩·W_hh. */
export function lstm_steps_backward(
  T: i32, B: i32, rows: i32, H: i32, gates: usize, cAll: usize, tanhC: usize, dH: usize,
  dhNext: usize, dcNext: usize, dGates: usize, whh: usize, scratch: usize,
): void {
  const st = <usize>B * H << 2;
  for (let t = T - 1; t >= 0; t--) {
    const g = <usize>t * 4 * st, o = <usize>t * st;
    lstm_backward(rows, H, gates + g, cAll + o, tanhC + o, dH + o, dhNext, dcNext, dGates + g);
    gemm(0, 2, rows, H, 4 * H, dGates + g, 4 * H, whh, H, 0, dhNext, H, scratch, 0);
  }
}

/** Layer-normalised LSTM, for t:  raw⟨t⟩ = h⟨t−1⟩·W_hhᵀ (B, 4H) into hHat;  then its step (ln-lstm.ts).   rstdH, rstdC (T·B) */
export function ln_lstm_steps_forward(
  T: i32, B: i32, rows: i32, H: i32, gates: usize, hHat: usize, rstdH: usize, cAll: usize, cHat: usize, rstdC: usize,
  tanhC: usize, hAll: usize, norm: usize, whhT: usize, scratch: usize,
): void {
  const st = <usize>B * H << 2;
  for (let t = 0; t < T; t++) {
    const g = <usize>t * 4 * st, o = <usize>t * st, r = <usize>t * B << 2;
    gemm(0, 2, rows, 4 * H, H, hAll + o, H, whhT, 4 * H, 0, hHat + g, 4 * H, scratch, 0);
    ln_lstm_forward(rows, H, gates + g, hHat + g, rstdH + r, cAll + o, cAll + o + st, cHat + o, rstdC + r, tanhC + o, hAll + o + st, norm);
  }
}

/** for t = T−1…0:  its step of BPTT (ln-lstm.ts);  dhNext = dGh⟨t⟩·W_hh. */
export function ln_lstm_steps_backward(
  T: i32, B: i32, rows: i32, H: i32, gates: usize, hHat: usize, rstdH: usize, cAll: usize, cHat: usize, rstdC: usize,
  tanhC: usize, norm: usize, dH: usize, dhNext: usize, dcNext: usize, dGates: usize, dGh: usize, dZc: usize, whh: usize, scratch: usize,
): void {
  const st = <usize>B * H << 2;
  for (let t = T - 1; t >= 0; t--) {
    const g = <usize>t * 4 * st, o = <usize>t * st, r = <usize>t * B << 2;
    ln_lstm_backward(rows, H, gates + g, hHat + g, rstdH + r, cAll + o, cHat + o, rstdC + r, tanhC + o, norm,
      dH + o, dhNext, dcNext, dGates + g, dGh + g, dZc + o);
    gemm(0, 2, rows, H, 4 * H, dGh + g, 4 * H, whh, H, 0, dhNext, H, scratch, 0);
  }
}

/**
 * GRU, G = 3 (Cho: r, z, n; whA = W_hrz, whN = W_hn) or G = 2 (minimal: z, n; whA = W_hh):
 *   a_rz += h⟨t−1⟩·W_hrzᵀ;  r, z;  rh = r⊙h⟨t−1⟩;  a_n += rh·W_hnᵀ;  n, h⟨t⟩      (Cho)
 *   a += h⟨t−1⟩·W_hhᵀ;  z, n, h⟨t⟩                                              (minimal)
 */
export function gru_steps_forward(
  T: i32, B: i32, rows: i32, H: i32, G: i32, gates: usize, hAll: usize, rh: usize, whAT: usize, whNT: usize, scratch: usize,
): void {
  const st = <usize>B * H << 2;
  const GH = G * H;
  const A = G == 3 ? 2 * H : GH;
  for (let t = 0; t < T; t++) {
    const a = gates + <usize>t * G * st, o = <usize>t * st;
    gemm(0, 2, rows, A, H, hAll + o, H, whAT, A, 1, a, GH, scratch, 0);
    if (G == 3) {
      gru_forward_rz(rows, H, a, hAll + o, rh + o);
      gemm(0, 2, rows, H, H, rh + o, H, whNT, H, 1, a + (<usize>(2 * H) << 2), GH, scratch, 0);
    }
    gru_out(rows, H, G, G == 2 ? 1 : 0, a, hAll + o, hAll + o + st);
  }
}

/**
 * for t = T−1…0 (drh (B, H) is scratch of the Cho form):
 *   da_z, da_n, dhNext = dh⊙z;  drh = da_n·W_hn;  da_r, dhNext += drh⊙r;  dhNext += da_rz·W_hrz   (Cho)
 *   da_z, da_n, dhNext = dh⊙z;  dhNext += da·W_hh                                             (minimal)
 */
export function gru_steps_backward(
  T: i32, B: i32, rows: i32, H: i32, G: i32, gates: usize, hAll: usize, dH: usize,
  dhNext: usize, drh: usize, dGates: usize, whA: usize, whN: usize, scratch: usize,
): void {
  const st = <usize>B * H << 2;
  const GH = G * H;
  const A = G == 3 ? 2 * H : GH;
  for (let t = T - 1; t >= 0; t--) {
    const g = <usize>t * G * st, o = <usize>t * st;
    gru_out_backward(rows, H, G, gates + g, hAll + o, dH + o, dhNext, dGates + g);
    if (G == 3) {
      gemm(0, 2, rows, H, H, dGates + g + (<usize>(2 * H) << 2), GH, whN, H, 0, drh, H, scratch, 0);
      gru_backward_r(rows, H, gates + g, hAll + o, drh, dhNext, dGates + g);
    }
    gemm(0, 2, rows, H, A, dGates + g, GH, whA, H, 1, dhNext, H, scratch, 0);
  }
}
