import { RnnError } from '../errors.js';
import type { Vocab } from '../tokenizer/vocab.js';
import { EOS_ID, UNK_ID } from '../tokenizer/tokens.js';

/** The character that marks one missing character [--gap]; a run of them is a gap of that many. */
export const GAP_CHAR = '_';

export interface Gap {
  /** UTF-16 offset of the run of gap characters in the input text. */
  start: number;
  /** Characters missing (the run's length). */
  length: number;
  /** Token positions of the missing characters in `ids`. */
  positions: number[];
}

export interface GappedText {
  /** The text as the model reads it: <EOS> first, then the characters; gap positions hold <UNK>. */
  ids: Int32Array;
  gaps: Gap[];
  /** The input cut at the gaps: pieces[k] is the text before gap k (pieces.length = gaps.length + 1). */
  pieces: string[];
  /** Characters of the text (outside gaps) that are not in the vocabulary, read as <UNK>. */
  unknown: number;
}

/** The gap character must be one character and not the backslash that escapes it. */
export function checkGapChar(gap: string): void {
  if ([...gap].length !== 1 || gap === '\\') {
    throw new RnnError('invalid value for --gap', { expected: 'one character other than \\, e.g. --gap "?"', got: JSON.stringify(gap), kind: 'usage' });
  }
}

/**
 * Cut a text with gaps into token ids (the vocabulary's own encoding of each piece) and gaps. A run
 * of `gap` characters is a gap; a backslash before one (\_) makes it a literal character.
 */
export function parseGaps(text: string, vocab: Vocab, gap = GAP_CHAR): GappedText {
  checkGapChar(gap);
  const ids: number[] = [EOS_ID];
  const gaps: Gap[] = [];
  const pieces: string[] = [];
  let unknown = 0;
  const g = gap.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`\\\\${g}|(?:${g})+`, 'gu'); // an escaped gap character, or a run of them
  const addPiece = (s: string): void => {
    pieces.push(s);
    const e = vocab.encode(s, { start: false, int32: true });
    unknown += e.unknown;
    for (let i = 0; i < e.ids.length; i++) ids.push(e.ids[i]!);
  };
  let piece = '';
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    piece += text.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[0].startsWith('\\')) {
      piece += gap; // \_ : a literal gap character
      continue;
    }
    addPiece(piece);
    piece = '';
    const positions: number[] = [];
    const length = m[0].length / gap.length;
    for (let i = 0; i < length; i++) positions.push(ids.push(UNK_ID) - 1);
    gaps.push({ start: m.index, length, positions });
  }
  addPiece(piece + text.slice(last));
  return { ids: Int32Array.from(ids), gaps, pieces, unknown };
}

/**
 * Token ids a gap may be filled with: every character, and <EOS> when it stands for exactly one
 * character ('\n' in the default `line` mode); never <UNK>.
 */
export function fillable(vocab: Vocab): Uint8Array {
  const ok = new Uint8Array(vocab.size).fill(1);
  ok[UNK_ID] = 0;
  if (vocab.separator.length !== 1) ok[EOS_ID] = 0;
  return ok;
}
