import { STEP_FNS } from './pool-jobs.js';
import type { WasmExports } from './wasm-api.js';

/**
 * The native kernels (native/, a Node-API addon built by `npm ci` where there is a compiler): the
 * asm module's hot exports in C++ at the host's vector width (AVX-512, AVX2 or NEON), run on the
 * WebAssembly backend's own linear memory, so that the two share every buffer and a step never
 * copies one. No Node API here: native-node.ts loads the addon.
 */
export interface NativeAddon {
  /**
   * A kernel context over `memory` (a view of all of a shared WebAssembly memory) with `threads`
   * threads, sharing GEMMs of at least `parallelFlops` (2·M·N·K; default ~1 MFLOP).
   */
  create(memory: Uint8Array, threads: number, parallelFlops?: number): NativeContext;
  /** The instruction set it was built for: "AVX-512", "AVX2", "NEON" or "SSE2". */
  readonly isa: string;
  readonly vectorBits: number;
}

/** The asm exports a native context overrides; the others stay WebAssembly's (wasm.ts merges them). */
export const NATIVE_FNS = [
  'gemm', 'packedFloats', 'pack_b',
  'lstm_forward', 'lstm_backward', 'tanh_forward', 'tanh_backward',
  'layer_norm_forward', 'layer_norm_backward', 'column_dots', 'ln_lstm_forward', 'ln_lstm_backward',
  'gru_forward_rz', 'gru_out', 'gru_out_backward', 'gru_backward_r',
  'softmax_xent', 'log_probs', 'adam_update', 'adagrad_update',
  ...STEP_FNS,
] as const satisfies readonly (keyof WasmExports)[];
export type NativeExports = Pick<WasmExports, (typeof NATIVE_FNS)[number]>;

export interface NativeContext extends NativeExports {
  /** Threads it runs on (the caller's included). */
  readonly threads: number;
  /** Tell it the memory's new size after a grow (a view of all of it). */
  resize(memory: Uint8Array): void;
  /** Stop its threads (idempotent); any later call throws. */
  close(): void;
}

/** What runs the math, in words (the kernel set's `description`). */
export function describeNativeKernels(isa: string, threads: number): string {
  return `native ${isa}, ${threads} thread${threads === 1 ? '' : 's'}`;
}
