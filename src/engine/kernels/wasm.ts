import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { RnnError } from '../../errors.js';
import { formatBytes } from '../memory.js';
import type { Vec } from '../types.js';
import { createJsKernels } from './js/index.js';
import type { GemmCall, Kernels, PackedB } from './ops.js';
import { JOB_INTS, LATER_MAX, ROW_JOB_INTS, STEP_FNS, STEP_MAX_ARGS, ThreadPool, type StepFn } from './thread-pool.js';
import { WA, type WasmExports, type WasmModule } from './wasm-api.js';
import { createWasmFused } from './wasm-fused.js';
import { createWasmSteps } from './wasm-steps.js';

/**
 * The WebAssembly SIMD kernel set (sources in asm/, compiled by scripts/build-wasm.mjs). Buffers
 * are Float32Array views into one shared, growable linear memory handed out by a bump arena
 * (shared memory never detaches its views when it grows). Big GEMMs are split over worker threads
 * by columns (or rows), and a cell's whole recurrence by the batch's rows (asm/steps.ts), each
 * element computed by one thread in a fixed order, so results are bit-identical for a given build
 * and thread count.
 */
export interface WasmKernels extends Kernels {
  readonly threads: number;
  /** 'relaxed' (relaxed-SIMD FMA) or 'simd'. */
  readonly variant: 'relaxed' | 'simd';
  /** Bytes handed out by alloc so far. */
  allocated(): number;
  /** Stop the worker threads (idempotent; workers never keep the process alive anyway). */
  close(): void;
}

export interface WasmKernelOptions {
  /** Threads for big GEMMs (default: os.availableParallelism()). */
  threads?: number;
  /** Use relaxed-SIMD FMA when the runtime supports it (default true). */
  relaxed?: boolean;
  /** Minimum 2·M·N·K for a GEMM to be split over threads. */
  parallelFlops?: number;
}

const PAGE = 65536;
const ARENA_START = PAGE; // page 0 stays unused
const MAX_PAGES = 32768; // 2 GiB; must match --maximumMemory in scripts/build-wasm.mjs
const NR = 8; // micro-kernel columns (asm/gemm.ts)
const MR = 4;
const CHUNKS_PER_THREAD = 4; // a descheduled worker holds up at most one chunk
// A weight gradient sums over every position (K = T·B) and each chunk packs its share of the other
// operand over all of K: half as many chunks (measured: dW_hh of C6 +4%, dW of its output layer +11%)
const LONG_K = 1024;
const ROW_SPLIT_FLOATS = 1 << 18; // 1 MB: every row chunk streams all of B

function wasmBytes(name: string): Buffer {
  // dist/engine/kernels/wasm.js → dist/wasm; src/engine/kernels/wasm.ts → dist/wasm (after a build)
  for (const rel of [`../../wasm/${name}.wasm`, `../../../dist/wasm/${name}.wasm`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return readFileSync(p);
  }
  throw new RnnError('the WebAssembly kernels are not built', {
    expected: `dist/wasm/${name}.wasm`, hint: 'run `npm run build` (it compiles asm/ with AssemblyScript)',
  });
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
    relaxedSupported = WA.validate(wasmBytes('kernels-relaxed'));
  }
  return relaxedSupported ?? false;
}

const modules = new Map<string, WasmModule>();
function compiled(name: string): WasmModule {
  let m = modules.get(name);
  if (!m) {
    m = new WA.Module(wasmBytes(name));
    modules.set(name, m);
  }
  return m;
}

export async function createWasmKernels(opts: WasmKernelOptions = {}): Promise<WasmKernels> {
  const threads = Math.max(1, Math.floor(opts.threads ?? availableParallelism()));
  const variant = (opts.relaxed ?? true) && relaxedSimdSupported() ? 'relaxed' : 'simd';
  // measured: with workers that spin between jobs, sharing pays from ~1 MFLOP (C6 +25%, C5 +20%)
  const parallelFlops = opts.parallelFlops ?? 1 << 20;
  const parallelBytes = opts.parallelFlops === 0 ? 0 : 1 << 22; // 4 MB of B: W_hh of a 512-unit LSTM
  const js = createJsKernels('f32'); // the reference ops this backend does not override
  const module = compiled(`kernels-${variant}`);
  const memory = new WA.Memory({ initial: 32, maximum: MAX_PAGES, shared: true });
  const ex = new WA.Instance(module, { env: { memory } }).exports as unknown as WasmExports;

  // --- arena ---
  const ours = new WeakSet<ArrayBufferLike>();
  let buffer = memory.buffer;
  ours.add(buffer);
  let top = ARENA_START;
  function allocBytes(bytes: number): number {
    const at = top;
    const end = Math.ceil((top + bytes) / 64) * 64; // plain arithmetic: no 32-bit overflow
    if (end > buffer.byteLength) {
      const need = Math.ceil((end - buffer.byteLength) / PAGE);
      if (buffer.byteLength / PAGE + need > MAX_PAGES) {
        throw new RnnError('out of WebAssembly memory', {
          expected: `at most ${formatBytes(MAX_PAGES * PAGE)} in all`, got: `${formatBytes(end)}`,
          hint: 'use a smaller model (--hidden, --layers) or block (--batch-size, --seq-length)',
        });
      }
      memory.grow(Math.max(need, Math.min(MAX_PAGES - buffer.byteLength / PAGE, buffer.byteLength / PAGE >> 2)));
      buffer = memory.buffer;
      ours.add(buffer);
    }
    top = end;
    return at;
  }
  function alloc(n: number): Float32Array {
    const at = allocBytes(n * 4); // may grow the memory: take `buffer` after
    return new Float32Array(buffer, at, n);
  }
  const own = (x: Vec): x is Float32Array => x instanceof Float32Array && ours.has(x.buffer);

  const scratchBytes = ex.scratchBytes();
  const scratch: number[] = [];
  for (let t = 0; t < threads; t++) scratch.push(allocBytes(scratchBytes));
  const pool = threads > 1 ? await ThreadPool.create(module, memory, threads - 1, scratch.slice(1)) : null;
  const job = new Int32Array(JOB_INTS);
  const run = (x: Int32Array): void => ex.gemm(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!, x[7]!, x[8]!, x[9]!, x[10]!, x[11]!, x[12]!, x[13]!);

  const gemm: Kernels['gemm'] = (transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) => {
    if (!own(A) || !own(B) || !own(C)) {
      js.gemm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
      return;
    }
    const tA = transA ? 1 : 0;
    const tB = transB ? 1 : 0;
    const a = A.byteOffset + aOff * 4;
    const b = B.byteOffset + bOff * 4;
    const c = C.byteOffset + cOff * 4;
    call(tA, tB, M, N, K, a, lda, b, ldb, beta, c, ldc);
  };

  /** The asm gemm (tB = 2: b is packed, ldb its full N) on this thread or shared with the pool. */
  function call(tA: number, tB: number, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void {
    // Big enough to share: by flops, or (few rows, e.g. batch-1 sampling) by the bytes of B streamed
    const big = 2 * M * N * K >= parallelFlops || (M < MR && N * K >= parallelBytes / 4);
    if (pool === null || !big || pool.busy) {
      ex.gemm(tA, tB, M, N, K, a, lda, b, ldb, beta, c, ldc, scratch[0]!, 0);
      return;
    }
    // Split the larger of N (by NR columns) and M (by MR rows) into chunks shared out dynamically;
    // but split a per-step GEMM against a prepacked W_hh that stays in cache by rows, because every
    // column chunk packs all of A again (C6 +8%, C3 +5%).
    const rowsOfPacked = tB === 2 && M >= 2 * MR * threads && N * K <= ROW_SPLIT_FLOATS;
    const byCols = N >= M && !rowsOfPacked;
    const unit = byCols ? NR : MR;
    const extent = byCols ? N : M;
    const units = Math.ceil(extent / unit);
    const chunks = Math.min(units, (K >= LONG_K ? 2 : CHUNKS_PER_THREAD) * threads);
    const per = Math.ceil(units / chunks);
    job[0] = tA; job[1] = tB; job[2] = M; job[3] = N; job[4] = K; job[5] = a; job[6] = lda; job[7] = b; job[8] = ldb;
    job[9] = beta; job[10] = c; job[11] = ldc; job[12] = scratch[0]!; job[13] = 0;
    job[14] = byCols ? 1 : 0; job[15] = unit; job[16] = per; job[17] = extent;
    pool.gemm(job, run);
  }

  const laterArgs = new Int32Array(14 * LATER_MAX);
  function gemmLater(calls: readonly GemmCall[]): void {
    const owned = calls.every(([, , , , , A, , , B, , , , C]) => own(A) && own(B) && own(C));
    if (pool === null || !owned || calls.length > LATER_MAX) {
      for (const g of calls) gemm(...g);
      return;
    }
    pool.sync(run); // one batch at a time
    calls.forEach(([transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc], i) => {
      laterArgs.set([transA ? 1 : 0, transB ? 1 : 0, M, N, K, A.byteOffset + aOff * 4, lda, B.byteOffset + bOff * 4, ldb,
        beta, C.byteOffset + cOff * 4, ldc, scratch[1]!, 0], 14 * i);
    });
    pool.later(laterArgs, calls.length);
  }

  interface Packed extends PackedB { at: number; cap: number }
  function packB(transB: boolean, K: number, N: number, B: Vec, bOff: number, ldb: number, into?: PackedB): PackedB {
    if (!own(B) || K === 0) return { K, N, at: -1, cap: 0, B, bOff, ldb, transB } as PackedB;
    const need = ex.packedFloats(K, N);
    let p = into as Packed | undefined;
    if (!p || p.at < 0 || p.cap < need) p = { K, N, at: allocBytes(need * 4), cap: need };
    p = p.K === K && p.N === N ? p : { K, N, at: p.at, cap: p.cap };
    ex.pack_b(transB ? 1 : 0, K, N, B.byteOffset + bOff * 4, ldb, p.at);
    return p;
  }
  function gemmPacked(transA: boolean, M: number, A: Vec, aOff: number, lda: number, packed: PackedB, beta: 0 | 1, C: Vec, cOff: number, ldc: number): void {
    const p = packed as Packed & { B?: Vec; bOff?: number; ldb?: number; transB?: boolean };
    const { K, N } = p;
    if (p.at < 0 || !own(A) || !own(C)) {
      // not packed (a foreign B, or K = 0): the plain path
      if (p.at < 0) return gemm(transA, p.transB!, M, N, K, A, aOff, lda, p.B!, p.bOff!, p.ldb!, beta, C, cOff, ldc);
      throw new RnnError('gemmPacked needs buffers from this kernel set');
    }
    call(transA ? 1 : 0, 2, M, N, K, A.byteOffset + aOff * 4, lda, p.at, N, beta, C.byteOffset + cOff * 4, ldc);
  }

  // --- whole recurrences, the batch split into blocks of rows (asm/steps.ts) ---
  const stepJob = new Int32Array(ROW_JOB_INTS);
  const stepFn = (fn: StepFn): ((...a: number[]) => void) => (ex as unknown as Record<StepFn, (...a: number[]) => void>)[fn];
  // One block per thread, in whole MR rows: every block streams all of the packed W_hh at every
  // step, so fewer, taller blocks reuse each B panel more. Measured against one shared GEMM per
  // step: C6's forward recurrence 57 → 50 µs per step; whole training steps C3 and C5 +5%. With a
  // gemmLater batch outstanding (a 2-layer backward), the caller runs the whole batch alone.
  function runSteps(fn: StepFn, B: number, args: number[], rowBytes: number[]): void {
    const units = Math.ceil(B / MR);
    const blocks = pool === null || pool.busy ? 1 : Math.min(units, threads);
    const f = stepFn(fn);
    if (blocks === 1) {
      args[2] = B;
      args[args.length - 1] = scratch[0]!;
      f(...args);
      return;
    }
    stepJob.fill(0);
    stepJob.set([STEP_FNS.indexOf(fn), args.length, MR, Math.ceil(units / blocks), B]);
    stepJob.set(args, 5);
    stepJob.set(rowBytes, 5 + STEP_MAX_ARGS);
    pool!.rowBlocks(stepJob, scratch[0]!, (v) => f(...v));
  }
  const packedAt = (p: PackedB | undefined): number => (p ? (p as Packed).at : -1);

  return {
    ...js,
    ...createWasmFused(ex, own, allocBytes, () => buffer, js),
    ...createWasmSteps(own, packedAt, runSteps),
    name: `wasm-${variant}${threads > 1 ? `-${threads}t` : ''}`,
    description: `WebAssembly SIMD${variant === 'relaxed' ? ' (relaxed FMA)' : ''}, ${threads} thread${threads === 1 ? '' : 's'}`,
    dtype: 'f32',
    threads,
    variant,
    alloc,
    memoryLimit: MAX_PAGES * PAGE - ARENA_START - threads * scratchBytes,
    gemm,
    packB,
    gemmPacked,
    gemmLater,
    sync: () => pool?.sync(run),
    allocated: () => top - ARENA_START,
    close: () => pool?.close(),
  };
}
