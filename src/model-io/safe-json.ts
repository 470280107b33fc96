/**
 * JSON.parse with limits, for files from disk: nesting depth is checked by a scan before parsing
 * (no stack overflow on "[[[[…"), and the keys __proto__, constructor and prototype are refused
 * anywhere (so no later merge can pollute a prototype).
 */
import { RnnError } from '../errors.js';
import { oneLine } from './problem.js';

export const MAX_DEPTH = 64;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Deepest [ / { nesting of a JSON text, ignoring brackets inside strings; `open`: still unclosed at the end. */
export function jsonDepth(text: string): { max: number; open: boolean } {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return { max, open: depth > 0 || inString };
}

/**
 * Parses `text` (named `source` in errors). Errors: not JSON (with the parser's position),
 * truncated JSON, nesting deeper than `maxDepth`, a forbidden key.
 */
export function parseJsonSafely(text: string, source: string, maxDepth = MAX_DEPTH): unknown {
  const { max: depth, open } = jsonDepth(text);
  if (depth > maxDepth) {
    throw new RnnError(`${source} nests too deeply`, { expected: `JSON nested at most ${maxDepth} deep`, got: `${depth} levels`, hint: 'the file is damaged or not an rnn model file' });
  }
  let forbidden: string | null = null;
  let value: unknown;
  try {
    value = JSON.parse(text, function (this: unknown, k: string, v: unknown) {
      if (forbidden === null && FORBIDDEN.has(k)) forbidden = k;
      return v;
    });
  } catch (e) {
    const msg = (e as Error).message;
    const at = /position (\d+)/.exec(msg);
    const truncated = text.trimStart().startsWith('{') && (open || /end of (JSON )?input|Unterminated/i.test(msg) || (at !== null && Number(at[1]) >= text.trimEnd().length));
    throw new RnnError(truncated ? `${source} is truncated (incomplete JSON)` : `${source} is not valid JSON`, {
      expected: 'a complete JSON document',
      got: text.trim().length === 0 ? 'an empty file' : oneLine(msg, 200), // the parser quotes the file's raw text
      hint: truncated ? 'the write was interrupted or the file was cut; use an intact copy or retrain' : 'is this an rnn model file?',
      cause: e,
    });
  }
  if (forbidden !== null) {
    throw new RnnError(`${source} contains the forbidden key "${forbidden}"`, { expected: 'no __proto__, constructor or prototype keys', got: `"${forbidden}"`, hint: 'the file was tampered with or is not an rnn model file' });
  }
  return value;
}
