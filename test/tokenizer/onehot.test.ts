import { describe, expect, it } from 'vitest';
import { oneHot, oneHotRows } from '../../src/tokenizer/onehot.ts';

describe('oneHot', () => {
  it('has a single 1 at the id', () => {
    const x = oneHot(3, 6);
    expect(Array.from(x)).toEqual([0, 0, 0, 1, 0, 0]);
    const out = new Float64Array(4).fill(7);
    expect(Array.from(oneHot(0, 4, out))).toEqual([1, 0, 0, 0]);
    expect(() => oneHot(6, 6)).toThrow(/out of range/);
    expect(() => oneHot(-1, 6)).toThrow(/out of range/);
    expect(() => oneHot(1.5, 6)).toThrow(/out of range/);
    expect(() => oneHot(0, 3, new Float32Array(4))).toThrow(/wrong length/);
  });

  it('W·onehot(k) equals column k of W (what the engine computes instead)', () => {
    const H = 5;
    const V = 7;
    const W = new Float32Array(H * V).map((_, i) => Math.sin(i * 1.7) * 3); // (H, V) row-major
    for (let k = 0; k < V; k++) {
      const x = oneHot(k, V);
      for (let r = 0; r < H; r++) {
        let dot = 0;
        for (let c = 0; c < V; c++) dot += W[r * V + c] * x[c];
        expect(dot).toBe(W[r * V + k]);
      }
    }
  });

  it('oneHotRows builds an (n, V) matrix', () => {
    const X = oneHotRows([2, 0], 3);
    expect(Array.from(X)).toEqual([0, 0, 1, 1, 0, 0]);
  });
});
