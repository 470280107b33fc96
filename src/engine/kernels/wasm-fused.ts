import { lstmBackward, lstmForward, type LstmBackward, type LstmForward } from '../cells/lstm.js';
import { rnnTanhBackward, rnnTanhForward, type RnnBackward, type RnnForward } from '../cells/rnn.js';
import { softmaxXent, type SoftmaxXent } from '../loss.js';
import type { Vec } from '../types.js';

/** The exports of the asm module (asm/index.ts). Pointers are byte addresses. */
export interface WasmExports {
  gemm(
    transA: number, transB: number, M: number, N: number, K: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number, scratch: number,
  ): void;
  scratchBytes(): number;
  lstm_forward(B: number, H: number, gates: number, cPrev: number, cNew: number, tanhC: number, h: number): void;
  lstm_backward(B: number, H: number, gates: number, cPrev: number, tanhC: number, dH: number, dhNext: number, dcNext: number, dGates: number): void;
  tanh_forward(n: number, a: number, h: number): void;
  tanh_backward(n: number, h: number, dH: number, dhNext: number, dA: number): void;
  softmax_xent(N: number, V: number, logits: number, y: number, dlogits: number): number;
}

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
    if (yCap < N) {
      yCap = Math.max(N, 2 * yCap);
      yAt = allocBytes(yCap * 4);
    }
    new Int32Array(buffer(), yAt, N).set(y.subarray(0, N));
    return ex.softmax_xent(N, V, at(logits, 0), yAt, at(dlogits, 0)) / N;
  };
  return { lstm_forward, lstm_backward, rnn_tanh_forward, rnn_tanh_backward, softmax_xent };
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
