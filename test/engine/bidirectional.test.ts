import { describe, expect, it } from 'vitest';
import { BidirectionalLanguageModel } from '../../src/engine/bidirectional.ts';
import { gradcheck } from '../../src/engine/gradcheck.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import { createModel } from '../../src/engine/create.ts';
import { Rng } from '../../src/util/rng.ts';
import { tinyConfig, variants } from './variants.ts';

const f64 = referenceKernels('f64');

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

describe('dropout before the head of a one-layer model', () => {
  for (const bidirectional of [false, true]) {
    it(`${bidirectional ? 'bidirectional' : 'unidirectional'}: it changes the loss, and its gradient is exact for a fixed mask`, () => {
      const T = 5, B = 3, V = 6, P = T * B;
      const m = createModel(tinyConfig({ cell: 'lstm' }, { bidirectional, dropout: 0.3 }), f64, new Rng(21));
      const r = new Rng(22);
      const x = Int32Array.from({ length: P }, () => r.int(V)), y = Int32Array.from({ length: P }, () => r.int(V));
      const loss = (rng: Rng | null): number => m.lossAndGrad(x, y, T, B, m.newState(B), rng);
      expect(loss(new Rng(1))).not.toBe(loss(null));
      expect(loss(new Rng(1))).toBe(loss(new Rng(1)));
      const names = ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'out.weight', ...(bidirectional ? ['rnn.weight_hh_l0_reverse'] : [])];
      m.zeroGrad();
      loss(new Rng(1));
      const grads = names.map((name) => Array.from(m.param(name).grad)); // before the differences add to them
      const eps = 1e-5;
      for (const [k, name] of names.entries()) {
        const w = m.param(name);
        for (const j of [0, 3, 7, w.data.length - 1]) {
          const v = w.data[j]!;
          w.data[j] = v + eps; const lp = loss(new Rng(1));
          w.data[j] = v - eps; const lm = loss(new Rng(1));
          w.data[j] = v;
          const numeric = (lp - lm) / (2 * eps);
          expect(Math.abs(numeric - grads[k]![j]!), `${name}[${j}]`).toBeLessThan(1e-7 + 1e-5 * Math.abs(numeric));
        }
      }
    });
  }
});
