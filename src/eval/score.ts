import { RnnError } from '../errors.js';
import { checkOption, SCORE_OPTIONS } from '../options.js';
import type { LanguageModel } from '../engine/language-model.js';
import { EOS_ID, type TextVocab } from '../tokenizer/tokens.js';
import { checkEvalOptions, checkIds } from './common.js';
import { rowNll } from '../util/softmax.js';

/**
 * Scores texts. Each text is one sequence of the model, as in training: it starts from a zero
 * state with <EOS> as its first input; the tokens predicted are its characters and, when the model
 * has sequence ends (--eos line or paragraph), the <EOS> that closes it:
 *   logProb = Σ ln p(token | text so far)   (≤ 0),   tokens = characters (+ 1 for the <EOS>).
 * A model trained with --eos none has no sequence ends: nothing is added after the text.
 *
 * Ranking [sortBy 'total', the default]: by logProb, highest first — the probability of the whole
 * text, the right comparison of alternatives ("The apple and pear salad." vs "… pair salad.").
 * sortBy 'mean' ranks by meanNats (nats per token, lowest first), which does not favour short texts.
 * Ties keep the input order. Texts are processed B at a time (grouped by length), T steps a block.
 */
export interface ScoreOptions {
  /** Lines processed side by side [32]. */
  batch?: number;
  /** Steps per block [128]. */
  seqLength?: number;
  sortBy?: 'total' | 'mean';
}

export interface LineScore {
  /** Position in the input. */
  index: number;
  text: string;
  /** Total natural-log probability, including the <EOS> that ends the text (if the model has sequence ends). */
  logProb: number;
  /** Predicted tokens: characters, + 1 for the closing <EOS>. */
  tokens: number;
  /** −logProb / tokens: mean nats per token. */
  meanNats: number;
  /** Characters not in the vocabulary (scored as <UNK>). */
  unknown: number;
}

/** A text's tokens as scored: its characters, then the <EOS> that ends it if the model has sequence ends. */
export function lineIds(vocab: TextVocab, text: string): { ids: ArrayLike<number>; unknown: number } {
  return vocab.encode(text, { start: false, end: vocab.eos !== 'none' });
}

export function score(
  model: LanguageModel, vocab: TextVocab, lines: readonly string[], options: ScoreOptions = {},
): LineScore[] {
  checkEvalOptions(options);
  const sortBy = checkOption(SCORE_OPTIONS.sort, options.sortBy ?? SCORE_OPTIONS.sort.default);
  if (model.config.bidirectional) {
    throw new RnnError('scoring needs a left-to-right model', {
      expected: 'a unidirectional model', got: 'a bidirectional (infill) model',
    });
  }
  const V = model.config.vocabSize;
  const T = options.seqLength ?? 128;
  const Bmax = options.batch ?? 32;
  const enc = lines.map((text) => lineIds(vocab, text));
  for (const e of enc) checkIds(e.ids, V);
  const empty = enc.findIndex((e) => e.ids.length === 0);
  if (empty >= 0) {
    throw new RnnError('nothing to score in an empty text', {
      expected: 'at least one character', got: `text ${empty + 1} is empty`, kind: 'usage',
      hint: 'a model trained with --eos none predicts characters only: give each text at least one',
    });
  }
  const nll = new Float64Array(lines.length);
  // Lines of similar length side by side, so little of a block is padding.
  const order = lines.map((_, i) => i).sort((a, b) => enc[a].ids.length - enc[b].ids.length || a - b);
  const x = new Int32Array(T * Bmax);
  for (let g = 0; g < order.length; g += Bmax) {
    const group = order.slice(g, g + Bmax);
    const B = group.length;
    const L = enc[group[B - 1]].ids.length; // the longest (sorted by length)
    const state = model.newState(B); // a zero state: every line starts afresh
    for (let t0 = 0; t0 < L; t0 += T) {
      const Tb = Math.min(T, L - t0);
      for (let t = 0; t < Tb; t++) {
        for (let b = 0; b < B; b++) {
          const ids = enc[group[b]].ids;
          const pos = t0 + t;
          x[t * B + b] = pos === 0 || pos >= ids.length ? EOS_ID : ids[pos - 1];
        }
      }
      const logits = model.logits(x.subarray(0, Tb * B), Tb, B, state);
      for (let t = 0; t < Tb; t++) {
        for (let b = 0; b < B; b++) {
          const ids = enc[group[b]].ids;
          const pos = t0 + t;
          if (pos < ids.length) nll[group[b]] += rowNll(logits, (t * B + b) * V, V, ids[pos]);
        }
      }
    }
  }
  const out: LineScore[] = lines.map((text, index) => {
    const tokens = enc[index].ids.length;
    return { index, text, logProb: -nll[index], tokens, meanNats: nll[index] / tokens, unknown: enc[index].unknown };
  });
  return out.sort(sortBy === 'total'
    ? (a, b) => b.logProb - a.logProb || a.index - b.index
    : (a, b) => a.meanNats - b.meanNats || a.index - b.index);
}
