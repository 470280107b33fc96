/**
 * Cutting text into sequences (the `--eos` modes). A text is read as code points and turned into
 * a stream of "char" and "end of sequence" events:
 *   line       every '\n' ends a sequence (the <EOS> stands for '\n');
 *   paragraph  every blank-line separator "\n\n" ends one (read greedily left to right, so
 *              "\n\n\n" is <EOS> then an ordinary '\n'); a single '\n' is an ordinary character;
 *   none       no separators: '\n' is an ordinary character.
 * The mapping is lossless: replacing each <EOS> by `separatorOf(mode)` gives the text back.
 */
import { forEachCodePoint } from './utf8.js';

export type EosMode = 'line' | 'paragraph' | 'none';
export const EOS_MODES: readonly EosMode[] = ['line', 'paragraph', 'none'];

const NL = 0x0a;

/** What one <EOS> decodes to. */
export function separatorOf(mode: EosMode): string {
  return mode === 'line' ? '\n' : mode === 'paragraph' ? '\n\n' : '';
}

/** Every code point of a JS string, surrogate pairs joined (a lone surrogate is its own code point). */
export function forEachCodePointOfString(s: string, fn: (cp: number) => void): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    fn(cp);
    n++;
  }
  return n;
}

/**
 * Feeds the char / end-of-sequence events of `input` (a string, or UTF-8 bytes decoded strictly)
 * to `onChar(cp)` and `onEos()`. `source` names the input in UTF-8 errors.
 */
export function segment(
  input: string | Uint8Array,
  mode: EosMode,
  onChar: (cp: number) => void,
  onEos: () => void,
  source = 'input',
): void {
  let each: (cp: number) => void;
  let pendingNewline = false;
  if (mode === 'line') {
    each = (cp) => (cp === NL ? onEos() : onChar(cp));
  } else if (mode === 'paragraph') {
    each = (cp) => {
      if (cp === NL) {
        if (pendingNewline) {
          pendingNewline = false;
          onEos();
        } else {
          pendingNewline = true;
        }
        return;
      }
      if (pendingNewline) {
        pendingNewline = false;
        onChar(NL);
      }
      onChar(cp);
    };
  } else {
    each = onChar;
  }
  if (typeof input === 'string') forEachCodePointOfString(input, each);
  else forEachCodePoint(input, each, source);
  if (pendingNewline) onChar(NL);
}

/** Character counts: a flat table for the BMP, a Map for the astral planes (emoji). */
export class CharCounts {
  readonly bmp = new Float64Array(0x10000);
  readonly astral = new Map<number, number>();
  /** Sequence separators seen (not characters; for information). */
  separators = 0;

  add(cp: number): void {
    if (cp < 0x10000) this.bmp[cp]++;
    else this.astral.set(cp, (this.astral.get(cp) ?? 0) + 1);
  }

  get(cp: number): number {
    return cp < 0x10000 ? this.bmp[cp] : (this.astral.get(cp) ?? 0);
  }

  /** [code point, count] for every character seen, by code point. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let cp = 0; cp < 0x10000; cp++) if (this.bmp[cp] > 0) out.push([cp, this.bmp[cp]]);
    for (const e of [...this.astral.entries()].sort((a, b) => a[0] - b[0])) out.push(e);
    return out;
  }

  /** Counts the characters of `input` as cut by `mode` (separators are not characters). */
  static of(input: string | Uint8Array, mode: EosMode, source?: string): CharCounts {
    const c = new CharCounts();
    segment(input, mode, (cp) => c.add(cp), () => c.separators++, source);
    return c;
  }
}
