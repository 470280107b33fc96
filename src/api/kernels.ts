import { createJsKernels } from '../engine/kernels/js.js';
import type { Kernels } from '../engine/kernels/kernels.js';
import { createWasmKernels } from '../engine/kernels/wasm.js';

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
  if (choice.reference || process.env.RNN_KERNELS === 'js') return createJsKernels('f32');
  const threads = choice.threads && choice.threads > 0 ? choice.threads : undefined;
  return createWasmKernels({ threads });
}

/** Release worker threads, if the kernel set has any, so the process can exit. */
export function releaseKernels(k: Kernels): void {
  (k as Kernels & { close?: () => void }).close?.();
}
