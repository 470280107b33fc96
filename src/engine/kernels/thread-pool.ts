import { Worker } from 'node:worker_threads';
import { RnnError } from '../../errors.js';
import { JOB_INTS, LATER_MAX, ROW_JOB_INTS, STEP_FNS, type KernelPool } from './pool-jobs.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';

/**
 * Worker threads that share the calling thread's big GEMMs and recurrences on the shared linear
 * memory. One control block per worker (Int32Array over a SharedArrayBuffer): the caller writes the
 * arguments, bumps `seq`, opens the job (CLAIM = 0) and notifies; no postMessage per call.
 * A GEMM is cut into chunks of NR columns (or MR rows) taken from one shared counter, so a
 * descheduled worker costs at most the chunk it holds, and a job it never claimed is cancelled by
 * the caller (CLAIM 0 → 2). A recurrence (asm/steps.ts) has one block of batch rows per thread.
 * Bits do not depend on which thread computes a chunk: each element of C sums over k in one order.
 * Between jobs a worker spins (SPIN, ~0.4 ms) before Atomics.wait, because a futex wake-up costs
 * more than the element-wise work between two per-step GEMMs (sleeping cost evaluation ~25%); the
 * spin is bounded because all threads of the process share one slice of a shared machine's CPU.
 * Workers are unref'd.
 */

/** Atomics.load polls before sleeping (~7.5 ns each on the reference machine). */
const SPIN = 50_000;

const SEQ = 0;
const DONE = 1;
const OP = 2; // 1: exit, 3: chunked gemm, 4: a batch of whole gemms (gemmLater), 5: row blocks of a recurrence
const ERR = 3;
const WSLEEP = 4; // the worker is (about to be) in Atomics.wait: notify it
const MSLEEP = 5; // the caller is (about to be) in Atomics.wait: notify it
const CLAIM = 6; // 0: open, 1: claimed by the worker, 2: cancelled by the caller
const ARGS = 8;
const CTL_INTS = 80; // ARGS holds a job (pool-jobs.ts), or a gemmLater count then 14 ints per GEMM

/** The arguments of row block i (rows [lo, hi), lo = i·per·unit) into out; false past the last. */
export function blockArgs(job: ArrayLike<number>, i: number, scratch: number, out: number[]): boolean {
  const nargs = job[1]!, unit = job[2]!, per = job[3]!, extent = job[4]!;
  const lo = i * per * unit;
  if (lo >= extent) return false;
  out.length = nargs;
  const perRow = 5 + ((job.length - 5) >> 1); // 5 + STEP_MAX_ARGS: job is ROW_JOB_INTS long (the worker has no constants)
  for (let j = 0; j < nargs; j++) out[j] = job[5 + j]! + lo * job[perRow + j]!;
  out[2] = Math.min(extent, lo + per * unit) - lo;
  out[nargs - 1] = scratch;
  return true;
}

/**
 * The sub-problem of chunk i: columns (byCols) or rows [lo, hi) of C, lo = i·per·unit. Shared by
 * the caller and the worker source below (which has its own copy of this arithmetic).
 */
export function chunkArgs(job: ArrayLike<number>, i: number, out: Int32Array): boolean {
  const byCols = job[14]!, unit = job[15]!, per = job[16]!, extent = job[17]!;
  const lo = i * per * unit;
  if (lo >= extent) return false;
  const hi = Math.min(extent, lo + per * unit);
  const tA = job[0]!, tB = job[1]!, lda = job[6]!, ldb = job[8]!, ldc = job[11]!;
  for (let j = 0; j < 14; j++) out[j] = job[j]!;
  if (byCols) {
    out[3] = hi - lo;
    if (tB === 2) out[13] = job[13]! + lo; // prepacked B: the column offset into it
    else out[7] = job[7]! + (tB ? lo * ldb : lo) * 4;
    out[10] = job[10]! + lo * 4;
  } else {
    out[2] = hi - lo;
    out[5] = job[5]! + (tA ? lo : lo * lda) * 4;
    out[10] = job[10]! + lo * ldc * 4;
  }
  return true;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, ctl, counter, scratch } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const gemm = inst.exports.gemm;
const c = new Int32Array(ctl);
const cnt = new Int32Array(counter);
const job = new Int32Array(${JOB_INTS});
const a = new Int32Array(14);
const steps = ${JSON.stringify(STEP_FNS)}.map((n) => inst.exports[n]);
const rjob = new Int32Array(${ROW_JOB_INTS});
const v = [];
${chunkArgs.toString()}
${blockArgs.toString()}
let seq = 0;
parentPort.postMessage('ready');
for (;;) {
  let s = Atomics.load(c, ${SEQ});
  for (let i = 0; s === seq && i < ${SPIN}; i++) s = Atomics.load(c, ${SEQ});
  while (s === seq) {
    Atomics.store(c, ${WSLEEP}, 1);
    Atomics.wait(c, ${SEQ}, seq);
    Atomics.store(c, ${WSLEEP}, 0);
    s = Atomics.load(c, ${SEQ});
  }
  seq = s;
  if (c[${OP}] === 1) break;
  if (Atomics.compareExchange(c, ${CLAIM}, 0, 1) !== 0) continue; // cancelled (or not yet opened)
  seq = Atomics.load(c, ${SEQ}); // the job this claim belongs to
  if (c[${OP}] === 4) {
    try {
      for (let g = 0; g < c[${ARGS}]; g++) {
        const o = ${ARGS} + 1 + 14 * g;
        gemm(c[o], c[o + 1], c[o + 2], c[o + 3], c[o + 4], c[o + 5], c[o + 6], c[o + 7], c[o + 8], c[o + 9], c[o + 10], c[o + 11], scratch, c[o + 13]);
      }
    } catch (e) {
      Atomics.store(c, ${ERR}, 1);
    }
    Atomics.store(c, ${DONE}, seq);
    if (Atomics.load(c, ${MSLEEP}) !== 0) Atomics.notify(c, ${DONE});
    continue;
  }
  try {
    if (c[${OP}] === 5) {
      for (let j = 0; j < ${ROW_JOB_INTS}; j++) rjob[j] = c[${ARGS} + j];
      const fn = steps[rjob[0]];
      for (let i = Atomics.add(cnt, 0, 1); blockArgs(rjob, i, scratch, v); i = Atomics.add(cnt, 0, 1)) fn(...v);
    } else {
      for (let j = 0; j < ${JOB_INTS}; j++) job[j] = c[${ARGS} + j];
      for (let i = Atomics.add(cnt, 0, 1); chunkArgs(job, i, a); i = Atomics.add(cnt, 0, 1)) {
        gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], scratch, a[13]);
      }
    }
  } catch (e) {
    Atomics.store(c, ${ERR}, 1);
  }
  Atomics.store(c, ${DONE}, seq);
  if (Atomics.load(c, ${MSLEEP}) !== 0) Atomics.notify(c, ${DONE});
}
`;

export class ThreadPool implements KernelPool {
  private readonly workers: Worker[] = [];
  private readonly ctls: Int32Array[] = [];
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  private readonly sub = new Int32Array(14);
  private seq = 0;
  private closed = false;
  /** seq of the outstanding gemmLater batch on worker 0 (0: none) and its GEMMs. */
  private pending = 0;
  private readonly laterArgs = new Int32Array(14 * LATER_MAX);
  private laterCount = 0;

  private constructor(readonly size: number) {}

  /**
   * `size` workers (the calling thread is the extra one) instantiating `module` over `memory`;
   * worker w uses the GEMM scratch area at byte address scratch[w].
   */
  static async create(module: WasmModule, memory: WasmMemory, size: number, scratch: number[]): Promise<ThreadPool> {
    const pool = new ThreadPool(size);
    const ready: Promise<void>[] = [];
    for (let w = 0; w < size; w++) {
      const ctl = new SharedArrayBuffer(CTL_INTS * 4);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, ctl, counter: pool.counter.buffer, scratch: scratch[w] },
      });
      ready.push(new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      }));
      pool.workers.push(worker);
      pool.ctls.push(new Int32Array(ctl));
    }
    await Promise.all(ready);
    for (const w of pool.workers) w.unref();
    return pool;
  }

  /**
   * Run a chunked GEMM (job: JOB_INTS ints, see chunkArgs) on the workers and the calling thread,
   * which runs its chunks with `run(args14)`; returns when every chunk is done.
   */
  gemm(job: Int32Array, run: (a: Int32Array) => void): void {
    const seq = this.open(3, job, JOB_INTS);
    const a = this.sub;
    let failed: unknown = null;
    try {
      for (let i = Atomics.add(this.counter, 0, 1); chunkArgs(job, i, a); i = Atomics.add(this.counter, 0, 1)) run(a);
    } catch (e) {
      failed = e;
    }
    this.join(seq, failed);
  }

  /**
   * Run a recurrence split into row blocks (job: ROW_JOB_INTS ints, see blockArgs) on the workers
   * and the calling thread, which runs its blocks with `run(args)` given its own `scratch`.
   */
  rowBlocks(job: Int32Array, scratch: number, run: (args: number[]) => void): void {
    const seq = this.open(5, job, ROW_JOB_INTS);
    const v = this.args;
    let failed: unknown = null;
    try {
      for (let i = Atomics.add(this.counter, 0, 1); blockArgs(job, i, scratch, v); i = Atomics.add(this.counter, 0, 1)) run(v);
    } catch (e) {
      failed = e;
    }
    this.join(seq, failed);
  }
  private readonly args: number[] = [];

  /** Hand job `op` (the first n ints of job) to every worker; the caller then takes chunks too. */
  private open(op: number, job: Int32Array, n: number): number {
    if (this.closed) throw new RnnError('the kernel thread pool is closed');
    if (this.pending !== 0) throw new RnnError('the kernel thread pool is busy with a gemmLater batch');
    const seq = ++this.seq;
    Atomics.store(this.counter, 0, 0);
    for (const c of this.ctls) {
      c[OP] = op;
      for (let j = 0; j < n; j++) c[ARGS + j] = job[j]!;
      Atomics.store(c, SEQ, seq);
      Atomics.store(c, CLAIM, 0); // after SEQ: a claim of this open job re-reads SEQ = seq
      // (sequentially consistent: either we see WSLEEP = 1, or the worker's wait sees the new SEQ)
      if (Atomics.load(c, WSLEEP) !== 0) Atomics.notify(c, SEQ);
    }
    return seq;
  }

  /** Wait for (or cancel) every worker's part of job seq; rethrow the caller's own failure. */
  private join(seq: number, failed: unknown): void {
    for (const c of this.ctls) this.finish(c, seq);
    if (failed !== null) throw failed;
  }

  /** Whether a gemmLater batch is outstanding (the workers are not free for chunked GEMMs). */
  get busy(): boolean {
    if (this.pending !== 0 && Atomics.load(this.ctls[0]!, DONE) >= this.pending) this.sync(() => {});
    return this.pending !== 0;
  }

  /**
   * Start a batch of whole GEMMs (14 asm arguments each, run in order) on worker 0 and return at
   * once. `sync` must follow before their outputs are used; nothing else runs on the pool meanwhile.
   */
  later(calls: Int32Array, count: number): void {
    if (this.closed) throw new RnnError('the kernel thread pool is closed');
    if (this.pending !== 0 || count > LATER_MAX) throw new RnnError('gemmLater: a batch is already outstanding');
    const c = this.ctls[0]!;
    const seq = ++this.seq;
    c[OP] = 4;
    c[ARGS] = count;
    for (let j = 0; j < 14 * count; j++) c[ARGS + 1 + j] = calls[j]!;
    this.laterArgs.set(calls.subarray(0, 14 * count));
    this.laterCount = count;
    Atomics.store(c, SEQ, seq);
    Atomics.store(c, CLAIM, 0);
    if (Atomics.load(c, WSLEEP) !== 0) Atomics.notify(c, SEQ);
    this.pending = seq;
  }

  /**
   * Finish the outstanding batch: if the worker has not started it (descheduled, asleep), cancel
   * it and run it here with `run` (the same GEMM calls in the same order: the same bits).
   */
  sync(run: (a: Int32Array) => void): void {
    const seq = this.pending;
    if (seq === 0) return;
    this.pending = 0;
    const c = this.ctls[0]!;
    if (Atomics.compareExchange(c, CLAIM, 0, 2) === 0) {
      for (let g = 0; g < this.laterCount; g++) run(this.laterArgs.subarray(14 * g, 14 * g + 14));
      return;
    }
    this.finish(c, seq);
  }

  /** Cancel worker c's job if it has not claimed it, else wait for it. */
  private finish(c: Int32Array, seq: number): void {
    if (Atomics.compareExchange(c, CLAIM, 0, 2) === 0) return;
    let d = Atomics.load(c, DONE);
    for (let i = 0; d < seq && i < SPIN; i++) d = Atomics.load(c, DONE);
    while (d < seq) {
      Atomics.store(c, MSLEEP, 1);
      Atomics.wait(c, DONE, d, 1000);
      Atomics.store(c, MSLEEP, 0);
      d = Atomics.load(c, DONE);
    }
    if (c[ERR] !== 0) {
      c[ERR] = 0;
      throw new RnnError('a kernel worker thread failed');
    }
  }

  /** Stop the workers (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.seq++;
    for (let w = 0; w < this.workers.length; w++) {
      const c = this.ctls[w]!;
      c[OP] = 1;
      Atomics.store(c, SEQ, this.seq);
      Atomics.notify(c, SEQ);
      void this.workers[w]!.terminate();
    }
  }
}
