/** The asm module's exports and the little of the WebAssembly JS API that the WebAssembly backend uses. */

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
  layer_norm_forward(P: number, n: number, z: number, rstd: number, gain: number, bias: number, y: number): void;
  layer_norm_backward(P: number, n: number, dy: number, zHat: number, rstd: number, gain: number, dz: number): void;
  column_dots(P: number, n: number, a: number, b: number, out: number): void;
  ln_lstm_forward(
    rows: number, H: number, gates: number, hHat: number, rstdH: number, cPrev: number, cNew: number, cHat: number, rstdC: number,
    tanhC: number, h: number, norm: number,
  ): void;
  ln_lstm_backward(
    rows: number, H: number, gates: number, hHat: number, rstdH: number, cPrev: number, cHat: number, rstdC: number, tanhC: number, norm: number,
    dH: number, dhNext: number, dcNext: number, dGates: number, dGh: number, dZc: number,
  ): void;
  // the whole recurrences over `rows` rows of a batch of B (asm/steps.ts)
  rnn_tanh_steps_forward(T: number, B: number, rows: number, H: number, gates: number, hAll: number, whhT: number, scratch: number): void;
  rnn_tanh_steps_backward(T: number, B: number, rows: number, H: number, hAll: number, dH: number, dhNext: number, dGates: number, whh: number, scratch: number): void;
  lstm_steps_forward(T: number, B: number, rows: number, H: number, gates: number, cAll: number, tanhC: number, hAll: number, whhT: number, scratch: number): void;
  lstm_steps_backward(
    T: number, B: number, rows: number, H: number, gates: number, cAll: number, tanhC: number, dH: number,
    dhNext: number, dcNext: number, dGates: number, whh: number, scratch: number,
  ): void;
  ln_lstm_steps_forward(
    T: number, B: number, rows: number, H: number, gates: number, hHat: number, rstdH: number, cAll: number, cHat: number, rstdC: number,
    tanhC: number, hAll: number, norm: number, whhT: number, scratch: number,
  ): void;
  ln_lstm_steps_backward(
    T: number, B: number, rows: number, H: number, gates: number, hHat: number, rstdH: number, cAll: number, cHat: number, rstdC: number,
    tanhC: number, norm: number, dH: number, dhNext: number, dcNext: number, dGates: number, dGh: number, dZc: number, whh: number, scratch: number,
  ): void;
  gru_steps_forward(T: number, B: number, rows: number, H: number, G: number, gates: number, hAll: number, rh: number, whAT: number, whNT: number, scratch: number): void;
  gru_steps_backward(
    T: number, B: number, rows: number, H: number, G: number, gates: number, hAll: number, dH: number,
    dhNext: number, drh: number, dGates: number, whA: number, whN: number, scratch: number,
  ): void;
}

/**
 * The little of the WebAssembly JS API used here (the project's tsconfig has no DOM lib and
 * @types/node 20 does not declare it).
 */
export interface WasmModule { readonly __wasmModule?: never }
export interface WasmMemory { readonly buffer: ArrayBufferLike; grow(pages: number): number }
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(m: WasmModule, imports: object): Promise<{ exports: unknown }>;
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
