import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RnnError } from '../../errors.js';
import type { NativeAddon } from './native.js';
import type { WasmKernels } from './wasm.js';
import { compiledWasm, relaxedSimdSupported } from './wasm-node.js';
import { instantiateWasmKernels } from './wasm.js';
import { ThreadPool } from './thread-pool.js';

/** Where `npm ci` builds the addon (scripts/build-native.mjs), from src/ or dist/ alike. */
const ADDON = fileURLToPath(new URL('../../../build/Release/rnn_native.node', import.meta.url));

let loaded: { addon: NativeAddon } | { why: string } | undefined;

/** The native addon, or why there is none (not built: no compiler, or the build was skipped). */
export function nativeAddon(): { addon: NativeAddon } | { why: string } {
  if (loaded) return loaded;
  if (!existsSync(ADDON)) {
    loaded = { why: 'not built (no C++ compiler at install, or RNN_SKIP_NATIVE_BUILD)' };
  } else {
    try {
      loaded = { addon: createRequire(import.meta.url)(ADDON) as NativeAddon };
    } catch (e) {
      loaded = { why: `it does not load: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  return loaded;
}

/**
 * The native kernel set: the WebAssembly backend with its hot ops in the addon, on `threads`
 * threads [one per core], sharing GEMMs of at least `parallelFlops` (2·M·N·K) between them.
 */
export async function createNativeKernels(opts: { threads?: number; parallelFlops?: number } = {}): Promise<WasmKernels> {
  const n = nativeAddon();
  if (!('addon' in n)) {
    throw new RnnError('no native kernels', { expected: 'the addon npm ci builds', got: n.why, hint: 'use --kernels wasm, or rebuild it with `npm rebuild` where a C++ compiler is installed' });
  }
  const variant = relaxedSimdSupported() ? 'relaxed' : 'simd';
  return instantiateWasmKernels({
    module: compiledWasm(variant), variant, native: n.addon, parallelFlops: opts.parallelFlops,
    memory: { shared: true, threads: opts.threads ?? availableParallelism(), pool: ThreadPool.create },
  });
}
