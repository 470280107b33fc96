import { describe, expect, it } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import { createModel } from '../../src/engine/create.ts';
import type { Vec } from '../../src/engine/types.ts';
import { Rng } from '../../src/util/rng.ts';
import { tinyConfig, variants } from './variants.ts';

const f64 = referenceKernels('f64');
const f32 = referenceKernels('f32');

function randomTokens(rng: Rng, n: number, V: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(V));
}

describe('model: structure and initialisation', () => {
  it('names and shapes follow PyTorch, with the documented variant shapes', () => {
    const names = (over: object) => createModel(tinyConfig(over, { layers: 2 }), f64, new Rng(1)).params.map((p) => `${p.name}:${p.shape.join('x')}`);
    expect(names({ cell: 'lstm' })).toEqual([
      'rnn.weight_ih_l0:20x6', 'rnn.weight_hh_l0:20x5', 'rnn.bias_ih_l0:20', 'rnn.bias_hh_l0:20',
      'rnn.weight_ih_l1:20x5', 'rnn.weight_hh_l1:20x5', 'rnn.bias_ih_l1:20', 'rnn.bias_hh_l1:20',
      'out.weight:6x5', 'out.bias:6',
    ]);
    expect(names({ cell: 'lstm', peephole: true })).toContain('rnn.weight_ci_l1:5');
    expect(names({ cell: 'lstm', peephole: true, coupled: true }).filter((n) => n.includes('_l0'))).toEqual([
      'rnn.weight_ih_l0:15x6', 'rnn.weight_hh_l0:15x5', 'rnn.bias_ih_l0:15', 'rnn.bias_hh_l0:15', 'rnn.weight_cf_l0:5', 'rnn.weight_co_l0:5',
    ]);
    expect(names({ cell: 'gru' })).toContain('rnn.weight_hh_l1:15x5');
    expect(names({ cell: 'gru', minimal: true })).toContain('rnn.weight_ih_l0:10x6');
    expect(names({ cell: 'rnn' })).toContain('rnn.weight_hh_l0:5x5');
  });

  it('init: U(−1/√H, 1/√H), LSTM forget bias totals 1, deterministic in the seed', () => {
    const H = 16;
    const m = createModel(tinyConfig({ cell: 'lstm' }, { hidden: H }), f64, new Rng(2));
    const k = 1 / Math.sqrt(H);
    for (const p of m.params) {
      const forget = p.name.startsWith('rnn.bias_ih') ? (j: number) => j >= H && j < 2 * H : () => false;
      p.data.forEach((v, j) => expect(forget(j) || Math.abs(v) <= k).toBe(true));
    }
    const bi = m.param('rnn.bias_ih_l0').data, bh = m.param('rnn.bias_hh_l0').data;
    for (let j = 0; j < H; j++) expect(bi[H + j]! + bh[H + j]!).toBe(1);
    expect(Math.abs(bi[0]!)).toBeLessThan(1);
    const again = createModel(tinyConfig({ cell: 'lstm' }, { hidden: H }), f64, new Rng(2));
    expect(again.params.map((p) => Array.from(p.data))).toEqual(m.params.map((p) => Array.from(p.data)));
    const coupled = createModel(tinyConfig({ cell: 'lstm', coupled: true }, { hidden: H }), f64, new Rng(2));
    expect(coupled.param('rnn.bias_ih_l0').data[0]).toBe(1); // forget block first when coupled
  });

  it('rejects minimal + reset-after, and out-of-range tokens', () => {
    expect(() => createModel(tinyConfig({ cell: 'gru', minimal: true, resetAfter: true }), f64, new Rng(1))).toThrow(RnnError);
    const m = createModel(tinyConfig({ cell: 'rnn' }), f64, new Rng(1));
    expect(() => m.logits(Int32Array.of(6), 1, 1, m.newState(1))).toThrow(RnnError);
  });

  for (const v of variants) {
    it(`${v.label}: the initial loss of a fresh model is ≈ ln V`, () => {
      const V = 40;
      const m = createModel(tinyConfig(v.over, { hidden: 32, layers: 2, vocabSize: V }), f32, new Rng(3));
      const rng = new Rng(4);
      const T = 20, B = 4;
      const loss = m.lossAndGrad(randomTokens(rng, T * B, V), randomTokens(rng, T * B, V), T, B, m.newState(B), null);
      expect(Math.abs(loss - Math.log(V))).toBeLessThan(0.1);
    });
  }
});

describe('model: state', () => {
  for (const v of variants) {
    it(`${v.label}: one T=6 block equals two T=3 blocks with the carried state, and T=1 steps`, () => {
      const m = createModel(tinyConfig(v.over, { layers: 2 }), f64, new Rng(5));
      const rng = new Rng(6);
      const B = 2, V = 6;
      const x = randomTokens(rng, 6 * B, V);
      const s1 = m.newState(B);
      const whole = Array.from(m.logits(x, 6, B, s1));
      const s2 = m.newState(B);
      const parts = [...Array.from(m.logits(x.subarray(0, 3 * B), 3, B, s2)), ...Array.from(m.logits(x.subarray(3 * B), 3, B, s2))];
      whole.forEach((z, i) => expect(parts[i]).toBeCloseTo(z, 12));
      expect(Array.from(s2)).toEqual(Array.from(s1));
      // stream 1 alone, one token at a time (the sampler's T=1, B=1 calls)
      const s3 = m.newState(1);
      for (let t = 0; t < 6; t++) {
        const z = m.logits(Int32Array.of(x[t * B + 1]!), 1, 1, s3);
        for (let k = 0; k < V; k++) expect(z[k]).toBeCloseTo(whole[(t * B + 1) * V + k]!, 12);
      }
      // lossAndGrad leaves the same carried state as logits
      const s4 = m.newState(B);
      m.lossAndGrad(x, x, 6, B, s4, null);
      expect(Array.from(s4)).toEqual(Array.from(s1));
    });
  }

  it('stateSize, newState and resetStream zero exactly one stream in every layer and block', () => {
    const m = createModel(tinyConfig({ cell: 'lstm' }, { layers: 2, hidden: 3 }), f64, new Rng(1));
    const B = 3;
    expect(m.stateSize(B)).toBe(2 * 2 * B * 3);
    const s = m.newState(B).fill(1);
    m.resetStream(s, B, 1);
    // layout: per layer, h (B, H) then c (B, H): stream 1 is elements 3..5 of every block of 9
    expect(Array.from(s)).toEqual(Array.from({ length: 36 }, (_, i) => (i % 9 >= 3 && i % 9 < 6 ? 0 : 1)));
  });
});

describe('model: float32 and float64 paths agree', () => {
  for (const v of variants) {
    it(v.label, () => {
      const cfg = tinyConfig(v.over, { layers: 2, hidden: 8, vocabSize: 9 });
      const a = createModel(cfg, f64, new Rng(7));
      const b = createModel(cfg, f32, new Rng(7));
      const rng = new Rng(8);
      const T = 5, B = 3;
      const x = randomTokens(rng, T * B, 9), y = randomTokens(rng, T * B, 9);
      const la = a.lossAndGrad(x, y, T, B, a.newState(B), null);
      const lb = b.lossAndGrad(x, y, T, B, b.newState(B), null);
      expect(Math.abs(la - lb)).toBeLessThan(1e-5);
      a.params.forEach((p, i) => {
        const q = b.params[i]!;
        for (let j = 0; j < p.grad.length; j++) expect(Math.abs(p.grad[j]! - q.grad[j]!), p.name).toBeLessThan(1e-5);
      });
      for (let j = 0; j < a.dState0.length; j++) expect(Math.abs(a.dState0[j]! - b.dState0[j]!)).toBeLessThan(1e-5);
    });
  }
});

describe('model: dropout between layers', () => {
  it('is driven by the rng, off without it, and its gradient is exact for a fixed mask', () => {
    const cfg = tinyConfig({ cell: 'lstm' }, { layers: 3, dropout: 0.4 });
    const m = createModel(cfg, f64, new Rng(9));
    const rng = new Rng(10);
    const T = 4, B = 2;
    const x = randomTokens(rng, T * B, 6), y = randomTokens(rng, T * B, 6);
    const lossWith = (seed: number | null): number => m.lossAndGrad(x, y, T, B, m.newState(B), seed === null ? null : new Rng(seed));
    const plain = lossWith(null);
    expect(lossWith(1)).not.toBeCloseTo(plain, 6);
    expect(lossWith(1)).toBe(lossWith(1));
    expect(lossWith(2)).not.toBe(lossWith(1));
    const noDrop = createModel({ ...cfg, dropout: 0 }, f64, new Rng(9));
    expect(noDrop.lossAndGrad(x, y, T, B, noDrop.newState(B), new Rng(1))).toBe(plain);
    // centred differences with the same mask (same rng seed) for a weight below the dropout
    m.zeroGrad();
    lossWith(3);
    const w = m.param('rnn.weight_ih_l1');
    const analytic = Array.from(w.grad);
    const eps = 1e-5;
    for (const i of [0, 7, 33, 51]) {
      const orig = w.data[i]!;
      w.data[i] = orig + eps;
      const fp = lossWith(3);
      w.data[i] = orig - eps;
      const fm = lossWith(3);
      w.data[i] = orig;
      const num = (fp - fm) / (2 * eps);
      expect(Math.abs(num - analytic[i]!) / Math.max(Math.abs(num) + Math.abs(analytic[i]!), 1e-6)).toBeLessThan(1e-6);
    }
  });
});

describe('model: every cell learns a small repeated text', () => {
  const text = 'the cat sat on the mat. ';
  const chars = [...new Set(text)];
  const V = chars.length;
  const ids = Int32Array.from([...text.repeat(40)].map((c) => chars.indexOf(c)));

  for (const v of variants) {
    it(v.label, () => {
      const m = createModel(tinyConfig(v.over, { hidden: 24, vocabSize: V }), f32, new Rng(12));
      const T = 16, B = 4;
      const state = m.newState(B);
      const x = new Int32Array(T * B), y = new Int32Array(T * B);
      // Adam
      const mom = m.params.map((p) => new Float64Array(p.data.length));
      const vel = m.params.map((p) => new Float64Array(p.data.length));
      const lr = 0.02, b1 = 0.9, b2 = 0.999;
      let pos = Array.from({ length: B }, (_, b) => b * 200);
      let loss = Infinity;
      for (let step = 1; step <= 150; step++) {
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            x[t * B + b] = ids[pos[b]! + t]!;
            y[t * B + b] = ids[pos[b]! + t + 1]!;
          }
        }
        pos = pos.map((p) => (p + T + T + 1 < ids.length ? p + T : 0));
        m.zeroGrad();
        loss = m.lossAndGrad(x, y, T, B, state, null);
        m.params.forEach((p, k) => {
          const g: Vec = p.grad;
          for (let j = 0; j < g.length; j++) {
            mom[k]![j] = b1 * mom[k]![j]! + (1 - b1) * g[j]!;
            vel[k]![j] = b2 * vel[k]![j]! + (1 - b2) * g[j]! * g[j]!;
            const mh = mom[k]![j]! / (1 - b1 ** step), vh = vel[k]![j]! / (1 - b2 ** step);
            p.data[j] -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
          }
        });
      }
      expect(loss).toBeLessThan(0.15 * Math.log(V));
    });
  }
});
