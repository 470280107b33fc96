import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import type { Param } from '../../src/engine/types.ts';
import { clipGradients, gradNorm } from '../../src/train/clip.ts';
import { createOptimizer, defaultLr, type OptimizerKind } from '../../src/train/optimizers.ts';
import { learningRate, MIN_FACTOR, stepsInTime, WARMUP_STEPS } from '../../src/train/schedule.ts';
import { rnn, tempDir } from '../cli/run.ts';

const k = referenceKernels('f32');

function param(values: number[], grads: number[]): Param {
  return { name: 'w', shape: [values.length], data: Float32Array.from(values), grad: Float32Array.from(grads) };
}

describe('optimizers', () => {
  it('take the textbook first step', () => {
    const g = 0.5, lr = 0.1;
    const expected: Record<OptimizerKind, number> = {
      sgd: 1 - lr * g, // v = g
      adagrad: 1 - (lr * g) / Math.sqrt(g * g + 1e-8),
      rmsprop: 1 - (lr * g) / (Math.sqrt(0.05 * g * g) + 1e-8),
      adam: 1 - (lr * ((0.1 * g) / 0.1)) / (Math.sqrt((0.001 * g * g) / 0.001) + 1e-8), // bias-corrected: ≈ 1 − lr
    };
    for (const kind of Object.keys(expected) as OptimizerKind[]) {
      const p = param([1], [g]);
      createOptimizer(kind, [p], k).step(lr);
      expect(p.data[0], kind).toBeCloseTo(expected[kind], 6);
    }
  });

  it('minimise a quadratic', () => {
    for (const kind of ['sgd', 'adagrad', 'rmsprop', 'adam'] as OptimizerKind[]) {
      const p = param([3, -2], [0, 0]);
      const opt = createOptimizer(kind, [p], k);
      for (let i = 0; i < 500; i++) {
        for (let j = 0; j < 2; j++) p.grad[j] = 2 * p.data[j]; // ∇ of w₀² + w₁²
        opt.step({ sgd: 0.05, adagrad: 0.5, rmsprop: 0.01, adam: 0.05 }[kind]);
      }
      expect(Math.abs(p.data[0]) + Math.abs(p.data[1]), kind).toBeLessThan(0.05);
      expect(opt.t).toBe(500);
    }
  });

  it('--weight-decay: the weight matrices shrink by lr·λ before each update; biases and peepholes do not', () => {
    for (const kind of ['sgd', 'adagrad', 'rmsprop', 'adam'] as OptimizerKind[]) {
      const w: Param = { name: 'weight', shape: [2, 1], data: Float32Array.from([2, -4]), grad: new Float32Array(2) };
      const b = param([3], [0]);
      const opt = createOptimizer(kind, [w, b], k, { weightDecay: 0.5 });
      opt.step(0.1);
      opt.step(0.1); // zero gradients: only the decay moves w
      expect(w.data[0], kind).toBeCloseTo(2 * 0.95 * 0.95, 6);
      expect(w.data[1], kind).toBeCloseTo(-4 * 0.95 * 0.95, 6);
      expect(b.data[0], kind).toBe(3);
    }
  });

  it('expose their moments by name, for checkpoints', () => {
    const opt = createOptimizer('adam', [param([1, 2], [0.1, 0.2])], k);
    opt.step(0.01);
    expect([...opt.moments().keys()]).toEqual(['w.exp_avg', 'w.exp_avg_sq']);
    expect(opt.moments().get('w.exp_avg')![1]).toBeCloseTo(0.02, 6);
  });
});

describe('clipping', () => {
  it('by norm rescales to the threshold', () => {
    const p = param([0, 0], [3, 4]);
    const r = clipGradients([p], 'norm', 1, k);
    expect(r).toEqual({ norm: 5, clipped: true });
    expect(gradNorm([p], k)).toBeCloseTo(1, 6);
    expect(p.grad[0]).toBeCloseTo(0.6, 6);
  });

  it('by norm leaves small gradients alone', () => {
    const p = param([0, 0], [0.3, 0.4]);
    expect(clipGradients([p], 'norm', 1, k).clipped).toBe(false);
    expect(p.grad[1]).toBeCloseTo(0.4, 6);
  });

  it('by value clamps each entry', () => {
    const p = param([0, 0, 0], [-9, 2, 7]);
    expect(clipGradients([p], 'value', 5, k).clipped).toBe(true);
    expect([...p.grad]).toEqual([-5, 2, 5]);
  });

  it('reports a non-finite norm', () => {
    expect(Number.isFinite(clipGradients([param([0], [NaN])], 'norm', 5, k).norm)).toBe(false);
  });
});

describe('learning-rate schedules', () => {
  it('step: down every `every` steps after `start`', () => {
    const s = { kind: 'step' as const, lr: 1, decay: 0.5, every: 10, start: 100, total: null };
    expect(learningRate(s, 0)).toBe(1);
    expect(learningRate(s, 109)).toBe(1);
    expect(learningRate(s, 110)).toBe(0.5);
    expect(learningRate(s, 125)).toBe(0.25);
    expect(learningRate(s, 10_000)).toBe(0.01); // the floor
  });

  it('cosine: a linear warm-up, then down to the floor exactly at the planned step; lr held while there is no plan', () => {
    const s = { kind: 'cosine' as const, lr: 2, decay: 0.85, every: 500, start: 1000, total: 5000 as number | null };
    expect(learningRate(s, 0)).toBeCloseTo(2 / WARMUP_STEPS, 12);
    expect(learningRate(s, WARMUP_STEPS - 1)).toBeCloseTo(2, 12);
    const mid = WARMUP_STEPS + (5000 - WARMUP_STEPS) / 2;
    expect(learningRate(s, mid)).toBeCloseTo(2 * (MIN_FACTOR + (1 - MIN_FACTOR) / 2), 12);
    expect(learningRate(s, 5000)).toBeCloseTo(2 * MIN_FACTOR, 12);
    expect(learningRate(s, 9000)).toBeCloseTo(2 * MIN_FACTOR, 12); // past the plan: the floor
    let prev = Infinity;
    for (let t = WARMUP_STEPS; t <= 5000; t += 37) {
      const lr = learningRate(s, t);
      expect(lr).toBeLessThanOrEqual(prev);
      prev = lr;
    }
    // a short plan warms up over a tenth of it
    expect(learningRate({ ...s, total: 50 }, 4)).toBeCloseTo(2, 12);
    expect(learningRate({ ...s, total: 50 }, 0)).toBeCloseTo(0.4, 12);
    // no plan yet (a time budget before its speed is known): warm up, then hold
    expect(learningRate({ ...s, total: null }, 10_000)).toBe(2);
  });

  it('a time budget plans the steps that fit in the time left at the speed measured', () => {
    expect(stepsInTime(100, 10, 600, 20)).toBe(100 + 590 * 20);
    expect(stepsInTime(100, 700, 600, 20)).toBe(100); // over time: no more
  });
});

describe('the default learning rate', () => {
  it("Adam's is 0.01·min(1, 128/H), a tenth of it for a ReLU RNN, which at 0.01 blows up within three steps", () => {
    const shape = (cell: 'rnn' | 'lstm', activation: 'tanh' | 'relu', hidden: number) => ({ cell, activation, hidden });
    expect(defaultLr('adam', shape('lstm', 'tanh', 64))).toBe(0.01);
    expect(defaultLr('adam', shape('rnn', 'tanh', 256))).toBe(0.005);
    expect(defaultLr('adam', shape('rnn', 'relu', 128))).toBe(0.001);
    expect(defaultLr('adam', shape('lstm', 'relu', 128))).toBe(0.01); // the activation is the plain RNN's only
    expect(defaultLr('adagrad', shape('rnn', 'relu', 128))).toBe(0.1);
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt')).subarray(0, 100_000));
    // the rate itself from the first step: the step schedule (the cosine one would warm up)
    const relu = ['train', 'c.txt', '--cell', 'rnn', '--activation', 'relu', '--hidden', '128', '--steps', '20', '--seed', '1', '--lr-schedule', 'step', '--quiet', '--force'];
    expect(rnn(relu, { cwd: dir }).code).toBe(0);
    const usual = rnn([...relu, '--lr', '0.01'], { cwd: dir });
    expect(usual.code).toBe(1);
    expect(usual.stderr).toMatch(/the loss diverged[^]*hint: lower the learning rate/);
  });
});
