/**
 * The kernel sets behind the contract (ops.ts), for everything above the engine in Node: the
 * TypeScript reference, the WebAssembly SIMD backend and the native one (its hot ops in C++).
 * Code outside src/engine/kernels/ imports backends only through here, or through portable.ts
 * where there is no Node (a web page).
 */
import type { Backend } from './backend.js';
import type { Kernels } from './ops.js';
import { referenceKernels } from './portable.js';
import { createNativeKernels, nativeAddon } from './native-node.js';
import { createWasmKernels } from './wasm-node.js';

export type { Kernels } from './ops.js';
export { referenceKernels, type WasmVariant } from './portable.js';
export { wasmBinary } from './wasm-node.js';

export { nativeAddon } from './native-node.js';

export { BACKENDS, type Backend } from './backend.js';

/** The fastest backend this installation has: native where the addon was built, else WebAssembly. */
export function fastestBackend(): Backend {
  return 'addon' in nativeAddon() ? 'native' : 'wasm';
}

/**
 * A kernel set of the given backend: the native or WebAssembly one with `threads` threads [one per
 * core], WebAssembly with relaxed-SIMD FMA where the runtime has it unless `relaxed` is false.
 */
export async function createKernels(backend: Backend, options: { threads?: number; memoryLimit?: number; relaxed?: boolean } = {}): Promise<Kernels> {
  if (backend === 'js') return referenceKernels('f32', options.memoryLimit);
  if (backend === 'native') return createNativeKernels({ threads: options.threads });
  return createWasmKernels({ threads: options.threads, relaxed: options.relaxed });
}
