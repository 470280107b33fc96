/**
 * How much of what a model generates it copied from its training text (makemore's "in train / in
 * test / new", torch-rnn's novel_substrings.py). Line-shaped samples are looked up whole among the
 * training and validation sequences; free text is matched against a suffix array of the corpus
 * (util/suffix-array.ts): the longest substring copied, and the share of the sampled characters
 * inside copied runs of at least `minRun` characters.
 */
import { EOS_ID, type TextVocab } from '../tokenizer/tokens.js';
import type { TokenIds } from '../tokenizer/vocab.js';
import { copiedRuns, SubstringIndex } from '../util/suffix-array.js';

/** A copied run of at least this many characters counts as copying, not chance. */
export const MIN_COPIED_RUN = 20;

export interface LineNovelty {
  samples: number;
  /** Samples that are verbatim training sequences (lines, or paragraphs). */
  inTrain: number;
  /** Samples that are verbatim validation sequences (and not training ones). */
  inValidation: number;
  new: number;
}

export interface TextNovelty {
  /** Sampled characters. */
  chars: number;
  /** The longest substring of the sample that occurs in the corpus, and where it starts in the sample. */
  longest: number;
  longestText: string;
  /** Sampled characters inside copied runs of ≥ minRun characters, and their share. */
  copied: number;
  copiedShare: number;
  minRun: number;
}

/** The sequences of a token stream (between <EOS>s), decoded, as a set. */
export function sequenceSet(ids: TokenIds, vocab: TextVocab): Set<string> {
  const out = new Set<string>();
  let start = 0;
  for (let i = 0; i <= ids.length; i++) {
    if (i === ids.length || ids[i] === EOS_ID) {
      if (i > start) out.add(vocab.decode(ids.subarray(start, i)));
      start = i + 1;
    }
  }
  return out;
}

/** Each sample (a sequence, without the separator that ends it): in the training set, the validation set, or new. */
export function lineNovelty(samples: readonly string[], train: Set<string>, validation: Set<string>): LineNovelty {
  const r: LineNovelty = { samples: samples.length, inTrain: 0, inValidation: 0, new: 0 };
  for (const s of samples) {
    if (train.has(s)) r.inTrain++;
    else if (validation.has(s)) r.inValidation++;
    else r.new++;
  }
  return r;
}

/** An index of the corpus for textNovelty: its token ids (alphabet: the vocabulary). */
export function corpusIndex(ids: TokenIds, vocabSize: number): SubstringIndex {
  return new SubstringIndex(ids, vocabSize);
}

/** The sample's copied substrings: its longest, and the share of it inside copied runs of ≥ minRun. */
export function textNovelty(index: SubstringIndex, vocab: TextVocab, text: string, minRun = MIN_COPIED_RUN): TextNovelty {
  const { ids } = vocab.encode(text, { start: false });
  const ms = index.matchLengths(ids);
  const runs = copiedRuns(ms, minRun);
  const longestText = runs.longestAt < 0 ? '' : vocab.decode(Array.prototype.slice.call(ids, runs.longestAt, runs.longestAt + runs.longest) as number[]);
  return { chars: ids.length, longest: runs.longest, longestText, copied: runs.copied, copiedShare: ids.length > 0 ? runs.copied / ids.length : 0, minRun };
}
