/** The seeded generator: its dropout masks draw exactly what a loop of uniform() draws. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.ts';

describe('Rng.bernoulliMask', () => {
  it('gives the values and leaves the state that `uniform() < p ? 0 : scale` does, for any p and length', () => {
    for (const [p, n] of [[0.2, 1000], [0.5, 777], [0, 64], [0.999, 50], [1e-9, 10], [0.7, 1]] as const) {
      const loop = new Rng(42), fast = new Rng(42);
      const want = new Float32Array(n).map(() => (loop.uniform() < p ? 0 : 1 / (1 - p)));
      const got = new Float32Array(n);
      fast.bernoulliMask(got, n, p, 1 / (1 - p));
      expect(Array.from(got), `p = ${p}`).toEqual(Array.from(want));
      expect(fast.getState(), `p = ${p}`).toEqual(loop.getState());
    }
    // and it drops about p of them
    const m = new Float64Array(100_000);
    new Rng(1).bernoulliMask(m, m.length, 0.3, 1);
    expect(m.filter((v) => v === 0).length / m.length).toBeCloseTo(0.3, 2);
  });
});
