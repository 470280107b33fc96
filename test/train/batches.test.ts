import { describe, expect, it } from 'vitest';
import { Batches } from '../../src/train/batches.ts';

describe('Batches', () => {
  it('cuts the stream into B contiguous streams, time-major, targets one ahead', () => {
    const data = Array.from({ length: 21 }, (_, i) => i); // L = ⌊20/2⌋ = 10
    const b = new Batches(data, 2, 3);
    expect(b.L).toBe(10);
    expect(b.next()).toBe(false);
    expect([...b.x]).toEqual([0, 10, 1, 11, 2, 12]);
    expect([...b.y]).toEqual([1, 11, 2, 12, 3, 13]);
    b.next();
    expect([...b.x]).toEqual([3, 13, 4, 14, 5, 15]);
  });

  it('wraps every stream at once and counts the epoch', () => {
    const b = new Batches(Array.from({ length: 21 }, (_, i) => i), 2, 3);
    for (let i = 0; i < 3; i++) expect(b.next()).toBe(false); // cursor 0, 3, 6 (6 + 3 ≤ 10)
    expect(b.stepsPerEpoch).toBe(3);
    expect(b.next()).toBe(true);
    expect(b.epoch).toBe(1);
    expect([...b.x]).toEqual([0, 10, 1, 11, 2, 12]);
  });

  it('never reads past the end of the stream', () => {
    const data = Array.from({ length: 100 }, (_, i) => i);
    const b = new Batches(data, 7, 5);
    for (let s = 0; s < 50; s++) {
      b.next();
      for (const v of b.y) expect(v).toBeLessThan(100);
    }
  });
});
