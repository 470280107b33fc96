/**
 * The index behind a novelty report of sampled text: for every position of a sample, the longest
 * substring starting there that occurs verbatim in the training corpus ("copied" versus "new").
 *
 * Build: a suffix array by SA-IS (Nong, Zhang & Chan 2009) in O(n) time for n corpus symbols;
 * peak memory about 10 bytes per symbol besides the text (the 4-byte result, 1 byte of types,
 * the LMS positions, reduced string and its suffix array, and the recursion, which halves or better).
 * Query: O(m · L · log n) for m query symbols with match length L (two binary searches per symbol
 * matched), never a scan of the corpus.
 *
 * Order: the text ends with a virtual sentinel smaller than every symbol, so a suffix that is a
 * prefix of another sorts first.
 */

export type Symbols = Uint8Array | Uint16Array | Int32Array;

/** bounds[c] = the number of symbols < c: bucket c of the suffix array is [bounds[c], bounds[c + 1]). */
function bucketBounds(text: Symbols, alphabetSize: number): Int32Array {
  const bounds = new Int32Array(alphabetSize + 1);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c < 0 || c >= alphabetSize) {
      throw new RangeError(`suffixArray: symbol ${c} at ${i} is outside [0, ${alphabetSize})`);
    }
    bounds[c + 1]++;
  }
  for (let c = 0; c < alphabetSize; c++) bounds[c + 1] += bounds[c];
  return bounds;
}

/** isS[i] = 1 iff suffix i < suffix i+1 (S-type), else 0 (L-type); the last suffix is L (sentinel after it). */
function suffixTypes(text: Symbols): Uint8Array {
  const n = text.length;
  const isS = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) {
    // t[i] = S  ⇔  s[i] < s[i+1], or s[i] = s[i+1] and t[i+1] = S
    isS[i] = text[i] < text[i + 1] || (text[i] === text[i + 1] && isS[i + 1] === 1) ? 1 : 0;
  }
  return isS;
}

/** Leftmost-S: an S-type suffix whose left neighbour is L-type. */
function isLms(isS: Uint8Array, i: number): boolean {
  return i > 0 && isS[i] === 1 && isS[i - 1] === 0;
}

/** sPart[c] = where the S-suffixes of bucket c start: its L-suffixes all sort before them. */
function sPartStarts(text: Symbols, isS: Uint8Array, bounds: Int32Array): Int32Array {
  const sPart = bounds.slice(0, bounds.length - 1);
  for (let i = 0; i < text.length; i++) sPart[text[i]] += 1 - isS[i];
  return sPart;
}

/**
 * Induced sorting: given the LMS suffixes in their sorted order (or, for the first pass, any
 * order), places every suffix; L-suffixes are sorted from their successors left to right, then
 * S-suffixes right to left. The type of p is read off s[p], s[p+1] and the rank of p+1, not isS,
 * which saves a cache miss per suffix. `next` is scratch of alphabetSize slots.
 */
function induce(
  text: Symbols, bounds: Int32Array, sPart: Int32Array, sortedLms: Int32Array, sa: Int32Array,
  next: Int32Array,
): void {
  const n = text.length;
  const alphabetSize = next.length;
  sa.fill(-1);
  // LMS suffixes at the tails of their buckets, keeping their relative order
  for (let c = 0; c < alphabetSize; c++) next[c] = bounds[c + 1];
  for (let j = sortedLms.length - 1; j >= 0; j--) {
    const p = sortedLms[j];
    sa[--next[text[p]]] = p;
  }
  // L-scan: suffix p-1 of type L goes to the head of its bucket after suffix p; n-1 follows the sentinel, the smallest
  for (let c = 0; c < alphabetSize; c++) next[c] = bounds[c];
  sa[next[text[n - 1]]++] = n - 1;
  for (let i = 0; i < n; i++) {
    const p = sa[i] - 1;
    // only LMS and L-suffixes are placed yet, so p+1 is L when s[p] = s[p+1]: p is L ⇔ s[p] ≥ s[p+1]
    if (p >= 0 && text[p] >= text[p + 1]) sa[next[text[p]]++] = p;
  }
  // S-scan: suffix p-1 of type S goes to the tail of its bucket, scanning right to left
  for (let c = 0; c < alphabetSize; c++) next[c] = bounds[c + 1];
  for (let i = n - 1; i >= 0; i--) {
    const p = sa[i] - 1;
    if (p < 0) continue;
    const c = text[p];
    // p is S ⇔ s[p] < s[p+1], or s[p] = s[p+1] and p+1 (at rank i) is in the S-part of bucket c
    if (c < text[p + 1] || (c === text[p + 1] && i >= sPart[c])) sa[--next[c]] = p;
  }
}

/** LMS substrings a.. and b.. (up to and including the next LMS position) are equal in symbols and types. */
function sameLmsSubstring(text: Symbols, isS: Uint8Array, a: number, b: number): boolean {
  const n = text.length;
  for (let k = 0; ; k++) {
    if (a + k === n || b + k === n) return false; // the sentinel is unique
    if (text[a + k] !== text[b + k] || isS[a + k] !== isS[b + k]) return false;
    if (k > 0 && isLms(isS, a + k)) return true; // types agree at k-1 and k, so b+k is LMS too
  }
}

/**
 * The suffix array of `text` (symbols in [0, alphabetSize)): sa[r] = the start of the r-th
 * smallest suffix. SA-IS: sort the LMS substrings by induction, name them, sort the reduced
 * string of names (recursively unless the names are distinct), then induce the whole order from
 * the sorted LMS suffixes.
 */
export function suffixArray(text: Symbols, alphabetSize: number): Int32Array {
  const n = text.length;
  const bounds = bucketBounds(text, alphabetSize);
  const sa = new Int32Array(n);
  if (n <= 1) return sa;

  const isS = suffixTypes(text);
  let m = 0;
  for (let i = 1; i < n; i++) if (isLms(isS, i)) m++;
  const lms = new Int32Array(m); // LMS positions in text order
  for (let i = 1, j = 0; i < n; i++) if (isLms(isS, i)) lms[j++] = i;

  const sPart = sPartStarts(text, isS, bounds);
  const next = new Int32Array(alphabetSize);
  induce(text, bounds, sPart, lms, sa, next);

  // LMS suffixes, now in the order of their LMS substrings, to sa[0, m); p is LMS ⇔ p is S and s[p-1] > s[p]
  let sorted = 0;
  for (let r = 0; r < n; r++) {
    const p = sa[r];
    if (p > 0 && r >= sPart[text[p]] && text[p - 1] > text[p]) sa[sorted++] = p;
  }

  // name[p] = rank of LMS substring p among distinct ones, kept at sa[m + p/2] (LMS positions are ≥ 2 apart, m ≤ (n-1)/2)
  sa.fill(-1, m);
  let names = 0;
  for (let r = 0; r < m; r++) {
    if (r === 0 || !sameLmsSubstring(text, isS, sa[r - 1], sa[r])) names++;
    sa[m + (sa[r] >> 1)] = names - 1;
  }
  const reduced = new Int32Array(m); // the names in text order
  for (let i = m, j = 0; i < n; i++) if (sa[i] >= 0) reduced[j++] = sa[i];

  let reducedSa: Int32Array;
  if (names === m) {
    reducedSa = new Int32Array(m); // distinct names: each name is its own rank
    for (let j = 0; j < m; j++) reducedSa[reduced[j]] = j;
  } else {
    reducedSa = suffixArray(reduced, names);
  }
  for (let r = 0; r < m; r++) reducedSa[r] = lms[reducedSa[r]]; // the reduced order is the LMS suffix order
  induce(text, bounds, sPart, reducedSa, sa, next);
  return sa;
}

/** Longest verbatim matches of a query against a fixed text, by binary search over its suffix array. */
export class SubstringIndex {
  readonly text: Symbols;
  readonly sa: Int32Array;
  private readonly alphabetSize: number;

  constructor(text: Symbols, alphabetSize: number) {
    this.text = text;
    this.alphabetSize = alphabetSize;
    this.sa = suffixArray(text, alphabetSize);
  }

  /** ms[i] = the largest L such that query[i, i + L) occurs in the text (the matching statistics). */
  matchLengths(query: ArrayLike<number>): Int32Array {
    const ms = new Int32Array(query.length);
    for (let i = 0; i < query.length; i++) ms[i] = this.longestMatchAt(query, i);
    return ms;
  }

  /** Narrows [lo, hi) = the suffixes that start with query[start, start + depth), one symbol at a time. */
  private longestMatchAt(query: ArrayLike<number>, start: number): number {
    let lo = 0;
    let hi = this.sa.length;
    let depth = 0;
    while (start + depth < query.length) {
      const c = query[start + depth];
      if (!Number.isInteger(c) || c < 0 || c >= this.alphabetSize) break; // occurs nowhere
      const first = this.firstAtLeast(lo, hi, depth, c);
      const end = this.firstAtLeast(first, hi, depth, c + 1);
      if (first === end) break;
      lo = first;
      hi = end;
      depth++;
    }
    return depth;
  }

  /**
   * The first rank r in [lo, hi) whose suffix has symbol ≥ c at offset `depth`, or hi. Within an
   * interval sharing its first `depth` symbols that symbol is non-decreasing in r (−1 past the end).
   */
  private firstAtLeast(lo: number, hi: number, depth: number, c: number): number {
    const { text, sa } = this;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = sa[mid] + depth;
      const symbol = p < text.length ? text[p] : -1;
      if (symbol < c) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Summary of matching statistics: the longest match and where it first starts (−1 for an empty
 * query), and how many query positions lie inside a copied run [i, i + ms[i]) with ms[i] ≥ minRun.
 */
export function copiedRuns(
  ms: Int32Array, minRun: number,
): { longest: number; longestAt: number; copied: number } {
  let longest = 0;
  let longestAt = -1;
  let copied = 0;
  let coveredUntil = 0; // = max(i' + ms[i']) over i' ≤ i with ms[i'] ≥ minRun
  for (let i = 0; i < ms.length; i++) {
    if (longestAt < 0 || ms[i] > longest) {
      longest = ms[i];
      longestAt = i;
    }
    if (ms[i] >= minRun) coveredUntil = Math.max(coveredUntil, i + ms[i]);
    if (i < coveredUntil) copied++;
  }
  return { longest, longestAt, copied };
}
