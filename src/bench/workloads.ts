import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultModelConfig, type CellKind, type ModelConfig } from '../engine/config.js';
import type { Kernels } from '../engine/kernels/index.js';
import { createModel } from '../engine/create.js';
import { clipGradients } from '../train/clip.js';
import { createOptimizer } from '../train/optimizers.js';
import { TokenSampler } from '../sample/distribution.js';
import { Rng } from '../util/rng.js';

/** The standard configurations (the same table as scripts/torch_charlm.py). */
export interface BenchConfig { name: string; cell: CellKind; hidden: number; layers: number; batch: number; seq: number; optimizer: 'adam' | 'adagrad' }
export const CONFIGS: readonly BenchConfig[] = [
  { name: 'C1', cell: 'rnn', hidden: 100, layers: 1, batch: 1, seq: 25, optimizer: 'adagrad' },
  { name: 'C2', cell: 'lstm', hidden: 128, layers: 1, batch: 32, seq: 64, optimizer: 'adam' },
  { name: 'C3', cell: 'lstm', hidden: 256, layers: 2, batch: 32, seq: 64, optimizer: 'adam' },
  { name: 'C4', cell: 'lstm', hidden: 512, layers: 2, batch: 64, seq: 100, optimizer: 'adam' },
  { name: 'C5', cell: 'gru', hidden: 256, layers: 2, batch: 32, seq: 64, optimizer: 'adam' },
  { name: 'C6', cell: 'rnn', hidden: 256, layers: 1, batch: 32, seq: 64, optimizer: 'adam' },
];
export const SAMPLE_MODELS = { lstm128: { hidden: 128, layers: 1 }, lstm512x2: { hidden: 512, layers: 2 } } as const;

/** Each job in a line: what it trains, samples or evaluates. */
export function describeJobs(): string[] {
  const train = CONFIGS.map((c) =>
    `${c.name.padEnd(5)} ${(c.cell === 'rnn' ? 'rnn tanh' : c.cell).padEnd(8)} ${c.hidden} × ${c.layers}, batch ${c.batch}, ${c.seq} steps, ${c.optimizer}: training chars/s`);
  return [
    ...train,
    `S128  lstm ${SAMPLE_MODELS.lstm128.hidden} × ${SAMPLE_MODELS.lstm128.layers}: sampling chars/s, one stream`,
    `S512  lstm ${SAMPLE_MODELS.lstm512x2.hidden} × ${SAMPLE_MODELS.lstm512x2.layers}: sampling chars/s, one stream`,
    'E3    the C3 model: evaluation chars/s',
  ];
}

/** Forward FLOPs per character (as torch_charlm.py counts them); training is 3×. */
export function flopsPerCharFwd(cell: CellKind, H: number, L: number, V: number): number {
  const G = { rnn: 1, lstm: 4, gru: 3 }[cell];
  let f = 0;
  let inp = V;
  for (let l = 0; l < L; l++) {
    f += 2 * G * H * (H + inp);
    inp = H;
  }
  return f + 2 * H * V;
}

/** tinyshakespeare as ids of its sorted character set (V = 65, as the PyTorch script). */
export function loadData(): { ids: Int32Array; V: number } {
  let text = '';
  for (const rel of ['../../corpora/tinyshakespeare.txt']) {
    try {
      text = readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
      break;
    } catch {
      // try the next
    }
  }
  if (!text) throw new Error('bench: tinyshakespeare.txt not found');
  const chars = [...new Set(text)].sort();
  const stoi = new Map(chars.map((c, i) => [c, i]));
  const ids = new Int32Array(text.length);
  let n = 0;
  for (const ch of text) ids[n++] = stoi.get(ch)!;
  return { ids: ids.subarray(0, n), V: chars.length };
}

export function modelConfig(cell: CellKind, hidden: number, layers: number, V: number): ModelConfig {
  return { ...defaultModelConfig, cell, hidden, layers, vocabSize: V };
}

/** Repetitions: warm-up, then 3 timed reps of ≥ minSeconds (and ≥ minIters); returns per-rep rates of `units`/s. */
export function timeReps(once: () => number, warmup: number, minSeconds: number, minIters: number): number[] {
  for (let i = 0; i < warmup; i++) once();
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    let units = 0;
    let iters = 0;
    const t = performance.now();
    let dt = 0;
    do {
      units += once();
      iters++;
      dt = (performance.now() - t) / 1000;
    } while (dt < minSeconds || iters < minIters);
    rates.push(units / dt);
  }
  return rates;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One training step closure (lossAndGrad + clip + optimiser step), torch_charlm.py's data order. */
export function trainStep(c: BenchConfig, kernels: Kernels, data: { ids: Int32Array; V: number }): { step: () => number; lastLoss: () => number } {
  const { batch: B, seq: T } = c;
  const model = createModel(modelConfig(c.cell, c.hidden, c.layers, data.V), kernels, new Rng(0));
  const opt = createOptimizer(c.optimizer, model.params, kernels);
  const lr = c.optimizer === 'adagrad' ? 0.1 : 2e-3;
  const [mode, clip] = c.optimizer === 'adagrad' ? ['value', 5] as const : ['norm', 5] as const;
  const N = data.ids.length;
  const stride = Math.floor((N - T - 1) / B);
  const x = new Int32Array(T * B), y = new Int32Array(T * B);
  let state = model.newState(B);
  let pos = 0;
  let loss = NaN;
  const step = (): number => {
    if (pos + T + 1 > stride) {
      pos = 0;
      state = model.newState(B);
    }
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      const at = b * stride + pos + t;
      x[t * B + b] = data.ids[at]!;
      y[t * B + b] = data.ids[at + 1]!;
    }
    model.zeroGrad();
    loss = model.lossAndGrad(x, y, T, B, state, null);
    clipGradients(model.params, mode, clip, kernels);
    opt.step(lr);
    pos += T;
    return B * T;
  };
  return { step, lastLoss: () => loss };
}

/** Evaluation over 32 streams in blocks of T (forward + log-probabilities), ≤ 100k chars per pass. */
export function evalPass(c: BenchConfig, kernels: Kernels, data: { ids: Int32Array; V: number }): (limitS: number) => number {
  const B = 32, T = c.seq;
  const model = createModel(modelConfig(c.cell, c.hidden, c.layers, data.V), kernels, new Rng(0));
  const perStream = Math.floor(100_000 / B);
  const x = new Int32Array(T * B), y = new Int32Array(T * B);
  const out = new Float64Array(T * B);
  return (limitS) => {
    const state = model.newState(B);
    let done = 0;
    const t0 = performance.now();
    for (let s = 0; s < perStream - 1; s += T) {
      const Tn = Math.min(T, perStream - 1 - s);
      for (let t = 0; t < Tn; t++) for (let b = 0; b < B; b++) {
        x[t * B + b] = data.ids[b * perStream + s + t]!;
        y[t * B + b] = data.ids[b * perStream + s + t + 1]!;
      }
      const z = model.logits(x.subarray(0, Tn * B), Tn, B, state);
      kernels.logProbs(Tn * B, data.V, z, y.subarray(0, Tn * B), out);
      done += Tn * B;
      if ((performance.now() - t0) / 1000 > limitS) break;
    }
    return done;
  };
}

/** Batch-1 sampling of n characters with the product's sampler, each drawn token fed back. */
export function sampler(hidden: number, layers: number, kernels: Kernels, V: number): (n: number) => number {
  const model = createModel(modelConfig('lstm', hidden, layers, V), kernels, new Rng(0));
  const rng = new Rng(1);
  const x = new Int32Array(1);
  const draw = new TokenSampler(V);
  return (n) => {
    const state = model.newState(1);
    x[0] = 0;
    for (let i = 0; i < n; i++) x[0] = draw.pick(model.logits(x, 1, 1, state), 0, rng);
    return n;
  };
}
