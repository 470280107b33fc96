import {
  addColumnSums, gatherColumns, scatterColumns, type ColumnSums, type GatherColumns, type ScatterColumns,
} from '../cells/cell.js';
import {
  gruBackwardN, gruBackwardR, gruForwardN, gruForwardRz, gruMinimalBackward, gruMinimalForward,
  type GruBackwardN, type GruBackwardR, type GruForwardN, type GruForwardRz,
} from '../cells/gru.js';
import { lstmBackward, lstmForward, type LstmBackward, type LstmForward } from '../cells/lstm.js';
import { rnnTanhBackward, rnnTanhForward, type RnnBackward, type RnnForward } from '../cells/rnn.js';
import { logProbs, softmaxXent, type LogProbs, type SoftmaxXent } from '../loss.js';
import type { Vec } from '../types.js';

/** The exports of the asm module (asm/index.ts). Pointers are byte addresses. */
export interface WasmExports {
  gemm(
    transA: number, transB: number, M: number, N: number, K: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number, scratch: number, col0: number,
  ): void;
  scratchBytes(): number;
  packedFloats(K: number, N: number): number;
  pack_b(transB: number, K: number, N: number, b: number, ldb: number, dst: number): void;
  lstm_forward(B: number, H: number, gates: number, cPrev: number, cNew: number, tanhC: number, h: number): void;
  lstm_backward(B: number, H: number, gates: number, cPrev: number, tanhC: number, dH: number, dhNext: number, dcNext: number, dGates: number): void;
  tanh_forward(n: number, a: number, h: number): void;
  tanh_backward(n: number, h: number, dH: number, dhNext: number, dA: number): void;
  softmax_xent(N: number, V: number, logits: number, y: number, dlogits: number): number;
  log_probs(N: number, V: number, logits: number, y: number, out: number): void;
  gru_forward_rz(B: number, H: number, gates: number, hPrev: number, rh: number): void;
  gru_out(B: number, H: number, G: number, zAct: number, gates: number, hPrev: number, hNew: number): void;
  gru_out_backward(B: number, H: number, G: number, gates: number, hPrev: number, dH: number, dhNext: number, dGates: number): void;
  gru_backward_r(B: number, H: number, gates: number, hPrev: number, drh: number, dhNext: number, dGates: number): void;
  adam_update(n: number, w: number, g: number, m: number, v: number, b1: number, b2: number, eps: number, s: number, sqrtC2: number): void;
  adagrad_update(n: number, w: number, g: number, m: number, lr: number, eps: number): void;
  sum_sq(n: number, g: number): number;
  scale(n: number, g: number, s: number): void;
  clip_value(n: number, g: number, c: number): number;
  column_sums(P: number, n: number, d: number, ld: number, out: number): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  gather_rows(P: number, n: number, wT: number, tok: number, bias: number, gates: number): void;
  scatter_rows(P: number, n: number, dG: number, tok: number, dwT: number): void;
  gather_cols(P: number, n: number, I: number, w: number, tok: number, bias: number, gates: number): void;
  scatter_cols(P: number, n: number, I: number, dG: number, tok: number, dw: number): void;
}

/**
 * Optimiser and clipping ops (src/train/optimizers.ts, clip.ts). Each returns false (sum_sq: −1)
 * when it cannot take the buffers (not from this kernel set); the caller then runs its reference.
 */
export type AdamUpdate = (w: Vec, g: Vec, m: Vec, v: Vec, b1: number, b2: number, eps: number, stepSize: number, sqrtC2: number) => boolean;
export type AdagradUpdate = (w: Vec, g: Vec, m: Vec, lr: number, eps: number) => boolean;
export type SumSq = (g: Vec) => number;
export type Scale = (g: Vec, s: number) => boolean;
/** Returns null when it cannot take the buffer, else whether anything was clipped. */
export type ClipValue = (g: Vec, c: number) => boolean | null;

/** Positions from which the one-hot gather/scatter goes through a transposed W_ih. */
const TRANSPOSE_FROM = 64;

/**
 * Fused element-wise kernels in WebAssembly SIMD, keyed by the names the cells and loss.ts look
 * up in `kernels.fused`. Each handles the common case (buffers from this kernel set, H a multiple
 * of 4, no peepholes) and otherwise calls the reference implementation next to the cell.
 */
export function createWasmFused(
  ex: WasmExports, own: (x: Vec) => x is Float32Array, allocBytes: (n: number) => number, buffer: () => ArrayBufferLike,
): Readonly<Record<string, (...args: never[]) => unknown>> {
  const at = (x: Float32Array, off: number): number => x.byteOffset + off * 4;
  let yAt = 0;
  let yCap = 0;
  /** Byte address of a copy of ids[0, N) in linear memory (one scratch area, reused). */
  const ints = (ids: Int32Array, N: number): number => {
    if (yCap < N) {
      yCap = Math.max(N, 2 * yCap);
      yAt = allocBytes(yCap * 4);
    }
    new Int32Array(buffer(), yAt, N).set(ids.subarray(0, N));
    return yAt;
  };
  let tAt = 0;
  let tCap = 0;
  /** Byte address of a scratch area of n floats (for W_ihᵀ). */
  const floats = (n: number): number => {
    if (tCap < n) {
      tCap = n;
      tAt = allocBytes(n * 4);
    }
    return tAt;
  };
  const lstm_forward: LstmForward = (B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wci, wcf, wco) => {
    if (wci || wcf || wco || (H & 3) !== 0 || !own(gates) || !own(c) || !own(tanhC) || !own(h)) {
      lstmForward(B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wci, wcf, wco);
      return;
    }
    ex.lstm_forward(B, H, at(gates, gOff), at(c, cOff), at(c, cOff + B * H), at(tanhC, tcOff), at(h, hOff));
  };
  const lstm_backward: LstmBackward = (B, H, gates, gOff, c, cOff, tanhC, tcOff, dH, dHOff, dhNext, dcNext, dGates, dOff, wci, wcf, wco) => {
    if (wci || wcf || wco || (H & 3) !== 0 || !own(gates) || !own(c) || !own(tanhC) || !own(dH) || !own(dhNext) || !own(dcNext) || !own(dGates)) {
      lstmBackward(B, H, gates, gOff, c, cOff, tanhC, tcOff, dH, dHOff, dhNext, dcNext, dGates, dOff, wci, wcf, wco);
      return;
    }
    ex.lstm_backward(B, H, at(gates, gOff), at(c, cOff), at(tanhC, tcOff), at(dH, dHOff), at(dhNext, 0), at(dcNext, 0), at(dGates, dOff));
  };
  const rnn_tanh_forward: RnnForward = (n, a, aOff, h, hOff) => {
    const n4 = n & ~3;
    if (own(a) && own(h)) ex.tanh_forward(n4, at(a, aOff), at(h, hOff));
    else rnnTanhForward(n4, a, aOff, h, hOff);
    if (n4 < n) rnnTanhForward(n - n4, a, aOff + n4, h, hOff + n4);
  };
  const rnn_tanh_backward: RnnBackward = (n, h, hOff, dH, dHOff, dhNext, dA, dAOff) => {
    const n4 = n & ~3;
    if (own(h) && own(dH) && own(dhNext) && own(dA)) ex.tanh_backward(n4, at(h, hOff), at(dH, dHOff), at(dhNext, 0), at(dA, dAOff));
    else rnnTanhBackward(n4, h, hOff, dH, dHOff, dhNext, dA, dAOff);
    for (let j = n4; j < n; j++) {
      const hj = h[hOff + j]!;
      dA[dAOff + j] = (dH[dHOff + j]! + dhNext[j]!) * (1 - hj * hj);
    }
  };
  const softmax_xent: SoftmaxXent = (N, V, logits, y, dlogits) => {
    if (!own(logits) || !own(dlogits)) return softmaxXent(N, V, logits, y, dlogits);
    return ex.softmax_xent(N, V, at(logits, 0), ints(y, N), at(dlogits, 0)) / N;
  };
  let lpAt = 0;
  let lpCap = 0;
  const log_probs: LogProbs = (N, V, logits, y, out) => {
    if (!own(logits)) return logProbs(N, V, logits, y, out);
    if (lpCap < N) {
      lpCap = Math.max(N, 2 * lpCap);
      lpAt = allocBytes(lpCap * 8);
    }
    ex.log_probs(N, V, at(logits, 0), ints(y, N), lpAt);
    out.set(new Float64Array(buffer(), lpAt, N));
  };

  // --- GRU (H % 4 == 0) ---
  const gru_forward_rz: GruForwardRz = (B, H, gates, gOff, h, hOff, rh, rhOff) => {
    if ((H & 3) !== 0 || !own(gates) || !own(h) || !own(rh)) return gruForwardRz(B, H, gates, gOff, h, hOff, rh, rhOff);
    ex.gru_forward_rz(B, H, at(gates, gOff), at(h, hOff), at(rh, rhOff));
  };
  const gruOut = (G: number, ref: GruForwardN): GruForwardN => (B, H, gates, gOff, h, hOff) => {
    if ((H & 3) !== 0 || !own(gates) || !own(h)) return ref(B, H, gates, gOff, h, hOff);
    ex.gru_out(B, H, G, G === 2 ? 1 : 0, at(gates, gOff), at(h, hOff), at(h, hOff + B * H));
  };
  const gruOutBackward = (G: number, ref: GruBackwardN): GruBackwardN => (B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff) => {
    if ((H & 3) !== 0 || !own(gates) || !own(h) || !own(dH) || !own(dhNext) || !own(dGates)) {
      return ref(B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff);
    }
    ex.gru_out_backward(B, H, G, at(gates, gOff), at(h, hOff), at(dH, dHOff), at(dhNext, 0), at(dGates, dOff));
  };
  const gru_backward_r: GruBackwardR = (B, H, gates, gOff, h, hOff, drh, dhNext, dGates, dOff) => {
    if ((H & 3) !== 0 || !own(gates) || !own(h) || !own(drh) || !own(dhNext) || !own(dGates)) {
      return gruBackwardR(B, H, gates, gOff, h, hOff, drh, dhNext, dGates, dOff);
    }
    ex.gru_backward_r(B, H, at(gates, gOff), at(h, hOff), at(drh, 0), at(dhNext, 0), at(dGates, dOff));
  };

  // --- whole-block glue of the cells ---
  const column_sums: ColumnSums = (d, off, ld, P, n, out) => {
    if (!own(d) || !own(out)) return addColumnSums(d, off, ld, P, n, out);
    ex.column_sums(P, n, at(d, off), ld, at(out, 0));
  };
  const gather_columns: GatherColumns = (P, GH, I, W, tokens, bias, gates) => {
    if (!own(W) || !own(bias) || !own(gates)) return gatherColumns(P, GH, I, W, tokens, bias, gates);
    const tok = ints(tokens, P);
    if (P < TRANSPOSE_FROM) return ex.gather_cols(P, GH, I, at(W, 0), tok, at(bias, 0), at(gates, 0));
    const wT = floats(GH * I);
    ex.transpose(GH, I, at(W, 0), wT); //                        W_ihᵀ (I, G·H)
    ex.gather_rows(P, GH, wT, tok, at(bias, 0), at(gates, 0));
  };
  const scatter_columns: ScatterColumns = (P, GH, I, dG, tokens, dW) => {
    if (!own(dG) || !own(dW)) return scatterColumns(P, GH, I, dG, tokens, dW);
    const tok = ints(tokens, P);
    if (P < TRANSPOSE_FROM) return ex.scatter_cols(P, GH, I, at(dG, 0), tok, at(dW, 0));
    const dwT = floats(GH * I);
    ex.transpose(GH, I, at(dW, 0), dwT); // the same additions in the same order, on dW_ihᵀ
    ex.scatter_rows(P, GH, at(dG, 0), tok, dwT);
    ex.transpose(I, GH, dwT, at(dW, 0));
  };

  // --- optimiser and clipping ---
  const adam_update: AdamUpdate = (w, g, m, v, b1, b2, eps, stepSize, sqrtC2) => {
    if (!own(w) || !own(g) || !own(m) || !own(v)) return false;
    ex.adam_update(w.length, at(w, 0), at(g, 0), at(m, 0), at(v, 0), b1, b2, eps, stepSize, sqrtC2);
    return true;
  };
  const adagrad_update: AdagradUpdate = (w, g, m, lr, eps) => {
    if (!own(w) || !own(g) || !own(m)) return false;
    ex.adagrad_update(w.length, at(w, 0), at(g, 0), at(m, 0), lr, eps);
    return true;
  };
  const sum_sq: SumSq = (g) => (own(g) ? ex.sum_sq(g.length, at(g, 0)) : -1);
  const scale: Scale = (g, s) => {
    if (!own(g)) return false;
    ex.scale(g.length, at(g, 0), s);
    return true;
  };
  const clip_value: ClipValue = (g, c) => (own(g) ? ex.clip_value(g.length, at(g, 0), c) !== 0 : null);

  return {
    lstm_forward, lstm_backward, rnn_tanh_forward, rnn_tanh_backward, softmax_xent, log_probs,
    gru_forward_rz, gru_forward_n: gruOut(3, gruForwardN), gru_minimal_forward: gruOut(2, gruMinimalForward),
    gru_backward_n: gruOutBackward(3, gruBackwardN), gru_minimal_backward: gruOutBackward(2, gruMinimalBackward), gru_backward_r,
    column_sums, gather_columns, scatter_columns,
    adam_update, adagrad_update, sum_sq, scale, clip_value,
  };
}

/**
 * The little of the WebAssembly JS API used here (the project's tsconfig has no DOM lib and
 * @types/node 20 does not declare it).
 */
export interface WasmModule { readonly __wasmModule?: never }
export interface WasmMemory { readonly buffer: ArrayBufferLike; grow(pages: number): number }
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
