/**
 * The reserved token ids and what the sampler, the evaluator and fill need of a vocabulary (the
 * tokenizer's `Vocab` is one). Reserved ids come first: 0 = <EOS>, 1 = <UNK>, then the characters.
 */
import type { EosMode } from './segment.js';

export const EOS_ID = 0;
export const UNK_ID = 1;
export const RESERVED = ['<EOS>', '<UNK>'] as const;

export interface TextVocab {
  /** V, reserved ids included. */
  readonly size: number;
  /** What <EOS> stands for: a line end, a blank line between paragraphs, or nothing (none). */
  readonly eos: EosMode;
  /**
   * Code points → ids; characters not in the vocabulary become <UNK> and are counted.
   * start: a leading <EOS> [Vocab: true]; end: a closing <EOS> unless the text ended with one.
   */
  encode(text: string, opts?: { start?: boolean; end?: boolean }): { ids: ArrayLike<number>; unknown: number };
  /** Ids → text; <EOS> becomes the separator it stands for. */
  decode(ids: ArrayLike<number>): string;
}
