import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/engine/gradcheck.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import type { Kernels } from '../../src/engine/kernels/ops.ts';
import type { Vec } from '../../src/engine/types.ts';
import { tinyConfig, variants } from './variants.ts';

describe('gradcheck: analytic BPTT gradients match centred differences (float64)', () => {
  for (const v of variants) {
    for (const layers of [1, 2]) {
      for (const batch of [1, 3]) {
        it(`${v.label}, ${layers} layer(s), B=${batch}`, () => {
          const config = tinyConfig(v.over, { layers, dropout: 0.3 });
          const results = gradcheck(config, { batch, seqLength: 4, seed: 7 + layers * 10 + batch });
          // every parameter and the carried-in state are checked
          expect(results.map((r) => r.name)).toContain('state0');
          expect(results.map((r) => r.name)).toContain('rnn.weight_hh_l0');
          expect(results.length).toBeGreaterThanOrEqual(layers * 4 + 3);
          for (const r of results) {
            expect(r.checked).toBeGreaterThan(0);
            expect(r.maxRelErr, r.name).toBeLessThan(1e-6);
          }
        });
      }
    }
  }

  it('detects a wrong gradient (a fused backward off by 1%)', () => {
    const js = referenceKernels('f64');
    const wrong = (n: number, h: Vec, hOff: number, dH: Vec, dHOff: number, dhNext: Vec, dA: Vec, dAOff: number): void => {
      js.rnnTanhBackward(n, h, hOff, dH, dHOff, dhNext, dA, dAOff);
      for (let j = 0; j < n; j++) dA[dAOff + j] *= 1.01;
    };
    const kernels: Kernels = { ...js, rnnTanhBackward: wrong };
    const results = gradcheck(tinyConfig({ cell: 'rnn' }), { batch: 2, seqLength: 3, seed: 1, kernels });
    expect(results.find((r) => r.name === 'rnn.weight_hh_l0')!.maxRelErr).toBeGreaterThan(1e-3);
    expect(results.find((r) => r.name === 'out.weight')!.maxRelErr).toBeLessThan(1e-6);
  });
});
