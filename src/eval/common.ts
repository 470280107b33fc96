import { RnnError } from '../errors.js';
import { checkOption, EVAL_OPTIONS } from '../options.js';
import { UNK_ID } from '../tokenizer/tokens.js';

/** What every evaluation shares: its options, its result, and the checks of both. */
export interface EvalOptions {
  /** Parallel streams B [1]. */
  batch?: number;
  /** Steps per block T [128]. */
  seqLength?: number;
  /** Zero the state before each <EOS> input [false]. */
  resetAtEos?: boolean;
}

export interface EvalResult {
  /** Predicted tokens (= ids.length − 1). */
  tokens: number;
  /** Σ −log p, natural log. */
  totalNats: number;
  /** Mean nats per token. */
  nats: number;
  /** nats / ln 2. */
  bits: number;
  /** e^nats. */
  perplexity: number;
  /** <UNK> tokens in the stream. */
  unknown: number;
  /** Parts read side by side, each from a zero state: 1 is the exact figure. */
  parts: number;
}

/** The block options of an evaluation, checked against the option table. */
export function checkEvalOptions(o: { batch?: number; seqLength?: number }): void {
  if (o.batch !== undefined) checkOption(EVAL_OPTIONS.batchSize, o.batch);
  if (o.seqLength !== undefined) checkOption(EVAL_OPTIONS.seqLength, o.seqLength);
}

export function checkIds(ids: ArrayLike<number>, V: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(Number.isInteger(id) && id >= 0 && id < V)) {
      throw new RnnError('the text was encoded with another vocabulary', {
        expected: `token ids in [0, ${V})`, got: `${id} at position ${i}`,
        hint: 'encode the text with the model\'s own vocabulary',
      });
    }
  }
}

/** The figures of Σ −ln p = `total` over the N − 1 predictions of `ids`. */
export function evalResult(ids: ArrayLike<number>, total: number, parts: number): EvalResult {
  const N = ids.length;
  let unknown = 0;
  for (let i = 1; i < N; i++) if (ids[i] === UNK_ID) unknown++;
  const nats = total / (N - 1);
  return { tokens: N - 1, totalNats: total, nats, bits: nats / Math.LN2, perplexity: Math.exp(nats), unknown, parts };
}
