import { Worker } from 'node:worker_threads';
import { RnnError } from '../../errors.js';
import type { WasmMemory, WasmModule } from './wasm-fused.js';

/**
 * Worker threads that run the WebAssembly kernels on the shared linear memory. One control
 * block (Int32Array over a SharedArrayBuffer) per worker: the caller writes the arguments, bumps
 * `seq` and notifies; the worker runs the job and publishes `done = seq`. No postMessage per call.
 * A worker spins briefly before sleeping in Atomics.wait, so back-to-back calls (one per timestep)
 * do not pay a futex wake-up each. Workers are unref'd: they never keep the process alive.
 */

const SEQ = 0;
const DONE = 1;
const OP = 2; // 0: gemm, 1: exit, 2: call an exported function by index
const ERR = 3;
const ARGS = 4;
const CTL_INTS = 32;

/** Exported functions a worker can run, by index (OP 2 uses ARGS[0] as the index). */
export const POOL_FUNCS = ['gemm'] as const;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, ctl, spin, funcs } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = funcs.map((n) => inst.exports[n]);
const c = new Int32Array(ctl);
let seq = 0;
parentPort.postMessage('ready');
for (;;) {
  let s = Atomics.load(c, ${SEQ});
  for (let i = 0; s === seq && i < spin; i++) s = Atomics.load(c, ${SEQ});
  while (s === seq) { Atomics.wait(c, ${SEQ}, seq); s = Atomics.load(c, ${SEQ}); }
  seq = s;
  const op = c[${OP}];
  if (op === 1) break;
  try {
    const a = c.subarray(${ARGS + 1}, ${CTL_INTS});
    fns[c[${ARGS}]](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
  } catch (e) {
    Atomics.store(c, ${ERR}, 1);
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

export class ThreadPool {
  private readonly workers: Worker[] = [];
  private readonly ctls: Int32Array[] = [];
  private seq = 0;
  private closed = false;

  private constructor(readonly size: number, private readonly spin: number) {}

  /** `size` workers (the calling thread is the extra one) instantiating `module` over `memory`. */
  static async create(module: WasmModule, memory: WasmMemory, size: number, spin = 20000): Promise<ThreadPool> {
    const pool = new ThreadPool(size, spin);
    const ready: Promise<void>[] = [];
    for (let w = 0; w < size; w++) {
      const ctl = new SharedArrayBuffer(CTL_INTS * 4);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, ctl, spin, funcs: [...POOL_FUNCS] },
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

  /** Start function `fn` on worker w with integer arguments (call `wait` later). */
  start(w: number, fn: number, args: ArrayLike<number>): void {
    if (this.closed) throw new RnnError('the kernel thread pool is closed');
    const c = this.ctls[w]!;
    c[OP] = 2;
    c[ARGS] = fn;
    for (let i = 0; i < args.length; i++) c[ARGS + 1 + i] = args[i]!;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
  }

  /** Mark a batch of `start`s: call once before the starts of one parallel call. */
  begin(): void {
    this.seq++;
  }

  /** Wait for worker w's current job. */
  wait(w: number): void {
    const c = this.ctls[w]!;
    const seq = this.seq;
    let d = Atomics.load(c, DONE);
    for (let i = 0; d !== seq && i < this.spin; i++) d = Atomics.load(c, DONE);
    while (d !== seq) {
      Atomics.wait(c, DONE, d, 1000);
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
