import type { Vec } from '../types.js';
import type { Kernels } from './ops.js';
import type { WasmExports } from './wasm-api.js';
import type { StepsOps } from './wasm-steps.js';

/** The element-wise ops the WebAssembly backend overrides (GEMM and the recurrences live elsewhere). */
export type FusedOverrides = Partial<Omit<Kernels, 'name' | 'description' | 'dtype' | 'alloc' | 'memoryLimit' | 'close'
  | 'gemm' | 'packB' | 'gemmPacked' | 'gemmLater' | 'sync'
  | keyof StepsOps>>;

/** Positions from which the one-hot gather/scatter goes through a transposed W_ih. */
const TRANSPOSE_FROM = 64;

/**
 * Fused element-wise kernels in WebAssembly SIMD, over the reference ops of `js`. Each runs when
 * every float32 buffer it is given is this kernel set's (one guard, `guarded`), and handles the
 * common case (H a multiple of 4, no peepholes); otherwise it is the reference op.
 */
export function createWasmFused(
  ex: WasmExports, own: (x: Vec) => x is Float32Array, allocBytes: (n: number) => number, buffer: () => ArrayBufferLike, js: Kernels,
): FusedOverrides {
  /** `fast` when every Float32Array argument is this kernel set's, else `ref`. */
  const guarded = <A extends unknown[], R>(ref: (...a: A) => R, fast: (...a: A) => R) => (...a: A): R => {
    for (let i = 0; i < a.length; i++) { // an index loop: no closure per call on the hot path
      const x = a[i];
      if (x instanceof Float32Array && !own(x)) return ref(...a);
    }
    return fast(...a);
  };
  const at = (x: Vec, off: number): number => x.byteOffset + off * 4;
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
  let lpAt = 0;
  let lpCap = 0;

  return {
    // --- LSTM (no peepholes, H % 4 == 0) ---
    lstmForward: guarded(js.lstmForward, (B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wci, wcf, wco) => {
      if (wci || wcf || wco || (H & 3) !== 0) return js.lstmForward(B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wci, wcf, wco);
      ex.lstm_forward(B, H, at(gates, gOff), at(c, cOff), at(c, cOff + B * H), at(tanhC, tcOff), at(h, hOff));
    }),
    lstmBackward: guarded(js.lstmBackward, (B, H, gates, gOff, c, cOff, tanhC, tcOff, dH, dHOff, dhNext, dcNext, dGates, dOff, wci, wcf, wco) => {
      if (wci || wcf || wco || (H & 3) !== 0) return js.lstmBackward(B, H, gates, gOff, c, cOff, tanhC, tcOff, dH, dHOff, dhNext, dcNext, dGates, dOff, wci, wcf, wco);
      ex.lstm_backward(B, H, at(gates, gOff), at(c, cOff), at(tanhC, tcOff), at(dH, dHOff), at(dhNext, 0), at(dcNext, 0), at(dGates, dOff));
    }),

    // --- layer normalisation and the layer-normalised LSTM (rows of a multiple of 4) ---
    layerNormForward: guarded(js.layerNormForward, (P, n, z, rstd, gain, bias, y) => {
      if ((n & 3) !== 0) return js.layerNormForward(P, n, z, rstd, gain, bias, y);
      ex.layer_norm_forward(P, n, at(z, 0), at(rstd, 0), at(gain, 0), at(bias, 0), at(y, 0));
    }),
    layerNormBackward: guarded(js.layerNormBackward, (P, n, dy, zHat, rstd, gain, dz) => {
      if ((n & 3) !== 0) return js.layerNormBackward(P, n, dy, zHat, rstd, gain, dz);
      ex.layer_norm_backward(P, n, at(dy, 0), at(zHat, 0), at(rstd, 0), at(gain, 0), at(dz, 0));
    }),
    columnDots: guarded(js.columnDots, (P, n, a, b, out) => {
      if ((n & 3) !== 0) return js.columnDots(P, n, a, b, out);
      ex.column_dots(P, n, at(a, 0), at(b, 0), at(out, 0));
    }),
    lnLstmForward: guarded(js.lnLstmForward, (t, B, H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, hAll, norm) => {
      if ((H & 3) !== 0) return js.lnLstmForward(t, B, H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, hAll, norm);
      const p = t * B, g = p * 4 * H, o = p * H;
      ex.ln_lstm_forward(B, H, at(gates, g), at(hHat, g), at(rstdH, p), at(cAll, o), at(cAll, o + B * H), at(cHat, o), at(rstdC, p),
        at(tanhC, o), at(hAll, o + B * H), at(norm, 0));
    }),
    lnLstmBackward: guarded(js.lnLstmBackward, (t, B, H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, norm, dH, dHOff, dhNext, dcNext, dGates, dGh, dZc) => {
      if ((H & 3) !== 0) return js.lnLstmBackward(t, B, H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, norm, dH, dHOff, dhNext, dcNext, dGates, dGh, dZc);
      const p = t * B, g = p * 4 * H, o = p * H;
      ex.ln_lstm_backward(B, H, at(gates, g), at(hHat, g), at(rstdH, p), at(cAll, o), at(cHat, o), at(rstdC, p), at(tanhC, o), at(norm, 0),
        at(dH, dHOff + o), at(dhNext, 0), at(dcNext, 0), at(dGates, g), at(dGh, g), at(dZc, o));
    }),

    // --- tanh RNN: the first n & ~3 in SIMD, the rest by the reference ---
    rnnTanhForward: guarded(js.rnnTanhForward, (n, a, aOff, h, hOff) => {
      const n4 = n & ~3;
      ex.tanh_forward(n4, at(a, aOff), at(h, hOff));
      if (n4 < n) js.rnnTanhForward(n - n4, a, aOff + n4, h, hOff + n4);
    }),
    rnnTanhBackward: guarded(js.rnnTanhBackward, (n, h, hOff, dH, dHOff, dhNext, dA, dAOff) => {
      const n4 = n & ~3;
      ex.tanh_backward(n4, at(h, hOff), at(dH, dHOff), at(dhNext, 0), at(dA, dAOff));
      for (let j = n4; j < n; j++) {
        const hj = h[hOff + j]!;
        dA[dAOff + j] = (dH[dHOff + j]! + dhNext[j]!) * (1 - hj * hj);
      }
    }),

    // --- loss ---
    softmaxXent: guarded(js.softmaxXent, (N, V, logits, y, dlogits) => ex.softmax_xent(N, V, at(logits, 0), ints(y, N), at(dlogits, 0)) / N),
    logProbs: guarded(js.logProbs, (N, V, logits, y, out) => {
      if (lpCap < N) {
        lpCap = Math.max(N, 2 * lpCap);
        lpAt = allocBytes(lpCap * 8);
      }
      ex.log_probs(N, V, at(logits, 0), ints(y, N), lpAt);
      out.set(new Float64Array(buffer(), lpAt, N));
    }),

    // --- GRU (H % 4 == 0) ---
    gruForwardRz: guarded(js.gruForwardRz, (B, H, gates, gOff, h, hOff, rh, rhOff) => {
      if ((H & 3) !== 0) return js.gruForwardRz(B, H, gates, gOff, h, hOff, rh, rhOff);
      ex.gru_forward_rz(B, H, at(gates, gOff), at(h, hOff), at(rh, rhOff));
    }),
    gruForwardN: guarded(js.gruForwardN, (B, H, gates, gOff, h, hOff) => {
      if ((H & 3) !== 0) return js.gruForwardN(B, H, gates, gOff, h, hOff);
      ex.gru_out(B, H, 3, 0, at(gates, gOff), at(h, hOff), at(h, hOff + B * H));
    }),
    gruMinimalForward: guarded(js.gruMinimalForward, (B, H, gates, gOff, h, hOff) => {
      if ((H & 3) !== 0) return js.gruMinimalForward(B, H, gates, gOff, h, hOff);
      ex.gru_out(B, H, 2, 1, at(gates, gOff), at(h, hOff), at(h, hOff + B * H));
    }),
    gruBackwardN: guarded(js.gruBackwardN, (B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff) => {
      if ((H & 3) !== 0) return js.gruBackwardN(B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff);
      ex.gru_out_backward(B, H, 3, at(gates, gOff), at(h, hOff), at(dH, dHOff), at(dhNext, 0), at(dGates, dOff));
    }),
    gruMinimalBackward: guarded(js.gruMinimalBackward, (B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff) => {
      if ((H & 3) !== 0) return js.gruMinimalBackward(B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff);
      ex.gru_out_backward(B, H, 2, at(gates, gOff), at(h, hOff), at(dH, dHOff), at(dhNext, 0), at(dGates, dOff));
    }),
    gruBackwardR: guarded(js.gruBackwardR, (B, H, gates, gOff, h, hOff, drh, dhNext, dGates, dOff) => {
      if ((H & 3) !== 0) return js.gruBackwardR(B, H, gates, gOff, h, hOff, drh, dhNext, dGates, dOff);
      ex.gru_backward_r(B, H, at(gates, gOff), at(h, hOff), at(drh, 0), at(dhNext, 0), at(dGates, dOff));
    }),

    // --- whole-block glue of the cells ---
    columnSums: guarded(js.columnSums, (d, off, ld, P, n, out) => ex.column_sums(P, n, at(d, off), ld, at(out, 0))),
    gatherColumns: guarded(js.gatherColumns, (P, GH, I, W, tokens, bias, gates) => {
      const tok = ints(tokens, P);
      if (P < TRANSPOSE_FROM) return ex.gather_cols(P, GH, I, at(W, 0), tok, at(bias, 0), at(gates, 0));
      const wT = floats(GH * I);
      ex.transpose(GH, I, at(W, 0), wT); //                        W_ihᵀ (I, G·H)
      ex.gather_rows(P, GH, wT, tok, at(bias, 0), at(gates, 0));
    }),
    scatterColumns: guarded(js.scatterColumns, (P, GH, I, dG, tokens, dW) => {
      const tok = ints(tokens, P);
      if (P < TRANSPOSE_FROM) return ex.scatter_cols(P, GH, I, at(dG, 0), tok, at(dW, 0));
      const dwT = floats(GH * I);
      ex.transpose(GH, I, at(dW, 0), dwT); // the same additions in the same order, on dW_ihᵀ
      ex.scatter_rows(P, GH, at(dG, 0), tok, dwT);
      ex.transpose(I, GH, dwT, at(dW, 0));
    }),

    // --- optimiser and clipping ---
    adamUpdate: guarded(js.adamUpdate, (w, g, m, v, b1, b2, eps, stepSize, sqrtC2) =>
      ex.adam_update(w.length, at(w, 0), at(g, 0), at(m, 0), at(v, 0), b1, b2, eps, stepSize, sqrtC2)),
    adagradUpdate: guarded(js.adagradUpdate, (w, g, m, lr, eps) => ex.adagrad_update(w.length, at(w, 0), at(g, 0), at(m, 0), lr, eps)),
    sumSq: guarded(js.sumSq, (g) => ex.sum_sq(g.length, at(g, 0))),
    scale: guarded(js.scale, (g, s) => ex.scale(g.length, at(g, 0), s)),
    clipValue: guarded(js.clipValue, (g, c) => ex.clip_value(g.length, at(g, 0), c) !== 0),
  };
}
