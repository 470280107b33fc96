/**
 * The vocabulary: id 0 = <EOS>, id 1 = <UNK>, then the kept characters (Unicode code points)
 * sorted by code point, so ids are stable for a given set of characters.
 *
 * encode(text) produces the stream a model trains on:
 *   [<EOS>]  (with start: true, the default — "a sequence starts here")
 *   then every character's id, every separator (see segment.ts) as <EOS>,
 *   then one more <EOS> if end: true and the text did not already end with a separator.
 * decode maps ids back one for one: <EOS> → its separator ('\n', '\n\n' or '' for none),
 * <UNK> → U+FFFD (or the `unk` option). So decode(encode(t, { start: false }).ids) === t
 * whenever every character of t is in the vocabulary.
 */
import { RnnError, describeValue as describe } from '../errors.js';
import { checkOption, TRAIN_OPTIONS } from '../options.js';
import { CharCounts, EOS_MODES, segment, separatorOf, type EosMode } from './segment.js';

export { CharCounts, EOS_MODES, separatorOf, type EosMode } from './segment.js';

import { EOS_ID as EOS, RESERVED, UNK_ID as UNK } from './tokens.js';

export { RESERVED };
/** What <UNK> decodes to unless told otherwise: U+FFFD REPLACEMENT CHARACTER. */
export const UNK_TEXT = '\uFFFD';
/** Upper bound on the vocabulary (every code point, plus the two reserved ids). */
export const MAX_VOCAB_SIZE = 0x110000 + RESERVED.length;

/** Token ids: the smallest array type that holds the vocabulary's ids (or Int32Array on request). */
export type TokenIds = Uint8Array | Uint16Array | Int32Array;

export interface VocabOptions {
  eos: EosMode;
  /** Characters seen fewer times become <UNK> [1]. */
  minCount?: number;
  /** At most this many ids in all, the two reserved ones included; the most frequent characters stay. */
  maxVocab?: number | null;
}

export interface EncodeOptions {
  /** Put an <EOS> first (the first input of a sequence) [true]. */
  start?: boolean;
  /** End with an <EOS> unless the text ended with a separator [false]. */
  end?: boolean;
  /** Always return an Int32Array [false: the smallest type that fits]. */
  int32?: boolean;
  /** Names the input in UTF-8 errors. */
  source?: string;
}

export interface Encoded {
  ids: TokenIds;
  /** Characters that were mapped to <UNK> (separators and the added <EOS>s are not counted). */
  unknown: number;
}

export interface VocabJSON {
  eos: EosMode;
  reserved: string[];
  /** The characters of ids 2, 3, …: one code point each, in increasing order. */
  chars: string[];
  minCount: number;
  maxVocab: number | null;
}

export class Vocab {
  private readonly bmpIds = new Int32Array(0x10000).fill(UNK);
  private readonly astralIds = new Map<number, number>();
  private readonly texts: string[];

  /** `chars`: the code points of ids 2, 3, … in increasing order (see fromCounts / fromJSON). */
  constructor(
    readonly eos: EosMode,
    readonly chars: readonly number[],
    readonly minCount = 1,
    readonly maxVocab: number | null = null,
  ) {
    chars.forEach((cp, k) => {
      if (cp < 0x10000) this.bmpIds[cp] = k + 2;
      else this.astralIds.set(cp, k + 2);
    });
    this.texts = [separatorOf(eos), UNK_TEXT, ...chars.map((cp) => String.fromCodePoint(cp))];
  }

  /** V: the number of ids, reserved ones included. */
  get size(): number {
    return this.chars.length + RESERVED.length;
  }

  /** What <EOS> stands for in decoded text. */
  get separator(): string {
    return separatorOf(this.eos);
  }

  static fromCounts(counts: CharCounts, opts: VocabOptions): Vocab {
    const minCount = opts.minCount ?? 1;
    const maxVocab = opts.maxVocab ?? null;
    checkOptions(opts.eos, minCount, maxVocab);
    const seen = counts.entries();
    let kept = seen.filter(([, n]) => n >= minCount);
    if (kept.length === 0 && seen.length > 0) {
      const [cp, n] = seen.reduce((a, b) => (b[1] > a[1] ? b : a));
      throw new RnnError(`no character occurs --min-count ${minCount} times: the vocabulary would be empty`, {
        expected: `--min-count at most ${n}`, got: `--min-count ${minCount}`, kind: 'usage',
        hint: `the most frequent character, ${JSON.stringify(String.fromCodePoint(cp))}, occurs ${n} times; lower --min-count`,
      });
    }
    if (maxVocab !== null && kept.length + RESERVED.length > maxVocab) {
      kept = kept.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, maxVocab - RESERVED.length);
    }
    const chars = kept.map(([cp]) => cp).sort((a, b) => a - b);
    return new Vocab(opts.eos, chars, minCount, maxVocab);
  }

  /** Counts the characters of a text (or UTF-8 bytes) and builds the vocabulary. */
  static fromText(input: string | Uint8Array, opts: VocabOptions, source?: string): Vocab {
    checkOptions(opts.eos, opts.minCount ?? 1, opts.maxVocab ?? null);
    return Vocab.fromCounts(CharCounts.of(input, opts.eos, source), opts);
  }

  /** The id of a code point, <UNK> if it is not in the vocabulary. */
  idOf(cp: number): number {
    return cp < 0x10000 ? this.bmpIds[cp] : (this.astralIds.get(cp) ?? UNK);
  }

  /** True for a code point that has its own id. */
  has(cp: number): boolean {
    return this.idOf(cp) !== UNK;
  }

  /** A printable name of a token: '<EOS>', '<UNK>' or the character itself. */
  tokenName(id: number): string {
    this.checkId(id);
    return id < RESERVED.length ? RESERVED[id] : this.texts[id];
  }

  encode(input: string | Uint8Array, opts: EncodeOptions = {}): Encoded {
    const start = opts.start ?? true;
    // ≥ code points + reserved extras. For bytes, count the code points (lead bytes) first, so that a
    // 200 MB corpus gets one id array of the right size, not one per byte and then a trimmed copy.
    const cap = (typeof input === 'string' ? input.length : leadBytes(input)) + 2;
    const V = this.size;
    const ids: TokenIds = opts.int32 || V > 0x10000 ? new Int32Array(cap) : V > 0x100 ? new Uint16Array(cap) : new Uint8Array(cap);
    let n = 0;
    let unknown = 0;
    let endedWithEos = false;
    if (start) ids[n++] = EOS;
    segment(
      input,
      this.eos,
      (cp) => {
        const id = cp < 0x10000 ? this.bmpIds[cp] : (this.astralIds.get(cp) ?? UNK);
        if (id === UNK) unknown++;
        ids[n++] = id;
        endedWithEos = false;
      },
      () => {
        ids[n++] = EOS;
        endedWithEos = true;
      },
      opts.source,
    );
    if (opts.end && !endedWithEos) ids[n++] = EOS;
    // A view when little is spare (no second full-size array at the peak), a trimmed copy otherwise.
    return { ids: n === cap ? ids : n >= cap - (cap >> 3) ? ids.subarray(0, n) : ids.slice(0, n), unknown };
  }

  /** Text of the ids: <EOS> → separator, <UNK> → `unk` [U+FFFD]. */
  decode(ids: ArrayLike<number>, opts: { unk?: string } = {}): string {
    const unk = opts.unk ?? UNK_TEXT;
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      this.checkId(id);
      parts.push(id === UNK ? unk : this.texts[id]);
    }
    return parts.join('');
  }

  toJSON(): VocabJSON {
    return {
      eos: this.eos,
      reserved: [...RESERVED],
      chars: this.texts.slice(RESERVED.length),
      minCount: this.minCount,
      maxVocab: this.maxVocab,
    };
  }

  /** Validates a vocabulary read from a file; `where` prefixes the error message. */
  static fromJSON(json: unknown, where = 'vocab'): Vocab {
    const bad = (field: string, expected: string, got: unknown): RnnError =>
      new RnnError(`invalid ${where}: ${field}`, { expected, got: describe(got), hint: 'the model file is damaged or was not written by rnn' });
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not an object', 'an object', json);
    const o = json as Record<string, unknown>;
    if (!EOS_MODES.includes(o.eos as EosMode)) throw bad('eos', EOS_MODES.join(' | '), o.eos);
    const r = o.reserved;
    if (!Array.isArray(r) || r.length !== RESERVED.length || r.some((t, k) => t !== RESERVED[k])) {
      throw bad('reserved', JSON.stringify(RESERVED), r);
    }
    if (!Array.isArray(o.chars)) throw bad('chars', 'an array of characters', o.chars);
    if (o.chars.length > MAX_VOCAB_SIZE - RESERVED.length) throw bad('chars', `at most ${MAX_VOCAB_SIZE - 2} characters`, `${o.chars.length}`);
    const chars: number[] = [];
    for (let k = 0; k < o.chars.length; k++) {
      const s = o.chars[k];
      const cp = typeof s === 'string' && s.length > 0 ? s.codePointAt(0)! : -1;
      if (typeof s !== 'string' || cp < 0 || String.fromCodePoint(cp) !== s || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw bad(`chars[${k}]`, 'exactly one Unicode scalar value', s);
      }
      if (k > 0 && cp <= chars[k - 1]) throw bad(`chars[${k}]`, 'characters in strictly increasing code point order', s);
      if (o.eos === 'line' && cp === 0x0a) throw bad(`chars[${k}]`, "no '\\n' in a vocabulary whose <EOS> is the newline", s);
      chars.push(cp);
    }
    const minCount = o.minCount;
    if (!Number.isSafeInteger(minCount) || (minCount as number) < 1) throw bad('minCount', 'an integer ≥ 1', minCount);
    const maxVocab = o.maxVocab;
    if (maxVocab !== null && (!Number.isSafeInteger(maxVocab) || (maxVocab as number) < 3)) throw bad('maxVocab', 'null or an integer ≥ 3', maxVocab);
    if (maxVocab !== null && chars.length + 2 > (maxVocab as number)) throw bad('chars', `at most maxVocab − 2 = ${(maxVocab as number) - 2}`, `${chars.length}`);
    return new Vocab(o.eos as EosMode, chars, minCount as number, maxVocab as number | null);
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      throw new RnnError('token id out of range', { expected: `an integer in [0, ${this.size})`, got: String(id) });
    }
  }
}

/** Bytes that start a UTF-8 sequence (not 10xxxxxx): the code point count of well-formed UTF-8, and an upper bound otherwise. */
function leadBytes(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if ((b[i] & 0xc0) !== 0x80) n++;
  return n;
}

function checkOptions(eos: EosMode, minCount: number, maxVocab: number | null): void {
  checkOption(TRAIN_OPTIONS.eos, eos);
  checkOption(TRAIN_OPTIONS.minCount, minCount);
  checkOption(TRAIN_OPTIONS.maxVocab, maxVocab);
}
