/**
 * The kernel sets behind the contract (ops.ts), for everything above the engine in Node: the
 * TypeScript reference and the WebAssembly SIMD backend. Code outside src/engine/kernels/ imports
 * backends only through here, or through portable.ts where there is no Node (a web page).
 */
import type { Kernels } from './ops.js';
import { referenceKernels } from './portable.js';
import { createWasmKernels } from './wasm-node.js';

export type { Kernels } from './ops.js';
export { referenceKernels, type WasmVariant } from './portable.js';
export { wasmBinary } from './wasm-node.js';

export type Backend = 'js' | 'wasm';

/**
 * A kernel set of the given backend: the WebAssembly one with `threads` threads [one per core],
 * with relaxed-SIMD FMA where the runtime has it unless `relaxed` is false.
 */
export async function createKernels(backend: Backend, options: { threads?: number; memoryLimit?: number; relaxed?: boolean } = {}): Promise<Kernels> {
  return backend === 'js' ? referenceKernels('f32', options.memoryLimit) : createWasmKernels({ threads: options.threads, relaxed: options.relaxed });
}
