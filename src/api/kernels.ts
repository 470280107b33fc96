import { availableParallelism, totalmem } from 'node:os';
import { createJsKernels } from '../engine/kernels/js.js';
import type { Kernels } from '../engine/kernels/kernels.js';
import { createWasmKernels, type WasmKernels } from '../engine/kernels/wasm.js';

export interface KernelChoice {
  /** Worker threads for the fast kernels; 0 or absent: one per core. */
  threads?: number;
  /** Force the plain TypeScript reference kernels. */
  reference?: boolean;
}

/**
 * The fastest kernel set this machine runs: WebAssembly SIMD with worker threads, or the plain
 * TypeScript reference when the WebAssembly kernels are not built or RNN_KERNELS=js asks for it.
 */
export async function getKernels(choice: KernelChoice = {}): Promise<Kernels> {
  if (choice.reference || process.env.RNN_KERNELS === 'js') return createJsKernels('f32', totalmem());
  const threads = choice.threads && choice.threads > 0 ? choice.threads : undefined;
  return createWasmKernels({ threads });
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

/** What runs the math, in words: "WebAssembly SIMD, 2 threads". */
export function describeKernels(k: Kernels): string {
  if ('variant' in k) {
    const w = k as WasmKernels;
    return `WebAssembly SIMD${w.variant === 'relaxed' ? ' (relaxed FMA)' : ''}, ${w.threads} thread${w.threads === 1 ? '' : 's'}`;
  }
  return 'TypeScript reference kernels';
}

/** Release worker threads, if the kernel set has any, so the process can exit. */
export function releaseKernels(k: Kernels): void {
  (k as Kernels & { close?: () => void }).close?.();
}
