/**
 * The kernel sets behind the contract (ops.ts), for everything above the engine: the TypeScript
 * reference and the WebAssembly SIMD backend. Code outside src/engine/kernels/ imports backends
 * only through here.
 */
import type { DType } from '../types.js';
import { createJsKernels } from './js/index.js';
import type { Kernels } from './ops.js';
import { createWasmKernels } from './wasm.js';

export type { Kernels } from './ops.js';

export type Backend = 'js' | 'wasm';

/** The TypeScript reference kernels (synchronous; float64 serves the gradient checks). */
export function referenceKernels(dtype: DType = 'f32', memoryLimit?: number): Kernels {
  return createJsKernels(dtype, memoryLimit);
}

/**
 * A kernel set of the given backend: the WebAssembly one with `threads` threads [one per core],
 * with relaxed-SIMD FMA where the runtime has it unless `relaxed` is false.
 */
export async function createKernels(backend: Backend, options: { threads?: number; memoryLimit?: number; relaxed?: boolean } = {}): Promise<Kernels> {
  return backend === 'js' ? referenceKernels('f32', options.memoryLimit) : createWasmKernels({ threads: options.threads, relaxed: options.relaxed });
}
