import { availableParallelism, totalmem } from 'node:os';
import { createKernels, fastestBackend, nativeAddon, type Backend, type Kernels } from '../engine/kernels/index.js';
import { RnnError } from '../errors.js';
import { TRAIN_OPTIONS, parseOption } from '../options.js';

export interface KernelChoice {
  /** Worker threads for the fast kernels; 0 or absent: defaultThreads(). */
  threads?: number;
  /** Force the plain TypeScript reference kernels. */
  reference?: boolean;
  /** The backend (--kernels); absent: chosenBackend(). */
  backend?: Backend;
}

/**
 * The kernel set asked for, else the fastest this installation has: native where the addon was
 * built, else WebAssembly SIMD; both with one thread per core.
 */
export async function getKernels(choice: KernelChoice = {}): Promise<Kernels> {
  const backend = choice.reference ? 'js' : choice.backend ?? chosenBackend();
  if (backend === 'js') return createKernels('js', { memoryLimit: totalmem() });
  return createKernels(backend, { threads: choice.threads && choice.threads > 0 ? choice.threads : defaultThreads() });
}

/** The backend when --kernels is not given: RNN_KERNELS if set, else the fastest built. */
export function chosenBackend(): Backend {
  const env = process.env.RNN_KERNELS;
  if (env === undefined || env === '') return fastestBackend();
  try {
    return parseOption(TRAIN_OPTIONS.kernels, env)!;
  } catch (e) {
    throw new RnnError(`invalid RNN_KERNELS=${env}`, { expected: TRAIN_OPTIONS.kernels.type.expected, got: env, hint: 'unset it to use the fastest kernels built', kind: 'usage', cause: e });
  }
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

/** Which kernels run, in a line for `rnn --version`: the backend chosen, and why not native when it is not. */
export function kernelsLine(): string {
  const n = nativeAddon();
  const native = 'addon' in n ? `native ${n.addon.isa} (C++)` : 'native (asked for, but not built)';
  const why = 'why' in n ? `; native kernels ${n.why}` : '';
  let backend: Backend;
  try {
    backend = chosenBackend();
  } catch (e) {
    return `kernels: ${(e as Error).message}`;
  }
  const what = { native, wasm: 'wasm (WebAssembly SIMD)', js: 'js (TypeScript reference)' }[backend];
  const by = process.env.RNN_KERNELS ? ' (RNN_KERNELS)' : '';
  return `kernels: ${what}${by}${why}`;
}
