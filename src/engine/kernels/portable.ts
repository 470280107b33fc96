/**
 * The kernel sets that need no Node API, for a web page: the TypeScript reference, and the
 * WebAssembly kernels given a compiled module. index.ts adds Node's edge (files, worker threads).
 */
import type { DType } from '../types.js';
import { createJsKernels } from './js/index.js';
import type { Kernels } from './ops.js';

export type { Kernels } from './ops.js';
export { describeWasmKernels, instantiateWasmKernels, type WasmKernels, type WasmVariant } from './wasm.js';
export { WA, type WasmModule } from './wasm-api.js';

/** The TypeScript reference kernels (synchronous; float64 serves the gradient checks). */
export function referenceKernels(dtype: DType = 'f32', memoryLimit?: number): Kernels {
  return createJsKernels(dtype, memoryLimit);
}
