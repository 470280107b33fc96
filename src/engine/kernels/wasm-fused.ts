import type { Vec } from '../types.js';

/** The exports of the asm module (asm/index.ts). Pointers are byte addresses. */
export interface WasmExports {
  gemm(
    transA: number, transB: number, M: number, N: number, K: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number, scratch: number,
  ): void;
  scratchBytes(): number;
}

/**
 * Fused element-wise kernels in WebAssembly SIMD, keyed by the names the cells and loss.ts look
 * up in `kernels.fused`. Each falls back to nothing: a cell whose entry is missing uses its own
 * reference implementation.
 */
export function createWasmFused(
  _ex: WasmExports, _own: (x: Vec) => x is Float32Array,
): Readonly<Record<string, (...args: never[]) => unknown>> {
  return {};
}

/**
 * The little of the WebAssembly JS API used here (the project's tsconfig has no DOM lib and
 * @types/node 20 does not declare it).
 */
export interface WasmModule { readonly __wasmModule?: never }
export interface WasmMemory { readonly buffer: ArrayBufferLike; grow(pages: number): number }
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
