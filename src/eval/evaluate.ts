import { RnnError } from '../errors.js';
import type { LanguageModel } from '../engine/language-model.js';
import { EOS_ID } from '../tokenizer/tokens.js';
import { rowNll } from '../util/softmax.js';
import { checkEvalOptions, checkIds, evalResult, type EvalOptions, type EvalResult } from './common.js';
import { evaluateInfill } from './infill.js';

export type { EvalOptions, EvalResult };

/** Where each of (at most) B parts of the predicted positions [1, N) starts; the last entry is N. */
function partStarts(ids: ArrayLike<number>, B: number, atSequenceStarts: boolean): number[] {
  const N = ids.length;
  const P = N - 1;
  if (!atSequenceStarts) {
    const L = Math.ceil(P / B);
    const starts: number[] = [];
    for (let s = 1; s < N; s += L) starts.push(s);
    starts.push(N);
    return starts;
  }
  // The positions whose input is <EOS> nearest after each 1 + b·P/B.
  const starts = [1];
  let pos = 2;
  for (let b = 1; b < B; b++) {
    pos = Math.max(pos, 1 + Math.ceil((b * P) / B));
    while (pos < N && ids[pos - 1] !== EOS_ID) pos++;
    if (pos >= N) break;
    starts.push(pos);
    pos++;
  }
  starts.push(N);
  return starts;
}

/**
 * Perplexity of a token stream, as `Vocab.encode` makes it and training reads it: ids[0] is only
 * an input (the <EOS> that starts the text, or the last training token for the validation split);
 * each later token is predicted from everything before it, starting from a zero state. The result
 * is the exact sum of −log p over those N − 1 predictions (an <EOS> is a token like any other).
 *
 * As in training, the predictions are cut into B contiguous parts processed side by side, T steps
 * at a time, the state carried from block to block. B = 1 [the default] predicts every token from
 * its whole left context; with B > 1 each further part starts with a zero state mid-text (faster,
 * slightly pessimistic).
 *
 * `resetAtEos`: the state is zeroed before every <EOS> input, so each sequence is predicted as
 * `score` scores a line; the parts then start at sequence starts and the result does not depend
 * on B or T.
 */
export function evaluate(model: LanguageModel, ids: ArrayLike<number>, options: EvalOptions = {}): EvalResult {
  checkEvalOptions(options);
  // a bidirectional model predicts each token from both sides: the infill perplexity (infill.ts)
  if (model.config.bidirectional) return evaluateInfill(model, ids, options);
  const N = ids.length;
  if (N < 2) {
    throw new RnnError('nothing to evaluate', { expected: 'at least one token to predict', got: `a stream of ${N} token(s)` });
  }
  const V = model.config.vocabSize;
  checkIds(ids, V);
  const reset = options.resetAtEos === true;
  const starts = partStarts(ids, options.batch ?? 1, reset);
  const B = starts.length - 1;
  const T = options.seqLength ?? 128;
  let L = 0; // the longest part; shorter ones are padded with <EOS> inputs whose predictions are ignored
  for (let b = 0; b < B; b++) L = Math.max(L, starts[b + 1] - starts[b]);
  const input = (pos: number): number => ids[pos - 1];

  const state = model.newState(B);
  const x = new Int32Array(T * B);
  let total = 0;
  for (let t0 = 0; t0 < L; ) {
    let Tb = Math.min(T, L - t0);
    if (reset) {
      // A block may hold an <EOS> input only at its first step, where the state is zeroed.
      for (let b = 0; b < B; b++) {
        const s = starts[b] + t0;
        if (t0 > 0 && s < starts[b + 1] && input(s) === EOS_ID) model.resetStream(state, B, b);
        for (let t = 1; t < Tb && s + t < starts[b + 1]; t++) {
          if (input(s + t) === EOS_ID) {
            Tb = t;
            break;
          }
        }
      }
    }
    for (let t = 0; t < Tb; t++) {
      for (let b = 0; b < B; b++) {
        const pos = starts[b] + t0 + t;
        x[t * B + b] = pos < starts[b + 1] ? input(pos) : EOS_ID;
      }
    }
    const logits = model.logits(x.subarray(0, Tb * B), Tb, B, state);
    for (let t = 0; t < Tb; t++) {
      for (let b = 0; b < B; b++) {
        const pos = starts[b] + t0 + t;
        if (pos < starts[b + 1]) total += rowNll(logits, (t * B + b) * V, V, ids[pos]);
      }
    }
    t0 += Tb;
  }
  return evalResult(ids, total, B);
}
