/**
 * Throughput of the standard configurations (`rnn bench`, src/cli/bench.ts). Every job runs in a
 * fresh child process (`rnn bench --child JOB`, so its peak RSS is its own); with `compare` the
 * PyTorch reference (scripts/torch_charlm.py) runs the same job at 1 and 2 threads in the same run
 * and the ratio is taken against its better thread count.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createKernels, fastestBackend, type Backend } from '../engine/kernels/index.js';
import { machineLine } from './machine.js';
import { CONFIGS, SAMPLE_MODELS, evalPass, flopsPerCharFwd, loadData, median, sampler, timeReps, trainStep } from './workloads.js';

export interface BenchOptions {
  /** Jobs: C1…C6 (training), S128 / S512 (batch-1 sampling), E3 (evaluation of C3). Default: all. */
  configs?: string[];
  compare?: boolean;
  threads?: number;
  kernels?: Backend;
  /** Minimum seconds per timed repetition [1]. */
  seconds?: number;
  /** PyTorch's --budget (seconds for its 3 reps together) [20]. */
  budget?: number;
  /** Where each line of the report goes. */
  log: (line: string) => void;
}

export interface JobResult {
  job: string;
  charsPerS: number;
  reps: number[];
  msPerStep?: number;
  gflops: number;
  maxRssMb: number;
  kernels: string;
  loss?: number;
}

export interface TorchResult { charsPerS: number; gflops: number; maxRssMb: number; blas: string; torch: string; threads: number }

export const ALL_JOBS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'S128', 'S512', 'E3'];
const TORCH_SCRIPT = fileURLToPath(new URL('../../scripts/torch_charlm.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** Run one job in this process (the child side). */
export async function runJob(job: string, threads: number, kernelsKind: Backend, seconds: number): Promise<JobResult> {
  const kernels = await createKernels(kernelsKind, { threads });
  const data = loadData();
  const V = data.V;
  let res: Omit<JobResult, 'maxRssMb' | 'kernels'>;
  if (job.startsWith('C')) {
    const c = CONFIGS.find((x) => x.name === job)!;
    const { step, lastLoss } = trainStep(c, kernels, data);
    const reps = timeReps(step, 3, seconds, 3);
    const cps = median(reps);
    res = {
      job, charsPerS: cps, reps, msPerStep: (1000 * c.batch * c.seq) / cps,
      gflops: (cps * 3 * flopsPerCharFwd(c.cell, c.hidden, c.layers, V)) / 1e9, loss: lastLoss(),
    };
  } else if (job === 'E3') {
    const c = CONFIGS.find((x) => x.name === 'C3')!;
    const pass = evalPass(c, kernels, data);
    pass(0.5);
    const reps = timeReps(() => pass(seconds), 0, 0, 1);
    const cps = median(reps);
    res = { job, charsPerS: cps, reps, gflops: (cps * flopsPerCharFwd('lstm', c.hidden, c.layers, V)) / 1e9 };
  } else {
    const m = job === 'S128' ? SAMPLE_MODELS.lstm128 : SAMPLE_MODELS.lstm512x2;
    const gen = sampler(m.hidden, m.layers, kernels, V);
    const reps = timeReps(() => gen(2000), 1, 0, 1);
    const cps = median(reps);
    res = { job, charsPerS: cps, reps, gflops: (cps * flopsPerCharFwd('lstm', m.hidden, m.layers, V)) / 1e9 };
  }
  kernels.close?.();
  return { ...res, maxRssMb: process.resourceUsage().maxRSS / 1024, kernels: kernels.name };
}

function torchArgs(job: string): string[] {
  if (job.startsWith('C')) return ['train', job];
  if (job === 'E3') return ['eval', 'C3'];
  return ['sample', job === 'S128' ? 'lstm128' : 'lstm512x2'];
}

/** Whether /usr/bin/python3 can import torch (and the script exists). */
export function torchAvailable(): string | null {
  if (!existsSync(TORCH_SCRIPT)) return `${TORCH_SCRIPT} not found`;
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'torch is not installed for /usr/bin/python3 (apt-get install -y python3-torch libopenblas0-openmp)';
}

/** One PyTorch run, its peak RSS taken by a wrapper around the script. */
export function runTorch(job: string, threads: number, budget: number): TorchResult {
  const wrapper = [
    'import sys, runpy, resource',
    'sys.argv = sys.argv[1:]',
    'try:',
    '    runpy.run_path(sys.argv[0], run_name="__main__")',
    'finally:',
    '    sys.stderr.write("MAXRSS_KB %d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', wrapper, TORCH_SCRIPT, ...torchArgs(job), String(threads), '--budget', String(budget)], {
    encoding: 'utf8', maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`torch_charlm.py ${torchArgs(job).join(' ')} ${threads} failed: ${r.stderr.slice(-500)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { chars_per_s: number; gflops: number; blas: string; torch: string };
  const rss = /MAXRSS_KB (\d+)/.exec(r.stderr);
  return { charsPerS: j.chars_per_s, gflops: j.gflops, blas: j.blas, torch: j.torch, threads, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN };
}

const RNN_BIN = fileURLToPath(new URL('../../bin/rnn.js', import.meta.url));

function runChild(job: string, threads: number, kernels: string, seconds: number): JobResult {
  const out = execFileSync(process.execPath, [RNN_BIN, 'bench', '--child', job, '--threads', String(threads), '--kernels', kernels, '--seconds', String(seconds)], {
    encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as JobResult;
}

/** Two runs of one job as one: the median over all their reps, the figures derived from it rescaled. */
function pooled(a: JobResult, b: JobResult): JobResult {
  const reps = [...a.reps, ...b.reps];
  const sorted = [...reps].sort((x, y) => x - y);
  const charsPerS = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
  const k = charsPerS / a.charsPerS;
  return {
    ...a, charsPerS, reps, gflops: a.gflops * k, maxRssMb: Math.max(a.maxRssMb, b.maxRssMb),
    ...(a.msPerStep === undefined ? {} : { msPerStep: a.msPerStep / k }),
  };
}

const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '-');

export async function runBench(o: BenchOptions): Promise<{ rnn: JobResult[]; torch: Record<string, TorchResult[]> }> {
  const log = o.log;
  const jobs = o.configs?.length ? o.configs : ALL_JOBS;
  const threads = o.threads ?? availableParallelism();
  const kernels = o.kernels ?? fastestBackend();
  const seconds = o.seconds ?? 1;
  const budget = o.budget ?? 20;
  log(machineLine());
  let torchMissing: string | null = null;
  if (o.compare) {
    torchMissing = torchAvailable();
    if (torchMissing) log(`PyTorch: not available — ${torchMissing}; no comparison.`);
    else {
      const v = execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__); print(torch.__config__.show())'], { encoding: 'utf8' });
      const blasLine = /BLAS_INFO=[^,]+/.exec(v)?.[0] ?? 'BLAS_INFO=?';
      log(`PyTorch ${v.split('\n')[0]}; ${blasLine}`);
    }
  }
  log(`rnn kernels: ${kernels}${kernels !== 'js' ? `, ${threads} thread(s)` : ''}; medians of 3 reps (≥ ${seconds} s each) after warm-up${o.compare && !torchMissing ? ', run before and after PyTorch (median of the 6)' : ''}`);
  const head = ['job', 'rnn chars/s', 'ms/step', 'GFLOP/s', 'RSS MB'];
  if (o.compare && !torchMissing) head.push('torch 1t', 'torch 2t', 'torch GF/s', 'torch RSS', 'ratio');
  log(head.map((h, i) => (i === 0 ? h.padEnd(6) : h.padStart(11))).join(''));
  const rnn: JobResult[] = [];
  const torch: Record<string, TorchResult[]> = {};
  for (const job of jobs) {
    let r = runChild(job, threads, kernels, seconds);
    let t: TorchResult[] = [];
    if (o.compare && !torchMissing) {
      // rnn before and after PyTorch, so that a slow spell of a shared machine hits both sides alike
      t = [runTorch(job, 1, budget), runTorch(job, 2, budget)];
      r = pooled(r, runChild(job, threads, kernels, seconds));
    }
    rnn.push(r);
    const cells = [job.padEnd(6), f0(r.charsPerS), r.msPerStep === undefined ? '-' : f2(r.msPerStep), f2(r.gflops), f0(r.maxRssMb)];
    if (t.length > 0) {
      torch[job] = t;
      const best = t[0]!.charsPerS >= t[1]!.charsPerS ? t[0]! : t[1]!;
      cells.push(f0(t[0]!.charsPerS), f0(t[1]!.charsPerS), f2(best.gflops), f0(best.maxRssMb), `${(r.charsPerS / best.charsPerS).toFixed(2)}×`);
    }
    log(cells.map((c, i) => (i === 0 ? c : c.padStart(11))).join(''));
  }
  const any = Object.values(torch)[0]?.[0];
  if (any) log(`PyTorch ${any.torch}, BLAS (libblas.so.3 → ${any.blas}); ratio = rnn ÷ PyTorch at its better thread count`);
  return { rnn, torch };
}
