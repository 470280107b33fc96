import { describe, expect, it } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import { TokenSampler, argmaxOf, choose, resolvePickOptions, restrict } from '../../src/sample/distribution.ts';
import { Rng } from '../../src/util/rng.ts';

/** χ² critical values at α = 0.001 by degrees of freedom: a correct sampler fails 1 time in 1000
 *  seeds; the seeds are fixed, so the tests are deterministic. */
const CHI2_999 = [NaN, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88];

const LOGITS = [1.2, 0.3, -0.5, 2.0, 0.0, -1.0, 0.8, 0.3]; // ids 1 and 7 tie

/** The expected distribution, computed the plain way: sort, cut, renormalise. */
function reference(logits: readonly number[], T: number, k: number, p: number): number[] {
  const e = logits.map((l) => Math.exp(l / T));
  const Z = e.reduce((a, b) => a + b, 0);
  const q = e.map((v) => v / Z);
  const order = q.map((_, i) => i).sort((a, b) => q[b] - q[a] || a - b);
  let kept = order.slice(0, k > 0 ? k : q.length);
  const massK = kept.reduce((a, i) => a + q[i], 0);
  const out: number[] = [];
  let cum = 0;
  for (const i of kept) {
    out.push(i);
    cum += q[i];
    if (cum >= p * massK) break;
  }
  kept = out;
  const mass = kept.reduce((a, i) => a + q[i], 0);
  return q.map((v, i) => (kept.includes(i) ? v / mass : 0));
}

function chi2(counts: number[], probs: number[], n: number): { stat: number; df: number; outside: number } {
  let stat = 0;
  let df = -1;
  let outside = 0;
  probs.forEach((p, i) => {
    if (p === 0) outside += counts[i];
    else {
      stat += (counts[i] - n * p) ** 2 / (n * p);
      df++;
    }
  });
  return { stat, df, outside };
}

function draw(opts: { temperature?: number; topK?: number; topP?: number }, n: number, seed: number): number[] {
  const s = new TokenSampler(LOGITS.length, opts);
  const logits = Float32Array.from(LOGITS);
  const rng = new Rng(seed);
  const counts = new Array(LOGITS.length).fill(0);
  for (let i = 0; i < n; i++) counts[s.pick(logits, 0, rng)]++;
  return counts;
}

describe('np.random.choice-style draw', () => {
  it('returns the first index whose normalised cumulative weight is greater than u', () => {
    const cdf = new Float64Array(4);
    const w = [0, 1, 0, 1]; // cdf/last = [0, .5, .5, 1]
    expect(choose(w, 4, 0, cdf)).toBe(1);
    expect(choose(w, 4, 0.4999, cdf)).toBe(1);
    expect(choose(w, 4, 0.5, cdf)).toBe(3); // strictly greater: a zero weight is never chosen
    expect(choose(w, 4, 0.999999, cdf)).toBe(3);
    expect(choose([3, 0, 0], 3, 0.9999999999, cdf)).toBe(0);
  });
  it('refuses non-finite weights', () => {
    expect(() => choose([NaN, 1], 2, 0.5, new Float64Array(2))).toThrow(RnnError);
    expect(() => choose([0, 0], 2, 0.5, new Float64Array(2))).toThrow(RnnError);
  });
});

describe('sampling frequencies (100k seeded draws, χ² at α = 0.001)', () => {
  const N = 100_000;
  const cases: [string, { temperature?: number; topK?: number; topP?: number }, number][] = [
    ['temperature 1', {}, 1],
    ['temperature 0.6', { temperature: 0.6 }, 2],
    ['temperature 1.7', { temperature: 1.7 }, 3],
    ['top-k 3', { topK: 3 }, 4],
    ['top-p 0.8', { topP: 0.8 }, 5],
    ['temperature 1.3, top-k 5, top-p 0.9', { temperature: 1.3, topK: 5, topP: 0.9 }, 6],
  ];
  for (const [name, opts, seed] of cases) {
    it(name, () => {
      const probs = reference(LOGITS, opts.temperature ?? 1, opts.topK ?? 0, opts.topP ?? 1);
      const counts = draw(opts, N, seed);
      const { stat, df, outside } = chi2(counts, probs, N);
      expect(outside).toBe(0);
      expect(df).toBeGreaterThanOrEqual(1);
      expect(stat).toBeLessThan(CHI2_999[df]);
    });
  }
  it('the test has power: temperature-0.9 draws fail against the temperature-1 distribution', () => {
    const counts = draw({ temperature: 0.9 }, N, 7);
    const { stat, df } = chi2(counts, reference(LOGITS, 1, 0, 1), N);
    expect(stat).toBeGreaterThan(CHI2_999[df]);
  });
});

describe('top-k and top-p supports', () => {
  const heap = new Int32Array(32);
  const mask = new Uint8Array(32);
  const kept = (w: number[], k: number, p: number): number[] => {
    const a = Float64Array.from(w);
    const n = restrict(a, a.length, k, p, heap, mask);
    const ids = [...a.keys()].filter((i) => a[i] > 0);
    expect(ids.length).toBe(n);
    ids.forEach((i) => expect(a[i]).toBe(w[i])); // kept weights are untouched
    return ids;
  };
  it('top-k keeps exactly the k most probable, ties to the lower id', () => {
    expect(kept([0.1, 0.4, 0.2, 0.3], 2, 1)).toEqual([1, 3]);
    expect(kept([0.1, 0.3, 0.3, 0.3], 2, 1)).toEqual([1, 2]);
    expect(kept([0.1, 0.3, 0.3, 0.3], 1, 1)).toEqual([1]);
    expect(kept([0.1, 0.4, 0.2, 0.3], 4, 1)).toEqual([0, 1, 2, 3]);
    expect(kept([0.1, 0.4, 0.2, 0.3], 9, 1)).toEqual([0, 1, 2, 3]);
  });
  it('top-p keeps the smallest most-probable set whose mass reaches p', () => {
    const w = [0.125, 0.5, 0.25, 0.125]; // exact binary fractions: no rounding at the edges
    expect(kept(w, 0, 0.5)).toEqual([1]); // 0.5 ≥ 0.5
    expect(kept(w, 0, 0.3)).toEqual([1]);
    expect(kept(w, 0, 0.7)).toEqual([1, 2]);
    expect(kept(w, 0, 0.75)).toEqual([1, 2]); // 0.75 ≥ 0.75
    expect(kept(w, 0, 0.76)).toEqual([0, 1, 2]); // 0.125 tie: the lower id first
    expect(kept(w, 0, 0.875)).toEqual([0, 1, 2]);
    expect(kept(w, 0, 0.9)).toEqual([0, 1, 2, 3]);
    expect(kept(w, 0, 1)).toEqual([0, 1, 2, 3]);
  });
  it('top-p applies to the top-k set renormalised', () => {
    const w = [0.5, 0.25, 0.125, 0.125];
    expect(kept(w, 2, 0.6)).toEqual([0]); // 0.5 ≥ 0.6·0.75
    expect(kept(w, 2, 0.7)).toEqual([0, 1]);
  });
  it('agrees with a sort-based reference on random weights', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + rng.int(20);
      // Coarse values make ties common.
      const w = Array.from({ length: n }, () => (1 + rng.int(6)) / 8);
      const k = rng.int(n + 2);
      const p = rng.int(3) === 0 ? 1 : 0.05 + 0.9 * rng.uniform();
      const order = w.map((_, i) => i).sort((a, b) => w[b] - w[a] || a - b).slice(0, k > 0 ? k : n);
      const massK = order.reduce((a, i) => a + w[i], 0);
      const want: number[] = [];
      let cum = 0;
      for (const i of order) {
        want.push(i);
        cum += w[i];
        if (p < 1 && cum >= p * massK) break;
      }
      expect(kept(w, k, p)).toEqual(want.sort((a, b) => a - b));
    }
  });
  it('the sampler never draws outside the support', () => {
    const s = new TokenSampler(8, { topK: 2 });
    const rng = new Rng(3);
    const logits = Float64Array.from(LOGITS);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(s.pick(logits, 0, rng));
    expect([...seen].sort()).toEqual([0, 3]);
  });
});

describe('temperature and argmax', () => {
  const logits = Float32Array.from(LOGITS);
  it('temperature → 0 approaches argmax', () => {
    let last = 0;
    for (const T of [2, 1, 0.5, 0.25, 0.1, 0.02]) {
      const s = new TokenSampler(8, { temperature: T });
      s.weights(logits, 0);
      const total = s.w.reduce((a, b) => a + b, 0);
      const pMax = s.w[3] / total;
      expect(pMax).toBeGreaterThan(last);
      last = pMax;
    }
    expect(last).toBeGreaterThan(1 - 1e-15);
    const s = new TokenSampler(8, { temperature: 0.02 });
    const rng = new Rng(5);
    for (let i = 0; i < 10_000; i++) expect(s.pick(logits, 0, rng)).toBe(3);
  });
  it('a vanishing temperature neither overflows nor makes NaN', () => {
    const s = new TokenSampler(8, { temperature: 1e-300 });
    s.weights(logits, 0);
    expect([...s.w]).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
    expect(s.pick(logits, 0, new Rng(1))).toBe(3);
  });
  it('argmax is greedy, takes the lower id on ties, and ignores the Rng', () => {
    const s = new TokenSampler(8, { argmax: true, temperature: 5 });
    const rng = new Rng(1);
    const before = rng.getState();
    expect(s.pick(logits, 0, rng)).toBe(3);
    expect(rng.getState()).toEqual(before);
    expect(argmaxOf(Float64Array.from([0, 2, 1, 2]), 0, 4)).toBe(1);
    expect(argmaxOf(Float64Array.from([9, 0, 2, 1, 2]), 1, 4)).toBe(1); // offset rows
  });
  it('reads the logits row at its offset', () => {
    const rows = new Float64Array(16);
    rows.set(LOGITS, 8);
    const s = new TokenSampler(8, { temperature: 0.01 });
    expect(s.pick(rows, 8, new Rng(2))).toBe(3);
  });
});

describe('option validation', () => {
  const usage = (f: () => unknown): void => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(RnnError);
      expect((e as RnnError).kind).toBe('usage');
      return;
    }
    throw new Error('expected a usage error');
  };
  it('rejects impossible values as usage errors', () => {
    for (const temperature of [0, -1, NaN, Infinity]) usage(() => resolvePickOptions({ temperature }));
    for (const topK of [0, -2, 1.5, NaN]) usage(() => resolvePickOptions({ topK }));
    for (const topP of [0, -0.1, 1.01, NaN]) usage(() => resolvePickOptions({ topP }));
  });
  it('accepts the edges', () => {
    expect(resolvePickOptions({ temperature: 1e-9, topK: 1, topP: 1 })).toEqual({ temperature: 1e-9, topK: 1, topP: 1, argmax: false });
    expect(resolvePickOptions({ topP: 1e-9 }).topP).toBe(1e-9);
  });
});
