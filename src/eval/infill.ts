import type { Infill, LanguageModel } from '../engine/language-model.js';
import type { Vec } from '../engine/types.js';
import { RnnError } from '../errors.js';
import { EOS_ID } from '../tokenizer/tokens.js';
import { checkEvalOptions, checkIds, evalResult, type EvalOptions, type EvalResult } from './common.js';
import { rowNll } from '../util/softmax.js';

/**
 * Infill predictions of a bidirectional model over a token stream: every position p of [0, N)
 * gets the logits of ids[p] given both sides, ŷ = softmax(W_y[→a⟨p−1⟩; ←a⟨p+1⟩] + b_y).
 *
 * The stream is cut into B contiguous parts processed side by side (B = 1: every prediction sees
 * the whole text on both sides; B > 1: each part is read as if it were the whole text, so the
 * left context starts afresh at a part's start and the right context ends at its end, followed
 * by <EOS>; faster, slightly pessimistic). Each part runs in blocks of T steps:
 *   pass 1, right to left: the backward direction alone, keeping its state at every block boundary;
 *   pass 2, left to right: both directions block by block, the backward one restarted from the kept
 *   state, so memory stays O(T·B) for any length. The last part is padded at its end with <EOS>.
 *
 * `row(p, logits, off)` is called for every p in [0, N), logits[off … off+V) being its row.
 * Returns the number of parts B.
 */
export function forEachInfillRow(
  model: LanguageModel & { infill: Infill }, ids: ArrayLike<number>, options: { batch?: number; seqLength?: number },
  row: (p: number, logits: Vec, off: number) => void,
): number {
  const N = ids.length;
  if (N < 1) return 0;
  const T = options.seqLength ?? 128;
  const L = Math.ceil(N / Math.min(options.batch ?? 1, N)); // part length
  const B = Math.ceil(N / L);
  const V = model.config.vocabSize;
  const tok = (b: number, t: number): number => {
    const p = b * L + t;
    return t < L && p < N ? ids[p] : EOS_ID;
  };
  const nBlocks = Math.ceil(L / T);
  const x = new Int32Array(T * B);
  const next = new Int32Array(B);
  const fill = (k: number): number => {
    const t0 = k * T, Tb = Math.min(T, L - t0);
    for (let t = 0; t < Tb; t++) for (let b = 0; b < B; b++) x[t * B + b] = tok(b, t0 + t);
    for (let b = 0; b < B; b++) next[b] = tok(b, t0 + Tb); // t0 + Tb = L: the <EOS> after the part
    return Tb;
  };
  // pass 1: backward states at each block's right end
  const kept: Vec[] = new Array(nBlocks);
  const bState = model.infill.newBwdState(B);
  for (let k = nBlocks - 1; k >= 0; k--) {
    kept[k] = bState.slice();
    if (k > 0) {
      const Tb = fill(k);
      model.infill.advanceBackward(x.subarray(0, Tb * B), next, Tb, B, bState);
    }
  }
  // pass 2
  const fState = model.newState(B);
  for (let k = 0; k < nBlocks; k++) {
    const Tb = fill(k);
    const z = model.infill.infillLogits(x.subarray(0, Tb * B), next, Tb, B, fState, kept[k]!);
    for (let t = 0; t < Tb; t++) {
      for (let b = 0; b < B; b++) {
        const p = b * L + k * T + t;
        if (p < N && (b + 1) * L > p) row(p, z, (t * B + b) * V);
      }
    }
  }
  return B;
}

/**
 * Infill perplexity: the stream as `Vocab.encode` makes it (ids[0] the <EOS> that starts it),
 * each token of ids[1 …] predicted from both sides — the left context ids[… p−1] and the right
 * context ids[p+1 …] (see forEachInfillRow for B and T). Same counts as `evaluate`: N − 1 tokens.
 */
export function evaluateInfill(model: LanguageModel, ids: ArrayLike<number>, options: EvalOptions = {}): EvalResult {
  checkEvalOptions(options);
  if (!hasInfill(model)) {
    throw new RnnError('infill evaluation needs a bidirectional model', { expected: 'a model trained with --bidirectional', got: 'a left-to-right model' });
  }
  const N = ids.length;
  if (N < 2) throw new RnnError('nothing to evaluate', { expected: 'at least one token to predict', got: `a stream of ${N} token(s)` });
  const V = model.config.vocabSize;
  checkIds(ids, V);
  let total = 0;
  const parts = forEachInfillRow(model, ids, options, (p, z, off) => {
    if (p >= 1) total += rowNll(z, off, V, ids[p]);
  });
  return evalResult(ids, total, parts);
}

/** Whether the model predicts from both sides (a bidirectional model). */
export function hasInfill(model: LanguageModel): model is LanguageModel & { infill: Infill } {
  return model.infill !== null;
}
