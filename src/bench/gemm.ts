/**
 * GEMM micro-benchmark: GFLOP/s per shape of the char-RNN workloads for the plain TypeScript
 * kernels, WebAssembly (plain SIMD and relaxed-SIMD FMA) and the native kernels where they were
 * built, on 1 thread and on 2 threads.
 * Run after a build: node dist/bench/gemm.js [--quick]
 */
import { pathToFileURL } from 'node:url';
import { createKernels, fastestBackend, type Kernels } from '../engine/kernels/index.js';
import { machineLine } from './machine.js';

export interface GemmShape { name: string; tA: boolean; tB: boolean; M: number; N: number; K: number }

/** The shapes that matter: H hidden, G gates, B batch, T steps, V = 65. */
export function gemmShapes(): GemmShape[] {
  const s: GemmShape[] = [];
  const add = (name: string, tA: boolean, tB: boolean, M: number, N: number, K: number): void => {
    s.push({ name, tA, tB, M, N, K });
  };
  add('sample h·Whhᵀ  B=1 H=128 G=4', false, true, 1, 512, 128);
  add('sample h·Whhᵀ  B=1 H=512 G=4', false, true, 1, 2048, 512);
  for (const [H, B, T] of [[128, 32, 64], [256, 32, 64], [512, 64, 100]] as const) {
    const TB = T * B;
    add(`step  h·Whhᵀ   B=${B} H=${H} G=4`, false, true, B, 4 * H, H);
    add(`seq   X·Wihᵀ   TB=${TB} H=${H} G=4`, false, true, TB, 4 * H, H);
    add(`out   H·Whyᵀ   TB=${TB} H=${H} V=65`, false, true, TB, 65, H);
    add(`dW    dGᵀ·H    TB=${TB} H=${H} G=4`, true, false, 4 * H, H, TB);
    add(`dX    dG·W     TB=${TB} H=${H} G=4`, false, false, TB, H, 4 * H);
    add(`step  dG·Whh   B=${B} H=${H} G=4`, false, false, B, H, 4 * H);
  }
  add('step  h·Whhᵀ   B=32 H=100 G=1', false, true, 32, 100, 100);
  add('square (the micro-kernel at its best)', false, false, 1024, 1024, 1024);
  return s;
}

/** Median GFLOP/s of 3 timed runs (each ≥ minSeconds) after a warm-up. */
export function timeGemm(k: Kernels, sh: GemmShape, minSeconds = 0.15): number {
  const { tA, tB, M, N, K } = sh;
  const A = k.alloc(M * K), B = k.alloc(K * N), C = k.alloc(M * N);
  for (let i = 0; i < A.length; i++) A[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  for (let i = 0; i < B.length; i++) B[i] = ((i * 104729) % 1000) / 1000 - 0.5;
  const lda = tA ? M : K, ldb = tB ? K : N;
  const once = (): void => k.gemm(tA, tB, M, N, K, A, 0, lda, B, 0, ldb, 0, C, 0, N);
  once();
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let r = 0; r < reps; r++) once();
    if ((performance.now() - t) / 1000 >= minSeconds / 4 || reps > 1e6) break;
    reps *= 2;
  }
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    let n = 0;
    const t = performance.now();
    let dt = 0;
    do {
      for (let r = 0; r < reps; r++) once();
      n += reps;
      dt = (performance.now() - t) / 1000;
    } while (dt < minSeconds);
    rates.push((2 * M * N * K * n) / dt / 1e9);
  }
  rates.sort((a, b) => a - b);
  return rates[1]!;
}

export async function runGemmBench(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<void> {
  const log = opts.log ?? ((s: string) => process.stdout.write(s + '\n'));
  log(machineLine());
  const js = await createKernels('js');
  const w1 = await createKernels('wasm', { threads: 1 });
  const w2 = await createKernels('wasm', { threads: 2 });
  const s1 = await createKernels('wasm', { threads: 1, relaxed: false });
  const natives = fastestBackend() === 'native' ? [await createKernels('native', { threads: 1 }), await createKernels('native', { threads: 2 })] : [];
  const sets: [string, Kernels][] = [[`js`, js], ...[s1, w1, w2, ...natives].map((k): [string, Kernels] => [k.name, k])];
  log(`GFLOP/s (median of 3)\n${'shape'.padEnd(40)}${'M×N×K'.padEnd(18)}${sets.map(([n]) => n.padStart(22)).join('')}`);
  for (const sh of gemmShapes()) {
    const cells: string[] = [];
    for (const [name, k] of sets) {
      const flops = 2 * sh.M * sh.N * sh.K;
      if (name === 'js' && (opts.quick || flops > 3e8)) {
        cells.push('-'.padStart(22));
        continue;
      }
      cells.push(timeGemm(k, sh, opts.quick ? 0.05 : 0.15).toFixed(2).padStart(22));
    }
    log(`${sh.name.padEnd(40)}${`${sh.M}×${sh.N}×${sh.K}`.padEnd(18)}${cells.join('')}`);
  }
  for (const k of [w1, w2, s1, ...natives]) k.close?.();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runGemmBench({ quick: process.argv.includes('--quick') });
}
