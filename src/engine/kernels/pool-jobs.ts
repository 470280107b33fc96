import type { WasmMemory, WasmModule } from './wasm-api.js';

/**
 * What the WebAssembly kernel set and a pool of worker threads on its shared memory agree on: the
 * layout of the jobs handed over and the pool's methods. No Node API here, so that the kernel set
 * runs where there are no worker threads (a web page); thread-pool.ts is Node's pool.
 */

/** Most GEMMs in one gemmLater batch. */
export const LATER_MAX = 4;

/** Chunked-GEMM job arguments: the 14 asm gemm arguments, then byCols, unit, per, extent. */
export const JOB_INTS = 18;

/**
 * The asm recurrences (asm/steps.ts) a row-block job may run, by index. Each takes
 * (T, B, rows, …, scratch): argument 2 is the block's row count and the last the thread's scratch.
 */
export const STEP_FNS = [
  'rnn_tanh_steps_forward', 'rnn_tanh_steps_backward', 'lstm_steps_forward', 'lstm_steps_backward',
  'ln_lstm_steps_forward', 'ln_lstm_steps_backward', 'gru_steps_forward', 'gru_steps_backward',
] as const;
export type StepFn = (typeof STEP_FNS)[number];
/** Most arguments of a step function. */
export const STEP_MAX_ARGS = 20;
/**
 * Row-block job: fn (index into STEP_FNS), nargs, unit, per, extent (B), then the arguments for
 * rows [0, …) and each argument's bytes per row (0: the same for every block).
 */
export const ROW_JOB_INTS = 5 + 2 * STEP_MAX_ARGS;

/** Worker threads sharing the calling thread's big GEMMs and recurrences (thread-pool.ts). */
export interface KernelPool {
  /** Whether a gemmLater batch is outstanding (the workers are not free for other jobs). */
  readonly busy: boolean;
  /** A chunked GEMM (JOB_INTS ints); the caller runs its chunks with `run(args14)`. */
  gemm(job: Int32Array, run: (a: Int32Array) => void): void;
  /** A recurrence in row blocks (ROW_JOB_INTS ints); the caller runs its blocks with `run(args)` and its `scratch`. */
  rowBlocks(job: Int32Array, scratch: number, run: (args: number[]) => void): void;
  /** Start `count` whole GEMMs (14 asm arguments each) and return at once. */
  later(calls: Int32Array, count: number): void;
  /** Finish the outstanding batch (running it here with `run` if no worker took it). */
  sync(run: (a: Int32Array) => void): void;
  close(): void;
}

/** `workers` threads instantiating `module` over the shared `memory`; worker w's GEMM scratch is at byte scratch[w]. */
export type PoolFactory = (module: WasmModule, memory: WasmMemory, workers: number, scratch: number[]) => Promise<KernelPool>;
