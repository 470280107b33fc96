import { availableParallelism, totalmem } from 'node:os';
import { createKernels, type Kernels } from '../engine/kernels/index.js';
import { RnnError } from '../errors.js';
import { TRAIN_OPTIONS, parseOption } from '../options.js';

export interface KernelChoice {
  /** Worker threads for the fast kernels; 0 or absent: defaultThreads(). */
  threads?: number;
  /** Force the plain TypeScript reference kernels. */
  reference?: boolean;
}

/**
 * The fastest kernel set this machine runs: WebAssembly SIMD with worker threads, or the plain
 * TypeScript reference when RNN_KERNELS=js asks for it.
 */
export async function getKernels(choice: KernelChoice = {}): Promise<Kernels> {
  if (choice.reference || process.env.RNN_KERNELS === 'js') return createKernels('js', { memoryLimit: totalmem() });
  return createKernels('wasm', { threads: choice.threads && choice.threads > 0 ? choice.threads : defaultThreads() });
}

/** Worker threads when --threads is not given: RNN_THREADS if set (as OMP_NUM_THREADS for other tools), else one per core. */
export function defaultThreads(): number {
  const env = process.env.RNN_THREADS;
  if (env === undefined || env === '' || env === '0') return availableParallelism();
  try {
    return parseOption(TRAIN_OPTIONS.threads, env);
  } catch (e) {
    throw new RnnError(`invalid RNN_THREADS=${env}`, { expected: TRAIN_OPTIONS.threads.type.expected, got: env, hint: 'unset it, or give the number of worker threads', kind: 'usage', cause: e });
  }
}

/**
 * More threads than cores only wait on each other (measured: --threads 64 on 2 cores runs ~9×
 * slower): the count actually used, and a warning when the request was capped.
 */
export function capThreads(requested: number): { threads: number; warning: string | null } {
  const cores = availableParallelism();
  if (requested <= cores) return { threads: requested, warning: null };
  return { threads: cores, warning: `--threads ${requested} is more than this machine's ${cores} cores: using ${cores}` };
}
