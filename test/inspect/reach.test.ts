import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/engine/create.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import type { LanguageModel } from '../../src/engine/language-model.ts';
import { gradientReach } from '../../src/inspect/reach.ts';
import { Rng } from '../../src/util/rng.ts';
import { tinyConfig, variants } from '../engine/variants.ts';

/** The cell's step, seen from a test: perturbing h⟨t⟩ right after it is computed (so every reader sees it). */
interface SteppedCell {
  stepForward(t: number, B: number): void;
  hAll: Float64Array;
}

/** J⟨t⟩ = −ln p(target) at the window's last step, with h_l⟨τ⟩[j] += eps after its step. */
function lastStepLoss(model: LanguageModel, warmIds: Int32Array, window: Int32Array, target: number, l: number, tau: number, j: number, eps: number): number {
  const cell = model.layers[l] as unknown as SteppedCell;
  const step = Object.getPrototypeOf(cell).stepForward as SteppedCell['stepForward'];
  const H = model.config.hidden;
  const state = model.newState(1);
  model.logits(warmIds, warmIds.length, 1, state);
  cell.stepForward = (t, B) => { // in the window only
    step.call(cell, t, B);
    if (t === tau) cell.hAll[(t + 1) * H + j] += eps;
  };
  try {
    const z = model.logits(window, window.length, 1, state);
    const V = model.config.vocabSize;
    const off = (window.length - 1) * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, z[off + v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(z[off + v] - max);
    return -(z[off + target] - max - Math.log(sum));
  } finally {
    delete (cell as Partial<SteppedCell>).stepForward;
  }
}

describe('gradient reach: ‖∂J⟨t⟩/∂h_l⟨t−k⟩‖ matches centred differences (float64)', () => {
  for (const v of variants) {
    it(v.label, () => {
      const config = tinyConfig(v.over, { layers: 2, hidden: 3 });
      const model = createModel(config, referenceKernels('f64'), new Rng(5));
      const rng = new Rng(9);
      const ids = Int32Array.from({ length: 12 }, () => Math.floor(rng.uniform() * config.vocabSize));
      const K = 4;
      // one position: warm-up ids[0…4], window ids[5…9], target ids[10]
      const r = gradientReach(model, ids, { maxDistance: K, positions: 1 });
      expect(r.positions).toBe(1);
      const warm = ids.subarray(0, 5), window = ids.subarray(5, 10), target = ids[10]!;
      const eps = 1e-5;
      for (let l = 0; l < 2; l++) {
        for (let k = 0; k <= K; k++) {
          let sq = 0;
          for (let j = 0; j < config.hidden; j++) {
            const d = (lastStepLoss(model, warm, window, target, l, K - k, j, eps) - lastStepLoss(model, warm, window, target, l, K - k, j, -eps)) / (2 * eps);
            sq += d * d;
          }
          const fd = Math.sqrt(sq);
          expect(Math.abs(r.layers[l]!.norms[k]! - fd), `layer ${l}, k = ${k}: ${r.layers[l]!.norms[k]} vs ${fd}`).toBeLessThan(1e-6 * Math.max(fd, 1e-3));
        }
      }
    });
  }

  it('the reach is the first distance below 1e-3 of the distance-0 gradient', () => {
    const model = createModel(tinyConfig({ cell: 'rnn' }, { hidden: 4, layers: 1 }), referenceKernels('f64'), new Rng(1));
    for (const p of model.params) if (p.name.includes('weight_hh')) p.data.fill(0.05); // a contracting recurrence: the gradient dies fast
    const ids = Int32Array.from({ length: 200 }, (_, i) => i % 6);
    const r = gradientReach(model, ids, { maxDistance: 30, positions: 10 });
    const { norms, reach } = r.layers[0]!;
    expect(reach).not.toBeNull();
    expect(norms[reach!]!).toBeLessThan(1e-3 * norms[0]!);
    for (let k = 0; k < reach!; k++) expect(norms[k]!).toBeGreaterThanOrEqual(1e-3 * norms[0]!);
  });

  it('refuses a bidirectional model and a text too short for the distance', () => {
    const bi = createModel(tinyConfig({ cell: 'lstm', bidirectional: true }), referenceKernels('f64'), new Rng(1));
    expect(() => gradientReach(bi, new Int32Array(50), { maxDistance: 5 })).toThrow(/left-to-right/);
    const uni = createModel(tinyConfig({ cell: 'lstm' }), referenceKernels('f64'), new Rng(1));
    expect(() => gradientReach(uni, new Int32Array(10), { maxDistance: 20 })).toThrow(/too short to look 20 steps back/);
  });
});
