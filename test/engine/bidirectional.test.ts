import { describe, expect, it } from 'vitest';
import { BidirectionalLanguageModel, INPUT_MASK_RATE } from '../../src/engine/bidirectional.js';
import { gradcheck } from '../../src/engine/gradcheck.js';
import { createJsKernels } from '../../src/engine/kernels/js.js';
import { logProbs } from '../../src/engine/loss.js';
import { createModel } from '../../src/engine/model.js';
import { Rng } from '../../src/util/rng.js';
import { tinyConfig, variants } from './variants.js';

const f64 = createJsKernels('f64');

describe('bidirectional model', () => {
  it('has a forward and a reverse stack with PyTorch names and a (V, 2H) head', () => {
    const m = createModel(tinyConfig({ cell: 'lstm' }, { layers: 2, bidirectional: true }), f64, new Rng(1));
    expect(m).toBeInstanceOf(BidirectionalLanguageModel);
    const names = m.params.map((p) => `${p.name}:${p.shape.join('x')}`);
    expect(names).toContain('rnn.weight_ih_l0:20x6');
    expect(names).toContain('rnn.weight_ih_l0_reverse:20x6');
    expect(names).toContain('rnn.weight_hh_l1_reverse:20x5');
    expect(names).toContain('out.weight:6x10');
    expect(names).toContain('out.bias:6');
    expect(new Set(m.params.map((p) => p.name)).size).toBe(m.params.length);
  });

  it('never sees the token it predicts: changing x⟨t⟩ leaves row t of the logits unchanged', () => {
    const m = createModel(tinyConfig({ cell: 'gru' }, { layers: 2, bidirectional: true, hidden: 7 }), f64, new Rng(3)) as BidirectionalLanguageModel;
    const T = 6, B = 2;
    const x = Int32Array.from({ length: T * B }, (_, i) => (i * 5 + 1) % 6);
    const next = Int32Array.from([2, 3]);
    const run = (xs: Int32Array) => m.infillLogits(xs, next, T, B, m.newState(B), m.newBwdState(B)).slice();
    const base = run(x);
    for (let t = 0; t < T; t++) {
      const x2 = x.slice();
      x2[t * B + 1] = (x2[t * B + 1] + 1) % 6;
      const z = run(x2);
      for (let p = 0; p < T * B; p++) {
        const same = z.subarray(p * 6, p * 6 + 6).every((v, j) => v === base[p * 6 + j]);
        // stream 1's row t is unchanged; its other rows and stream 0 as they must be
        if (p === t * B + 1 || p % B === 0) expect(same, `row ${p}`).toBe(true);
        else if (T > 1) expect(same, `row ${p}`).toBe(false);
      }
    }
  });

  it('chunked inference equals one block: forward state carried right, backward state carried left', () => {
    const m = createModel(tinyConfig({ cell: 'lstm' }, { layers: 2, bidirectional: true }), f64, new Rng(4)) as BidirectionalLanguageModel;
    const N = 9, V = 6;
    const ids = Int32Array.from({ length: N }, (_, i) => (i * 7 + 3) % V);
    const end = Int32Array.from([0]);
    const whole = m.infillLogits(ids, end, N, 1, m.newState(1), m.newBwdState(1)).slice();
    // two chunks [0,4) and [4,9): backward first over the right chunk, then both left to right
    const bState = m.newBwdState(1);
    const bRight = bState.slice();
    m.advanceBackward(ids.subarray(4), end, 5, 1, bState);
    const fState = m.newState(1);
    const left = m.infillLogits(ids.subarray(0, 4), ids.subarray(4, 5), 4, 1, fState, bState).slice();
    const right = m.infillLogits(ids.subarray(4), end, 5, 1, fState, bRight).slice();
    const joined = [...left, ...right];
    joined.forEach((v, i) => expect(v).toBeCloseTo(whole[i]!, 12));
  });
});

describe('gradcheck: bidirectional BPTT gradients match centred differences (float64)', () => {
  for (const v of variants.filter((q) => ['rnn tanh', 'lstm', 'gru', 'lstm peephole coupled', 'gru resetAfter'].includes(q.label))) {
    for (const layers of [1, 2]) {
      it(`${v.label}, ${layers} layer(s)`, () => {
        const config = tinyConfig(v.over, { layers, dropout: 0.3, bidirectional: true });
        const results = gradcheck(config, { batch: 2, seqLength: 4, seed: 11 + layers });
        const names = results.map((r) => r.name);
        expect(names).toContain('state0');
        expect(names).toContain('rnn.weight_hh_l0_reverse');
        expect(names).toContain(`rnn.weight_ih_l${layers - 1}_reverse`);
        for (const r of results) {
          expect(r.checked).toBeGreaterThan(0);
          expect(r.maxRelErr, r.name).toBeLessThan(1e-6);
        }
      });
    }
  }

  it('T = 1 and B = 1 work', () => {
    const results = gradcheck(tinyConfig({ cell: 'lstm' }, { bidirectional: true }), { batch: 1, seqLength: 1, seed: 3 });
    for (const r of results) expect(r.maxRelErr, r.name).toBeLessThan(1e-6);
  });
});

describe('training-time input masking', () => {
  const RATE = 0.1;
  const T = 5, B = 3, V = 6, P = T * B;
  const setup = () => {
    const m = createModel(tinyConfig({ cell: 'lstm' }, { bidirectional: true }), f64, new Rng(21)) as BidirectionalLanguageModel;
    m.inputMaskRate = RATE;
    const r = new Rng(22);
    // no <UNK> in the data, so that a masked input is visible
    const x = Int32Array.from({ length: P }, () => 2 + r.int(V - 2));
    const y = Int32Array.from({ length: P }, () => 2 + r.int(V - 2));
    return { m, x, y };
  };
  // the mask lossAndGrad draws from Rng(seed): x's inputs, then next's
  const masked = (x: Int32Array, next: Int32Array, seed: number): Int32Array[] => {
    const r = new Rng(seed);
    const mx = x.map((k) => (r.uniform() < RATE ? 1 : k));
    const mn = next.map((k) => (r.uniform() < RATE ? 1 : k));
    return [mx, mn];
  };

  it('reads inputs (not targets) through a seeded <UNK> mask; off without an Rng', () => {
    const { m, x, y } = setup();
    const next = y.subarray((T - 1) * B, P);
    const loss = (seed: number | null): number => m.lossAndGrad(x, y, T, B, m.newState(B), seed === null ? null : new Rng(seed));
    // the infill NLL of x's own tokens, given inputs mx and next mn
    const nll = (mx: Int32Array, mn: Int32Array): number => {
      const z = m.infillLogits(mx, mn, T, B, m.newState(B), m.newBwdState(B));
      const lp = new Float64Array(P);
      logProbs(P, V, z, x, lp);
      return -lp.reduce((a, v) => a + v, 0) / P;
    };
    expect(loss(null)).toBeCloseTo(nll(x, next), 12);
    let differs = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const [mx, mn] = masked(x, next, seed);
      if (mx.some((k, i) => k !== x[i]) || mn.some((k, i) => k !== next[i])) differs++;
      expect(loss(seed)).toBeCloseTo(nll(mx, mn), 12);
      expect(loss(seed)).toBe(loss(seed));
    }
    expect(differs).toBeGreaterThan(0); // some seed masks something (P + B = 18 draws at ~0.1)
    expect(loss(null)).toBeCloseTo(nll(x, next), 12); // the no-Rng path is unchanged afterwards
  });

  it('its gradient is exact for a fixed mask (same Rng seed)', () => {
    const { m, x, y } = setup();
    let seed = 1; // the first seed whose mask hides some of x
    while (!masked(x, y.subarray((T - 1) * B, P), seed)[0]!.some((k) => k === 1)) seed++;
    const loss = (): number => m.lossAndGrad(x, y, T, B, m.newState(B), new Rng(seed));
    const names = ['rnn.weight_ih_l0', 'rnn.weight_ih_l0_reverse', 'rnn.weight_hh_l0_reverse', 'out.weight'];
    m.zeroGrad();
    loss();
    const grads = names.map((name) => Array.from(m.param(name).grad)); // before the differences add to them
    const eps = 1e-5;
    for (const [k, name] of names.entries()) {
      const w = m.param(name);
      const analytic = grads[k]!;
      for (const j of [0, 3, 7, w.data.length - 1]) {
        const v = w.data[j]!;
        w.data[j] = v + eps; const lp = loss();
        w.data[j] = v - eps; const lm = loss();
        w.data[j] = v;
        const numeric = (lp - lm) / (2 * eps);
        expect(Math.abs(numeric - analytic[j]!), `${name}[${j}]`).toBeLessThan(1e-7 + 1e-5 * Math.abs(numeric));
      }
    }
  });
});

describe('training-time input masking: the default', () => {
  it('is INPUT_MASK_RATE, a probability; at 0 an Rng changes nothing', () => {
    expect(INPUT_MASK_RATE).toBeGreaterThanOrEqual(0);
    expect(INPUT_MASK_RATE).toBeLessThan(0.5);
    const m = createModel(tinyConfig({ cell: 'gru' }, { bidirectional: true }), f64, new Rng(5)) as BidirectionalLanguageModel;
    expect(m.inputMaskRate).toBe(INPUT_MASK_RATE);
    m.inputMaskRate = 0;
    const x = Int32Array.from({ length: 12 }, (_, i) => 2 + (i % 4)), y = x.map((k) => 7 - k);
    expect(m.lossAndGrad(x, y, 4, 3, m.newState(3), new Rng(1))).toBe(m.lossAndGrad(x, y, 4, 3, m.newState(3), null));
  });
});
