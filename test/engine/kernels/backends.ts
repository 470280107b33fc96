import { nativeAddon } from '../../../src/engine/kernels/index.ts';
import { createNativeKernels } from '../../../src/engine/kernels/native-node.ts';
import type { WasmKernels } from '../../../src/engine/kernels/wasm.ts';
import { createWasmKernels } from '../../../src/engine/kernels/wasm-node.ts';

/** The fast kernel sets the kernel tests run against: WebAssembly, and native where it was built. */
export interface FastBackend {
  name: 'wasm' | 'native';
  create(opts: { threads: number; parallelFlops?: number; relaxed?: boolean }): Promise<WasmKernels>;
}

const native = nativeAddon();
/** Why the native backend is not tested here (null: it is). */
export const NATIVE_MISSING: string | null = 'why' in native ? native.why : null;

export const FAST_BACKENDS: readonly FastBackend[] = [
  { name: 'wasm', create: (o) => createWasmKernels(o) },
  ...(NATIVE_MISSING === null ? [{ name: 'native' as const, create: (o: { threads: number; parallelFlops?: number }) => createNativeKernels(o) }] : []),
];
