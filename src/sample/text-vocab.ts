/**
 * What the sampler and the evaluator need of a vocabulary; the tokenizer's `Vocab` satisfies it.
 * Reserved ids: 0 = <EOS>, 1 = <UNK>, then the characters.
 */
export { EOS as EOS_ID, UNK as UNK_ID } from '../tokenizer/vocab.js';

export interface TextVocab {
  /** V, reserved ids included. */
  readonly size: number;
  /**
   * Code points → ids; characters not in the vocabulary become <UNK> and are counted.
   * start: a leading <EOS> [Vocab: true]; end: a closing <EOS> unless the text ended with one.
   */
  encode(text: string, opts?: { start?: boolean; end?: boolean }): { ids: ArrayLike<number>; unknown: number };
  /** Ids → text; <EOS> becomes the separator it stands for. */
  decode(ids: ArrayLike<number>): string;
}
