import { describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../src/engine/kernels/index.ts';
import { Rng } from '../../../src/util/rng.ts';

const { softmaxXent, logProbs } = referenceKernels('f64');

describe('loss: softmax cross-entropy', () => {
  const rng = new Rng(1);
  const N = 4, V = 5;
  const z = Float64Array.from({ length: N * V }, () => 3 * rng.normal());
  const y = Int32Array.of(0, 4, 2, 2);

  it('mean −log softmax[target] in nats, dlogits = (ŷ − y)/N, in place allowed', () => {
    let want = 0;
    const wantD = new Float64Array(N * V);
    for (let p = 0; p < N; p++) {
      const row = Array.from(z.subarray(p * V, (p + 1) * V));
      const s = row.reduce((a, b) => a + Math.exp(b), 0);
      want -= Math.log(Math.exp(row[y[p]!]!) / s) / N;
      row.forEach((v, k) => (wantD[p * V + k] = (Math.exp(v) / s - (k === y[p] ? 1 : 0)) / N));
    }
    const d = new Float64Array(N * V);
    expect(softmaxXent(N, V, z, y, d)).toBeCloseTo(want, 12);
    d.forEach((v, i) => expect(v).toBeCloseTo(wantD[i]!, 14));
    const inPlace = z.slice();
    expect(softmaxXent(N, V, inPlace, y, inPlace)).toBeCloseTo(want, 12);
    expect(Array.from(inPlace)).toEqual(Array.from(d));
  });

  it('is stable for huge logits and per-position log-probs agree with the mean', () => {
    const big = Float32Array.of(1000, 0, -1000, 999);
    const lp = new Float64Array(1);
    logProbs(1, 4, big, Int32Array.of(3), lp);
    expect(lp[0]).toBeCloseTo(-1 - Math.log(1 + Math.exp(-1)), 6);
    const all = new Float64Array(N);
    logProbs(N, V, z, y, all);
    expect(-all.reduce((a, b) => a + b, 0) / N).toBeCloseTo(softmaxXent(N, V, z, y, new Float64Array(N * V)), 12);
  });
});
