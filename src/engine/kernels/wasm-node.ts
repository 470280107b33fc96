import { availableParallelism } from 'node:os';
import v8 from 'node:v8';
import { builtFile } from '../../util/built-file.js';
import { ThreadPool } from './thread-pool.js';
import { instantiateWasmKernels, type WasmKernels, type WasmVariant } from './wasm.js';
import { WA, type WasmModule } from './wasm-api.js';

/**
 * Node's edge of the WebAssembly kernels: the builds read from dist/wasm/, the V8 flag for
 * relaxed SIMD, one thread per core, worker threads on a shared memory.
 */
export interface WasmKernelOptions {
  /** Threads for big GEMMs (default: os.availableParallelism()). */
  threads?: number;
  /** Use relaxed-SIMD FMA when the runtime supports it (default true). */
  relaxed?: boolean;
  /** Minimum 2·M·N·K for a GEMM to be split over threads. */
  parallelFlops?: number;
}

/** A build of asm/ (scripts/build-wasm.mjs): for a shared memory (worker threads) or a single thread's own. */
export function wasmBinary(variant: WasmVariant, memory: 'shared' | 'single'): Uint8Array {
  const name = `kernels-${variant}${memory === 'single' ? '-single' : ''}`;
  return builtFile(`wasm/${name}.wasm`, 'WebAssembly kernels');
}

let relaxedSupported: boolean | undefined;
/** Whether this runtime validates relaxed-SIMD (Node 20 needs a V8 flag, set here before compiling). */
export function relaxedSimdSupported(): boolean {
  if (relaxedSupported === undefined) {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // ignore: newer runtimes enable it by default
    }
    relaxedSupported = WA.validate(wasmBinary('relaxed', 'shared'));
  }
  return relaxedSupported ?? false;
}

const modules = new Map<WasmVariant, WasmModule>();
/** The compiled shared-memory module of a variant (compiled once per process). */
export function compiledWasm(variant: WasmVariant): WasmModule {
  let m = modules.get(variant);
  if (!m) {
    m = new WA.Module(wasmBinary(variant, 'shared'));
    modules.set(variant, m);
  }
  return m;
}

export async function createWasmKernels(opts: WasmKernelOptions = {}): Promise<WasmKernels> {
  const variant: WasmVariant = (opts.relaxed ?? true) && relaxedSimdSupported() ? 'relaxed' : 'simd';
  return instantiateWasmKernels({
    module: compiledWasm(variant), variant, parallelFlops: opts.parallelFlops,
    memory: { shared: true, threads: opts.threads ?? availableParallelism(), pool: ThreadPool.create },
  });
}
