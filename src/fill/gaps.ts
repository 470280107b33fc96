import type { Vocab } from '../tokenizer/vocab.js';
import { EOS_ID, UNK_ID } from '../tokenizer/tokens.js';

/** The character that marks one missing character; a run of them is a gap of that many. */
export const GAP_CHAR = '_';

export interface Gap {
  /** UTF-16 offset of the run of `_` in the input text. */
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

/** Cut a text with `_` gaps into token ids (the vocabulary's own encoding of each piece) and gaps. */
export function parseGaps(text: string, vocab: Vocab): GappedText {
  const ids: number[] = [EOS_ID];
  const gaps: Gap[] = [];
  const pieces: string[] = [];
  let unknown = 0;
  const re = /_+/g;
  let last = 0;
  const addPiece = (s: string): void => {
    pieces.push(s);
    const e = vocab.encode(s, { start: false, int32: true });
    unknown += e.unknown;
    for (let i = 0; i < e.ids.length; i++) ids.push(e.ids[i]!);
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    addPiece(text.slice(last, m.index));
    const positions: number[] = [];
    for (let i = 0; i < m[0].length; i++) positions.push(ids.push(UNK_ID) - 1);
    gaps.push({ start: m.index, length: m[0].length, positions });
    last = m.index + m[0].length;
  }
  addPiece(text.slice(last));
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
