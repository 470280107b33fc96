import { describe, expect, it } from 'vitest';
import { SubstringIndex, copiedRuns, suffixArray } from '../../src/util/suffix-array.ts';
import { Rng } from '../../src/util/rng.ts';

type Symbols = Uint8Array | Uint16Array | Int32Array;

/** Lexicographic comparison of suffixes a.. and b.. (a proper prefix sorts first). */
function compareSuffixes(s: ArrayLike<number>, a: number, b: number): number {
  const n = s.length;
  while (a < n && b < n) {
    if (s[a] !== s[b]) return s[a] - s[b];
    a++;
    b++;
  }
  return (n - a) - (n - b);
}

function bruteSuffixArray(s: ArrayLike<number>): number[] {
  return Array.from({ length: s.length }, (_, i) => i).sort((a, b) => compareSuffixes(s, a, b));
}

/** The largest L such that q[i, i + L) occurs in t, by trying every alignment. */
function bruteMatchLengths(t: ArrayLike<number>, q: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < q.length; i++) {
    let best = 0;
    for (let p = 0; p < t.length; p++) {
      let L = 0;
      while (i + L < q.length && p + L < t.length && q[i + L] === t[p + L]) L++;
      best = Math.max(best, L);
    }
    out.push(best);
  }
  return out;
}

function randomSymbols(rng: Rng, n: number, alphabetSize: number): number[] {
  return Array.from({ length: n }, () => rng.int(alphabetSize));
}

/** The narrowest typed array that holds the alphabet, cycling through the kinds to cover all three. */
function typed(values: number[], alphabetSize: number, kind = 0): Symbols {
  if (alphabetSize > 65536 || kind % 3 === 2) return Int32Array.from(values);
  if (alphabetSize > 256 || kind % 3 === 1) return Uint16Array.from(values);
  return Uint8Array.from(values);
}

/** Fibonacci word over {0, 1}: f1 = 0, f2 = 01, f(k) = f(k-1) f(k-2), cut to n. */
function fibonacciWord(n: number): number[] {
  let prev = [0];
  let cur = [0, 1];
  while (cur.length < n) [prev, cur] = [cur, cur.concat(prev)];
  return cur.slice(0, n);
}

describe('suffixArray', () => {
  it('handles the empty and one-symbol texts', () => {
    expect(Array.from(suffixArray(new Uint8Array(0), 1))).toEqual([]);
    expect(Array.from(suffixArray(new Uint8Array([0]), 1))).toEqual([0]);
    expect(Array.from(suffixArray(new Uint8Array([7]), 8))).toEqual([0]);
  });

  it('orders a prefix suffix first ("banana")', () => {
    const banana = Uint8Array.from('banana', (ch) => ch.charCodeAt(0) - 97);
    expect(Array.from(suffixArray(banana, 26))).toEqual([5, 3, 1, 0, 4, 2]);
  });

  for (const alphabetSize of [1, 2, 3, 26, 300]) {
    it(`equals a brute-force sort of random texts over ${alphabetSize} symbols`, () => {
      const rng = new Rng(1000 + alphabetSize);
      const lengths = [...Array.from({ length: 41 }, (_, n) => n), ...Array.from({ length: 40 }, () => rng.int(201))];
      lengths.forEach((n, k) => {
        const values = randomSymbols(rng, n, alphabetSize);
        expect(Array.from(suffixArray(typed(values, alphabetSize, k), alphabetSize))).toEqual(bruteSuffixArray(values));
      });
    });
  }

  it('equals a brute-force sort of repetitive texts', () => {
    const rng = new Rng(7);
    const texts: { values: number[]; alphabetSize: number }[] = [];
    for (const n of [2, 3, 5, 17, 64, 200]) {
      texts.push({ values: new Array(n).fill(0), alphabetSize: 1 }); // aaaa…
      texts.push({ values: new Array(n).fill(4), alphabetSize: 5 }); // a run of the largest symbol
      texts.push({ values: Array.from({ length: n }, (_, i) => i % 2), alphabetSize: 2 }); // abab…
      texts.push({ values: Array.from({ length: n }, (_, i) => 2 - (i % 3)), alphabetSize: 3 }); // cbacba…
      texts.push({ values: fibonacciWord(n), alphabetSize: 2 });
      texts.push({ values: fibonacciWord(n).map((v) => 1 - v), alphabetSize: 2 });
      const period = randomSymbols(rng, 1 + rng.int(6), 4); // a random period with a few mutations
      const noisy = Array.from({ length: n }, (_, i) => period[i % period.length]);
      for (let k = 0; k < 3; k++) noisy[rng.int(n)] = rng.int(4);
      texts.push({ values: noisy, alphabetSize: 4 });
    }
    texts.forEach(({ values, alphabetSize }, k) => {
      expect(Array.from(suffixArray(typed(values, alphabetSize, k), alphabetSize))).toEqual(bruteSuffixArray(values));
    });
  });

  it('rejects symbols outside the alphabet', () => {
    expect(() => suffixArray(new Uint8Array([0, 3, 1]), 3)).toThrow(RangeError);
    expect(() => suffixArray(Int32Array.from([0, -1, 1]), 3)).toThrow(RangeError);
  });

  /** A permutation of 0..n-1 whose adjacent suffixes are in order is the suffix array. */
  function expectSuffixArray(s: ArrayLike<number>, sa: Int32Array): void {
    expect(sa.length).toBe(s.length);
    const seen = new Uint8Array(s.length);
    let badRank = -1;
    for (let r = 0; r < sa.length && badRank < 0; r++) {
      const p = sa[r];
      if (!(p >= 0 && p < s.length) || seen[p]) badRank = r;
      else seen[p] = 1;
      if (r > 0 && badRank < 0 && compareSuffixes(s, sa[r - 1], p) >= 0) badRank = r;
    }
    expect(badRank).toBe(-1);
  }

  it('sorts a long Fibonacci word (deep recursion)', () => {
    const values = fibonacciWord(10_946);
    expectSuffixArray(values, suffixArray(Uint8Array.from(values), 2));
  });

  it('sorts 2 million symbols over 65 with repeated chunks', () => {
    const rng = new Rng(65);
    const n = 2_000_000;
    const text = new Uint8Array(n);
    for (let i = 0; i < n; i++) text[i] = rng.int(65);
    for (let k = 0; k < 300; k++) { // copy chunks of up to 400 symbols elsewhere, some with a mutation
      const len = 1 + rng.int(400);
      const from = rng.int(n - len);
      const to = rng.int(n - len);
      text.copyWithin(to, from, from + len);
      if (k % 2 === 0) text[to + rng.int(len)] = rng.int(65);
    }
    expectSuffixArray(text, suffixArray(text, 65));
  });
});

describe('SubstringIndex.matchLengths', () => {
  it('is zero everywhere against an empty text, and empty for an empty query', () => {
    expect(Array.from(new SubstringIndex(new Uint8Array(0), 4).matchLengths([1, 0, 2]))).toEqual([0, 0, 0]);
    expect(Array.from(new SubstringIndex(Uint8Array.from([1, 2]), 4).matchLengths([]))).toEqual([]);
  });

  it('equals brute force on random texts and queries, with absent and out-of-alphabet symbols', () => {
    const rng = new Rng(42);
    for (let trial = 0; trial < 120; trial++) {
      const alphabetSize = [2, 3, 5, 26][trial % 4];
      const used = Math.max(1, alphabetSize - 1); // the last symbol never occurs in the text
      const text = randomSymbols(rng, rng.int(150), used);
      // the query: pieces of the text, random symbols, the absent symbol and symbols outside the alphabet
      const query: number[] = [];
      const queryLength = rng.int(80);
      while (query.length < queryLength) {
        const pick = rng.uniform();
        if (pick < 0.5 && text.length > 0) {
          const from = rng.int(text.length);
          query.push(...text.slice(from, from + 1 + rng.int(20)));
        } else if (pick < 0.8) query.push(rng.int(alphabetSize));
        else query.push([alphabetSize - 1, alphabetSize, -1, 1000][rng.int(4)]);
      }
      const index = new SubstringIndex(typed(text, alphabetSize, trial), alphabetSize);
      expect(Array.from(index.matchLengths(query))).toEqual(bruteMatchLengths(text, query));
    }
  });

  it('finds a whole copied query and runs that reach the end of the text', () => {
    const text = Uint8Array.from([0, 1, 2, 0, 1, 3, 0, 1]);
    const index = new SubstringIndex(text, 4);
    expect(Array.from(index.matchLengths([1, 3, 0, 1]))).toEqual([4, 3, 2, 1]);
    expect(Array.from(index.matchLengths([0, 1, 0]))).toEqual([2, 1, 1]); // 1 is never followed by 0
  });
});

describe('copiedRuns', () => {
  function bruteCopiedRuns(ms: Int32Array, minRun: number) {
    const covered = new Uint8Array(ms.length);
    ms.forEach((L, i) => {
      if (L >= minRun) covered.fill(1, i, i + L);
    });
    const longest = ms.length === 0 ? 0 : Math.max(...ms);
    return { longest, longestAt: ms.indexOf(longest), copied: covered.reduce((a, b) => a + b, 0) };
  }

  it('summarises an empty query', () => {
    expect(copiedRuns(new Int32Array(0), 3)).toEqual({ longest: 0, longestAt: -1, copied: 0 });
  });

  it('counts a hand-made example', () => {
    // runs of ≥ 3 start at 1 (covering 1..4), 2 (inside it) and 6 (covering 6..8); the longest is 4, at 1
    const ms = Int32Array.from([1, 4, 3, 2, 1, 0, 3, 2, 1]);
    expect(copiedRuns(ms, 3)).toEqual({ longest: 4, longestAt: 1, copied: 4 + 3 });
  });

  it('equals brute-force marking on matching statistics and on arbitrary lengths', () => {
    const rng = new Rng(9);
    for (let trial = 0; trial < 200; trial++) {
      let ms: Int32Array;
      if (trial % 2 === 0) {
        const text = Uint8Array.from(randomSymbols(rng, 1 + rng.int(120), 3));
        ms = new SubstringIndex(text, 3).matchLengths(randomSymbols(rng, rng.int(60), 3));
      } else {
        const m = rng.int(60);
        ms = Int32Array.from({ length: m }, (_, i) => Math.min(rng.int(9), m - i));
      }
      for (const minRun of [0, 1, 2, 3, 5, 8]) expect(copiedRuns(ms, minRun)).toEqual(bruteCopiedRuns(ms, minRun));
    }
  });
});
