import { RnnError } from '../../errors.js';
import { formatBytes } from '../memory.js';
import type { Vec } from '../types.js';
import { createJsKernels } from './js/index.js';
import { NATIVE_FNS, describeNativeKernels, type NativeAddon, type NativeContext, type NativeExports } from './native.js';
import type { GemmCall, Kernels, PackedB } from './ops.js';
import { JOB_INTS, LATER_MAX, ROW_JOB_INTS, STEP_FNS, STEP_MAX_ARGS, type KernelPool, type PoolFactory, type StepFn } from './pool-jobs.js';
import { WA, type WasmExports, type WasmModule } from './wasm-api.js';
import { createWasmFused } from './wasm-fused.js';
import { createWasmSteps } from './wasm-steps.js';

/**
 * The WebAssembly SIMD kernel set (sources in asm/, compiled by scripts/build-wasm.mjs), given its
 * compiled module: no Node API here (wasm-node.ts is Node's edge, src/browser a page's). Buffers
 * are Float32Array views into one linear memory handed out by a bump arena: a shared, growable one
 * (shared memory never detaches its views when it grows), or one of fixed size for a single thread
 * where shared memory is not to be had. Big GEMMs are split over worker threads by columns (or
 * rows), and a cell's whole recurrence by the batch's rows (asm/steps.ts), each element computed by
 * one thread in a fixed order, so results are bit-identical for a given build and thread count.
 * Given a native addon (native.ts), the same kernel set runs its hot exports in the addon instead,
 * on the same memory and the addon's own threads: the native backend.
 */
export interface WasmKernels extends Kernels {
  readonly threads: number;
  readonly variant: WasmVariant;
  /** Bytes handed out by alloc so far. */
  allocated(): number;
  /** Stop the worker threads (idempotent; workers never keep the process alive anyway). */
  close(): void;
}

/** 'relaxed' (relaxed-SIMD FMA) or 'simd'. */
export type WasmVariant = 'relaxed' | 'simd';

/** Where the buffers live. */
export type WasmMemoryPlan =
  /** Shared and growable, with `threads` threads on it (the pool brings the threads past the first). */
  | { shared: true; threads: number; pool: PoolFactory }
  /** One thread, on a memory fixed at creation with room for `arenaBytes` of buffers: an unshared memory that grows detaches its views. */
  | { shared: false; arenaBytes: number };

export interface WasmCoreOptions {
  /** Compiled from kernels-<variant>.wasm for a shared memory, kernels-<variant>-single.wasm for a fixed one. */
  module: WasmModule;
  variant: WasmVariant;
  memory: WasmMemoryPlan;
  /** Minimum 2·M·N·K for a GEMM to be split over threads. */
  parallelFlops?: number;
  /**
   * Run the hot ops (GEMMs, recurrences, loss, optimiser updates) in this native addon on the same
   * memory, on its own `memory.threads` threads (the memory must be shared: its base never moves).
   */
  native?: NativeAddon;
}

const PAGE = 65536;
const ARENA_START = PAGE; // page 0 stays unused
const INITIAL_PAGES = 32;
const MAX_PAGES = 32768; // 2 GiB; must match --maximumMemory in scripts/build-wasm.mjs
const NR = 8; // micro-kernel columns (asm/gemm.ts)
const MR = 4;
const CHUNKS_PER_THREAD = 4; // a descheduled worker holds up at most one chunk
// A weight gradient sums over every position (K = T·B) and each chunk packs its share of the other
// operand over all of K: half as many chunks (measured: dW_hh of C6 +4%, dW of its output layer +11%)
const LONG_K = 1024;
const ROW_SPLIT_FLOATS = 1 << 18; // 1 MB: every row chunk streams all of B

/** What runs the math, in words (the kernel set's `description`). */
export function describeWasmKernels(variant: WasmVariant, threads: number): string {
  return `WebAssembly SIMD${variant === 'relaxed' ? ' (relaxed FMA)' : ''}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/** The kernel set on a fresh memory of the plan, running the compiled `module`. */
export async function instantiateWasmKernels(opts: WasmCoreOptions): Promise<WasmKernels> {
  const { module, variant, memory: plan, native } = opts;
  if (native && !plan.shared) throw new RnnError('native kernels need a shared memory');
  const requested = plan.shared ? Math.max(1, Math.floor(plan.threads)) : 1;
  const threads = native ? 1 : requested; // the JS side's threads: a native context brings its own
  // measured: with workers that spin between jobs, sharing pays from ~1 MFLOP (C6 +25%, C5 +20%)
  const parallelFlops = opts.parallelFlops ?? 1 << 20;
  const parallelBytes = opts.parallelFlops === 0 ? 0 : 1 << 22; // 4 MB of B: W_hh of a 512-unit LSTM
  const js = createJsKernels('f32'); // the reference ops this backend does not override
  const memory = new WA.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: plan.shared });
  const wasmEx = (await WA.instantiate(module, { env: { memory } })).exports as unknown as WasmExports;
  const nat: NativeContext | null = native ? native.create(new Uint8Array(memory.buffer), requested, opts.parallelFlops) : null;
  const ex: WasmExports = nat ? { ...wasmEx, ...(Object.fromEntries(NATIVE_FNS.map((k) => [k, nat[k]])) as NativeExports) } : wasmEx;
  const scratchBytes = ex.scratchBytes();
  const outOfMemory = (limit: number, need: number): RnnError => new RnnError('out of WebAssembly memory', {
    expected: `at most ${formatBytes(limit)} in all`, got: `${formatBytes(need)}`,
    hint: plan.shared || need > MAX_PAGES * PAGE
      ? 'use a smaller model (--hidden, --layers) or block (--batch-size, --seq-length)'
      : 'the memory has one size, fixed when the kernel set was made: make it for the largest block (engine/memory.ts)',
  });
  if (!plan.shared) {
    // a fixed memory takes its one size now, before any view of it exists
    const bytes = ARENA_START + scratchBytes + plan.arenaBytes;
    if (bytes > MAX_PAGES * PAGE) throw outOfMemory(MAX_PAGES * PAGE, bytes);
    memory.grow(Math.max(0, Math.ceil(bytes / PAGE) - INITIAL_PAGES));
  }

  // --- arena ---
  const ours = new WeakSet<ArrayBufferLike>();
  let buffer = memory.buffer;
  ours.add(buffer);
  const capacity = plan.shared ? MAX_PAGES * PAGE : buffer.byteLength;
  let top = ARENA_START;
  function allocBytes(bytes: number): number {
    const at = top;
    const end = Math.ceil((top + bytes) / 64) * 64; // plain arithmetic: no 32-bit overflow
    if (end > buffer.byteLength) {
      if (end > capacity) throw outOfMemory(capacity, end);
      const need = Math.ceil((end - buffer.byteLength) / PAGE);
      memory.grow(Math.max(need, Math.min(MAX_PAGES - buffer.byteLength / PAGE, buffer.byteLength / PAGE >> 2)));
      buffer = memory.buffer;
      ours.add(buffer);
      nat?.resize(new Uint8Array(buffer));
    }
    top = end;
    return at;
  }
  function alloc(n: number): Float32Array {
    const at = allocBytes(n * 4); // may grow the memory: take `buffer` after
    return new Float32Array(buffer, at, n);
  }
  const own = (x: Vec): x is Float32Array => x instanceof Float32Array && ours.has(x.buffer);

  const scratch: number[] = [];
  for (let t = 0; t < threads; t++) scratch.push(allocBytes(scratchBytes));
  const pool: KernelPool | null = plan.shared && threads > 1 ? await plan.pool(module, memory, threads - 1, scratch.slice(1)) : null;
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
  const stepFn = (fn: StepFn): ((...a: number[]) => void) => ex[fn] as (...a: number[]) => void;
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
    name: nat ? `native-${native!.isa.toLowerCase()}${nat.threads > 1 ? `-${nat.threads}t` : ''}` : `wasm-${variant}${threads > 1 ? `-${threads}t` : ''}`,
    description: nat ? describeNativeKernels(native!.isa, nat.threads) : describeWasmKernels(variant, threads),
    dtype: 'f32',
    threads: nat ? nat.threads : threads,
    ...(nat ? { packRows: 1 } : {}), // the native GEMM runs one row against a packed W_hh at full speed
    variant,
    alloc,
    memoryLimit: capacity - ARENA_START - threads * scratchBytes,
    gemm,
    packB,
    gemmPacked,
    gemmLater,
    sync: () => pool?.sync(run),
    allocated: () => top - ARENA_START,
    close: () => {
      pool?.close();
      nat?.close();
    },
  };
}
