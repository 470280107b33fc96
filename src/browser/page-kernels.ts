import { describeWasmKernels, instantiateWasmKernels, referenceKernels, WA, type Kernels, type WasmVariant } from '../engine/kernels/portable.js';
import { base64Bytes } from './decode.js';
import type { SamplerPayload } from './payload.js';

/** Fresh kernel sets of one kind. */
export interface KernelSource {
  /** What runs the math, in words. */
  readonly description: string;
  /** A kernel set whose alloc can hand out `arenaBytes` (a WebAssembly one never grows its memory). */
  create(arenaBytes: number): Promise<Kernels>;
}

/** Node's preference (engine/kernels/wasm-node.ts): relaxed-SIMD FMA where the runtime validates it. */
const PREFERENCE: readonly WasmVariant[] = ['relaxed', 'simd'];

/**
 * The fastest kernels a page runs: WebAssembly SIMD on one thread (no shared memory without
 * cross-origin isolation), the variant chosen as Node chooses so that a page and `rnn sample` on one
 * machine compute the same bits; the TypeScript reference where there is no WebAssembly SIMD.
 */
export async function pageKernels(wasm: SamplerPayload['wasm']): Promise<KernelSource> {
  if ('WebAssembly' in globalThis) {
    for (const variant of PREFERENCE) {
      const bytes = base64Bytes(wasm[variant]);
      if (!WA.validate(bytes)) continue;
      const module = await WA.compile(bytes);
      return {
        description: describeWasmKernels(variant, 1),
        create: (arenaBytes) => instantiateWasmKernels({ module, variant, memory: { shared: false, arenaBytes } }),
      };
    }
  }
  const reference = referenceKernels('f32'); // plain arrays: one set serves every call
  return { description: reference.description, create: async () => reference };
}
