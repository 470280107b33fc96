/**
 * Reading a corpus: one or more UTF-8 files, or stdin ('-'), validated and joined into one UTF-8
 * buffer, kept as bytes (a 200 MB corpus is never a JS string unless `text()` is asked for).
 *
 * Joining: each file's leading byte-order mark is dropped and its Windows line ends (CRLF) become
 * '\n' (counted in `crlf`); a file that does not end with '\n' gets one '\n' after it (unless it
 * is the last), so every file starts on a new line and a line never runs from one file into the
 * next. `sha256` and `bytes` describe the joined buffer, the one the model is trained on; `files`
 * lists each input's own size and SHA-256 (of its bytes as read).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RnnError } from '../errors.js';
import { checkOption, TRAIN_OPTIONS } from '../options.js';
import { assertNotBinary, hasUtf8Bom, scanUtf8 } from './utf8.js';
import { Rng } from '../util/rng.js';
import { EOS_ID } from './tokens.js';
import type { TokenIds } from './vocab.js';

export interface CorpusFile {
  /** The path as given ('-' for stdin). */
  path: string;
  bytes: number;
  sha256: string;
}

export interface Corpus {
  /** File name (without directories), names joined by '+', or 'stdin'. */
  name: string;
  /** The joined, validated UTF-8. */
  data: Uint8Array;
  bytes: number;
  /** Code points in `data`. */
  chars: number;
  /** SHA-256 of `data`, hex. */
  sha256: string;
  files: CorpusFile[];
  /** Windows line ends (CRLF) read as '\n'. */
  crlf: number;
  /** `data` as a string (decoded on demand). */
  text(): string;
}

/** The bundled default corpus (corpora/ at the package root; this file is two levels below it). */
export const defaultCorpusPath = fileURLToPath(new URL('../../corpora/tinyshakespeare.txt', import.meta.url));

/** The largest corpus accepted (a Uint8Array of ids must fit in memory next to it). */
export const MAX_CORPUS_BYTES = 2 ** 31 - 1;

export interface ReadCorpusOptions {
  /** Where '-' reads from [process.stdin]. */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** The files are a text to evaluate, not a training corpus (for the wording of errors) [false]. */
  text?: boolean;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function readFileBytes(path: string, forTraining: boolean): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new RnnError(`${forTraining ? 'corpus' : 'text'} file not found: ${path}`, {
        expected: 'a UTF-8 text file',
        got: 'no such file',
        hint: forTraining ? 'check the path; with no corpus, `rnn train` uses the bundled corpora/tinyshakespeare.txt' : 'check the path',
      });
    }
    throw new RnnError(`cannot read corpus file ${path}`, { got: (e as Error).message, hint: 'check the path and its permissions', cause: e });
  }
  if (st.isDirectory()) {
    throw new RnnError(`${path} is a directory, not a corpus file`, {
      expected: 'a UTF-8 text file',
      got: 'a directory',
      hint: `give the text files inside it, e.g. \`${path.replace(/\/+$/, '')}/*.txt\``,
    });
  }
  if (st.size > MAX_CORPUS_BYTES) {
    throw new RnnError(`corpus file ${path} is too large`, { expected: `at most ${MAX_CORPUS_BYTES} bytes`, got: `${st.size} bytes`, hint: 'use a part of it' });
  }
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new RnnError(`cannot read corpus file ${path}`, { got: (e as Error).message, hint: 'check the file permissions', cause: e });
  }
}

async function readStream(stream: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += b.length;
    if (total > MAX_CORPUS_BYTES) throw new RnnError('corpus on stdin is too large', { expected: `at most ${MAX_CORPUS_BYTES} bytes` });
    chunks.push(b);
  }
  const b = Buffer.concat(chunks, total);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Validates one input (not binary, strict UTF-8) and returns its text: after a byte-order mark,
 * with every CRLF turned into '\n' in place (the bytes are the caller's own copy).
 */
function textOf(bytes: Uint8Array, source: string): { body: Uint8Array; chars: number; crlf: number } {
  assertNotBinary(bytes, source);
  const start = hasUtf8Bom(bytes) ? 3 : 0;
  const stats = scanUtf8(bytes, source, start);
  assertNotBinary(bytes, source, stats);
  const { body, crlf } = normalizeLineEnds(bytes.subarray(start));
  return { body, chars: stats.chars - crlf, crlf };
}

/** "\r\n" → "\n" in place; a lone '\r' stays. */
export function normalizeLineEnds(b: Uint8Array): { body: Uint8Array; crlf: number } {
  const first = b.indexOf(0x0d);
  if (first < 0) return { body: b, crlf: 0 };
  let w = first;
  let crlf = 0;
  for (let r = first; r < b.length; r++) {
    if (b[r] === 0x0d && b[r + 1] === 0x0a) crlf++;
    else b[w++] = b[r];
  }
  return { body: b.subarray(0, w), crlf };
}

/** Reads, validates and joins the corpus files ('-' or a '-' entry: stdin). */
export async function readCorpus(paths: readonly string[] | '-', opts: ReadCorpusOptions = {}): Promise<Corpus> {
  const list = paths === '-' ? ['-'] : [...paths];
  if (list.length === 0) throw new RnnError('no corpus given', { expected: 'one or more text files, or - for stdin', kind: 'usage' });
  if (list.filter((p) => p === '-').length > 1) {
    throw new RnnError('stdin (-) given more than once', { expected: '- at most once', kind: 'usage' });
  }
  const parts: { body: Uint8Array; newline: boolean }[] = [];
  const files: CorpusFile[] = [];
  let chars = 0;
  let total = 0;
  let crlf = 0;
  for (let k = 0; k < list.length; k++) {
    const path = list[k];
    let bytes: Uint8Array;
    if (path === '-') {
      const stdin = opts.stdin ?? process.stdin;
      if (opts.stdin === undefined && process.stdin.isTTY) {
        throw new RnnError('no corpus on stdin', { expected: 'text piped into stdin', got: 'a terminal', hint: 'e.g. `cat book.txt | rnn train -`', kind: 'usage' });
      }
      bytes = await readStream(stdin);
    } else {
      bytes = readFileBytes(path, !opts.text);
    }
    const source = path === '-' ? 'stdin' : path;
    files.push({ path, bytes: bytes.length, sha256: sha256Hex(bytes) });
    const text = textOf(bytes, source);
    const body = text.body;
    const newline = k < list.length - 1 && body.length > 0 && body[body.length - 1] !== 0x0a;
    parts.push({ body, newline });
    crlf += text.crlf;
    chars += text.chars + (newline ? 1 : 0);
    total += body.length + (newline ? 1 : 0);
    if (total > MAX_CORPUS_BYTES) throw new RnnError('corpus is too large', { expected: `at most ${MAX_CORPUS_BYTES} bytes in all`, got: `more (at ${source})` });
  }
  if (chars === 0) {
    throw new RnnError(`the corpus is empty: ${list.map((p) => (p === '-' ? 'stdin' : p)).join(', ')}`, {
      expected: 'at least one character of text',
      got: '0 characters',
      hint: 'give a text file with content',
    });
  }
  let data: Uint8Array;
  if (parts.length === 1) {
    data = parts[0].body;
  } else {
    data = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      data.set(p.body, o);
      o += p.body.length;
      if (p.newline) data[o++] = 0x0a;
    }
  }
  const name = list.map((p) => (p === '-' ? 'stdin' : basename(p))).join('+');
  return makeCorpus(name, data, chars, files, crlf);
}

/** A corpus from a string already in memory (tests, the library API). */
export function corpusFromText(text: string, name = 'text'): Corpus {
  const b = Buffer.from(text, 'utf8');
  const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const file = { path: name, bytes: bytes.length, sha256: sha256Hex(bytes) };
  const { body, chars, crlf } = textOf(bytes, name);
  return makeCorpus(name, body, chars, [file], crlf);
}

function makeCorpus(name: string, data: Uint8Array, chars: number, files: CorpusFile[], crlf: number): Corpus {
  return {
    name,
    data,
    bytes: data.length,
    chars,
    sha256: sha256Hex(data),
    files,
    crlf,
    text: () => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'),
  };
}

export interface Split {
  /** ids[0, c): the training stream. */
  train: TokenIds;
  /** ids[c − 1, n): the validation stream (the corpus tail), empty when valFraction = 0. */
  val: TokenIds;
  valFraction: number;
  /** Positions predicted in the training stream: train.length − 1. */
  trainTokens: number;
  /** Positions predicted in the validation stream: val.length − 1 (0 when there is none). */
  valTokens: number;
}

/**
 * The train/validation split: the last `valFraction` of the stream's n − 1 predictions
 * (input ids[p] → target ids[p+1]) are validation. The validation stream starts one token early,
 * at the last training token, which it uses only as its first input: every prediction of the stream
 * is in exactly one part, and none is in both.
 */
export function splitTrainVal(ids: TokenIds, valFraction: number): Split {
  checkOption(TRAIN_OPTIONS.valFraction, valFraction);
  const n = ids.length;
  const predictions = Math.max(0, n - 1);
  let valTokens = Math.round(predictions * valFraction);
  if (valFraction > 0 && valTokens === 0) valTokens = 1;
  const trainTokens = predictions - valTokens;
  if (trainTokens < 1) {
    throw new RnnError('the corpus is too small to split into training and validation parts', {
      expected: 'at least one training prediction',
      got: `${n} tokens with --val-fraction ${valFraction}`,
      hint: 'give a larger corpus or a smaller --val-fraction',
    });
  }
  const c = trainTokens + 1;
  return {
    train: ids.subarray(0, c),
    val: valTokens > 0 ? ids.subarray(c - 1) : ids.subarray(n, n),
    valFraction,
    trainTokens,
    valTokens,
  };
}

/** The held-out text: the stream's tail, or whole sequences chosen by the seed (for lists). */
export type SplitMode = 'tail' | 'random';

export function splitCorpus(ids: TokenIds, valFraction: number, mode: SplitMode, seed: number): Split {
  return mode === 'random' ? splitRandomly(ids, valFraction, seed) : splitTrainVal(ids, valFraction);
}

/** [start, end) of each sequence of the stream: its characters and the <EOS> that ends it (ids[0], the first input, is in none). */
function sequences(ids: TokenIds): Int32Array {
  const bounds: number[] = [];
  let start = 1;
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] === EOS_ID) {
      bounds.push(start, i + 1);
      start = i + 1;
    }
  }
  if (start < ids.length) bounds.push(start, ids.length);
  return Int32Array.from(bounds);
}

/**
 * A random split, as makemore makes one for a list: round(f · n) of the n sequences (lines or
 * paragraphs, each with the <EOS> that ends it; at least one when f > 0) are held out, chosen by the
 * seed. Each part starts with <EOS>, as the corpus does, and keeps its sequences in corpus order.
 */
export function splitRandomly(ids: TokenIds, valFraction: number, seed: number): Split {
  const bounds = sequences(ids);
  const n = bounds.length / 2;
  let k = Math.round(n * valFraction);
  if (valFraction > 0 && k === 0) k = 1;
  const held = new Uint8Array(n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed ^ 0x2c1b3c6d);
  for (let i = 0; i < k && i < n - 1; i++) {
    const j = i + rng.int(n - i); // Fisher–Yates, the first k places
    [order[i], order[j]] = [order[j]!, order[i]!];
    held[order[i]!] = 1;
  }
  const build = (wanted: number): TokenIds => {
    let len = 1;
    for (let q = 0; q < n; q++) if (held[q] === wanted) len += bounds[2 * q + 1]! - bounds[2 * q]!;
    const out = new (ids.constructor as { new (n: number): TokenIds })(len);
    out[0] = EOS_ID;
    let o = 1;
    for (let q = 0; q < n; q++) {
      if (held[q] !== wanted) continue;
      out.set(ids.subarray(bounds[2 * q]!, bounds[2 * q + 1]!), o);
      o += bounds[2 * q + 1]! - bounds[2 * q]!;
    }
    return out;
  };
  const train = build(0);
  const val = k > 0 ? build(1) : ids.subarray(0, 0);
  if (train.length < 2) {
    throw new RnnError('the corpus is too small to split into training and validation parts', {
      expected: 'at least one training line', got: `${n} line(s) with --val-fraction ${valFraction}`, hint: 'give a larger corpus or a smaller --val-fraction',
    });
  }
  return { train, val, valFraction, trainTokens: train.length - 1, valTokens: Math.max(0, val.length - 1) };
}

/**
 * Why the tail makes a poor validation set, or null: a sorted list (its tail holds only the last
 * entries), or a tail whose characters differ from the rest's. A hint to use --val-split random.
 */
export function tailUnlikeRest(ids: TokenIds, split: Split): string | null {
  const bounds = sequences(ids);
  const n = bounds.length / 2;
  let inOrder = 0;
  for (let q = 1; q < n; q++) if (compareRange(ids, bounds[2 * q - 2]!, bounds[2 * q - 1]!, bounds[2 * q]!, bounds[2 * q + 1]!) < 0) inOrder++;
  if (n >= 20 && inOrder >= 0.9 * (n - 1)) {
    return `the corpus's lines are sorted (${Math.round((100 * inOrder) / (n - 1))}% of neighbouring lines in increasing order): its tail holds only the last of them`;
  }
  const tv = totalVariation(split.train, split.val);
  return tv > TAIL_TV_LIMIT ? `the held-out tail's characters differ from the rest's (total variation distance ${tv.toFixed(2)})` : null;
}

/** Above this distance between the character frequencies of the tail and the rest, say so. */
const TAIL_TV_LIMIT = 0.25;

function compareRange(ids: TokenIds, a0: number, a1: number, b0: number, b1: number): number {
  for (let i = 0; a0 + i < a1 && b0 + i < b1; i++) if (ids[a0 + i] !== ids[b0 + i]) return ids[a0 + i]! - ids[b0 + i]!;
  return a1 - a0 - (b1 - b0);
}

/** ½ Σ |p(c) − q(c)| over the tokens of two streams. */
function totalVariation(a: TokenIds, b: TokenIds): number {
  if (a.length === 0 || b.length === 0) return 0;
  let V = 0;
  for (const x of [a, b]) for (let i = 0; i < x.length; i++) V = Math.max(V, x[i]! + 1);
  const p = new Float64Array(V);
  for (let i = 0; i < a.length; i++) p[a[i]!]! += 1 / a.length;
  for (let i = 0; i < b.length; i++) p[b[i]!]! -= 1 / b.length;
  let d = 0;
  for (let k = 0; k < V; k++) d += Math.abs(p[k]!);
  return d / 2;
}

