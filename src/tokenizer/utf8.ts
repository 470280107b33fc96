/**
 * Strict UTF-8, decoded straight from bytes: no per-character objects, so a 200 MB corpus is
 * one pass over a Uint8Array. Well-formed means Unicode's Table 3-7: no overlong forms, no
 * surrogates (U+D800..DFFF), nothing above U+10FFFF, no truncated sequences.
 */
import { RnnError } from '../errors.js';

/** A leading byte-order mark EF BB BF (the corpus reader drops it). */
export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Control characters that do not occur in text: C0 except \t \n \v \f \r, and DEL. */
export function isControl(cp: number): boolean {
  return (cp < 0x20 && (cp < 0x09 || cp > 0x0d)) || cp === 0x7f;
}

/**
 * Length of the well-formed sequence starting at `i`, or 0 if it is ill-formed.
 * The code point itself is left in `decoded.cp` (a module-level slot: no allocation).
 */
const decoded = { cp: 0 };
function sequenceAt(b: Uint8Array, i: number, end: number): number {
  const b0 = b[i];
  if (b0 < 0x80) {
    decoded.cp = b0;
    return 1;
  }
  if (b0 < 0xc2 || b0 > 0xf4) return 0; // stray continuation byte, overlong lead C0/C1, or > U+10FFFF
  if (b0 < 0xe0) {
    if (i + 1 >= end) return 0;
    const b1 = b[i + 1];
    if ((b1 & 0xc0) !== 0x80) return 0;
    decoded.cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
    return 2;
  }
  if (b0 < 0xf0) {
    if (i + 2 >= end) return 0;
    const b1 = b[i + 1];
    const b2 = b[i + 2];
    const lo = b0 === 0xe0 ? 0xa0 : 0x80; // E0: no overlongs
    const hi = b0 === 0xed ? 0x9f : 0xbf; // ED: no surrogates
    if (b1 < lo || b1 > hi || (b2 & 0xc0) !== 0x80) return 0;
    decoded.cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
    return 3;
  }
  if (i + 3 >= end) return 0;
  const b1 = b[i + 1];
  const b2 = b[i + 2];
  const b3 = b[i + 3];
  const lo = b0 === 0xf0 ? 0x90 : 0x80; // F0: no overlongs
  const hi = b0 === 0xf4 ? 0x8f : 0xbf; // F4: nothing above U+10FFFF
  if (b1 < lo || b1 > hi || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return 0;
  decoded.cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
  return 4;
}

/** The RnnError for ill-formed UTF-8 at byte `offset` of `source`, with line and column. */
export function invalidUtf8Error(bytes: Uint8Array, offset: number, source = 'input'): RnnError {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const shown = Array.from(bytes.subarray(offset, Math.min(bytes.length, offset + 4)), (v) =>
    '0x' + v.toString(16).toUpperCase().padStart(2, '0'),
  ).join(' ');
  return new RnnError(`invalid UTF-8 in ${source} at byte offset ${offset} (line ${line}, byte ${offset - lineStart + 1} of the line)`, {
    expected: 'a UTF-8 text file',
    got: truncatedAtEnd(bytes, offset) ? `a sequence cut off by the end of the data: ${shown}` : `bytes ${shown}`,
    hint: looksBinary(bytes)
      ? 'this looks like a binary file; give a text file'
      : 'convert the file to UTF-8, e.g. `iconv -f latin1 -t utf-8 in.txt > out.txt`',
  });
}

/** A lead byte whose continuation bytes are all present as far as the data goes, but too few. */
function truncatedAtEnd(b: Uint8Array, i: number): boolean {
  const b0 = b[i];
  const len = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len <= b.length) return false;
  for (let j = i + 1; j < b.length; j++) if ((b[j] & 0xc0) !== 0x80) return false;
  return true;
}

/**
 * Calls `fn` with every code point of `bytes[start, end)`, in order, and returns how many there
 * were. Throws an RnnError naming the byte offset at the first ill-formed sequence.
 */
export function forEachCodePoint(
  bytes: Uint8Array,
  fn: (cp: number) => void,
  source = 'input',
  start = 0,
  end = bytes.length,
): number {
  let n = 0;
  let i = start;
  while (i < end) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      fn(b0);
      i++;
    } else {
      const len = sequenceAt(bytes, i, end);
      if (len === 0) throw invalidUtf8Error(bytes, i, source);
      fn(decoded.cp);
      i += len;
    }
    n++;
  }
  return n;
}

export interface Utf8Stats {
  /** Code points. */
  chars: number;
  /** Code points that are control characters (see isControl). */
  controls: number;
}

/** Validates strict UTF-8 and counts code points and control characters. */
export function scanUtf8(bytes: Uint8Array, source = 'input', start = 0, end = bytes.length): Utf8Stats {
  let chars = 0;
  let controls = 0;
  let i = start;
  while (i < end) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      if (isControl(b0)) controls++;
      i++;
    } else {
      const len = sequenceAt(bytes, i, end);
      if (len === 0) throw invalidUtf8Error(bytes, i, source);
      i += len;
    }
    chars++;
  }
  return { chars, controls };
}

/**
 * A cheap look at the first 8 KB: binary if it has a NUL byte (git's rule) or more than 10% of
 * its bytes are controls (C0 other than \t\n\v\f\r, DEL) or bytes that can never occur in UTF-8.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (isControl(b) || b === 0xc0 || b === 0xc1 || b >= 0xf5) odd++;
  }
  return odd * 10 > n;
}

/**
 * Refuses binary input: any NUL byte, or more than 10% control characters among `stats.chars`.
 * Call before (NUL) and after (controls) scanning.
 */
export function assertNotBinary(bytes: Uint8Array, source: string, stats?: Utf8Stats): void {
  const nul = bytes.indexOf(0);
  const hint = 'give a UTF-8 text file (a binary file, or a UTF-16 text? convert with `iconv -f utf-16 -t utf-8`)';
  if (nul >= 0) {
    throw new RnnError(`${source} is a binary file, not text`, {
      expected: 'UTF-8 text without NUL bytes',
      got: `a NUL byte at byte offset ${nul}`,
      hint,
    });
  }
  if (stats && stats.controls * 10 > stats.chars) {
    throw new RnnError(`${source} looks like a binary file, not text`, {
      expected: 'text (at most 10% control characters)',
      got: `${stats.controls} control characters among ${stats.chars}`,
      hint,
    });
  }
}

/** Strict decoding to a JS string (validates first, so the error names the byte offset). */
export function decodeUtf8(bytes: Uint8Array, source = 'input'): string {
  scanUtf8(bytes, source);
  // ignoreBOM: true keeps a leading U+FEFF in the string: the caller decides what a BOM means.
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

/** Number of code points (not UTF-16 units) in a string. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
