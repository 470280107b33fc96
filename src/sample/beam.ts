/**
 * Beam search: the most probable continuations of a prime. It starts as sampling does (zero state,
 * <EOS> + prime fed as one block); then, at each of `length` steps, every kept hypothesis is
 * expanded by every allowed token and the `width` (K) best expansions are kept, a hypothesis
 * scoring Σ ln p of its generated tokens under the model's full softmax. A generated <EOS> is an
 * ordinary token (generation goes on after it); <UNK> is never chosen unless allowed. Ties go to the
 * lower parent rank, then the lower token id.
 * Cost: K × V candidates per step (length × K × V in all), and length × K one-token model calls,
 * each hypothesis carrying its own B = 1 state. Exact once K ≥ the number of possible prefixes.
 */
import { RnnError } from '../errors.js';
import { checkOption, int, SAMPLE_OPTIONS } from '../options.js';
import type { LanguageModel } from '../engine/language-model.js';
import type { Vec } from '../engine/types.js';
import { EOS_ID, UNK_ID, type TextVocab } from '../tokenizer/tokens.js';
import { logSumExp } from '../util/softmax.js';

export interface BeamOptions {
  /** Hypotheses kept at each step, K ≥ 1. */
  width: number;
  /** Tokens to generate after the prime, ≥ 1. */
  length: number;
  /** Text fed after the initial <EOS> (unknown characters become <UNK>) [''] */
  prime?: string;
  /** How many of the final hypotheses to return, best first, 1 ≤ count ≤ width [1]. */
  count?: number;
  /** Let <UNK> be generated [false: it is never chosen]. */
  allowUnk?: boolean;
}

export interface BeamResult {
  /** The generated continuation, decoded (an <EOS> becomes its separator, e.g. '\n'); the prime is not included. */
  text: string;
  /** Σ ln p of the generated tokens given everything before them (≤ 0). */
  logProb: number;
  /** The generated token ids. */
  ids: number[];
}

/**
 * The `count` best continuations of `length` tokens (fewer if fewer exist), best first.
 * Throws RnnError 'usage' for impossible options or a bidirectional model.
 */
export function beamSearch(model: LanguageModel, vocab: TextVocab, options: BeamOptions): BeamResult[] {
  const { width: K, length: N } = options;
  const count = options.count ?? 1;
  checkOption(SAMPLE_OPTIONS.beam, K);
  checkOption({ ...SAMPLE_OPTIONS.length, type: int(1) }, N);
  checkOption({ ...SAMPLE_OPTIONS.count, type: int(1, K), hint: `--count is at most --beam (here ${K}): raise --beam to get more continuations` }, count);
  if (model.config.bidirectional) {
    throw new RnnError('cannot beam-search a bidirectional model', {
      expected: 'a left-to-right model', got: 'a bidirectional (infill) model', kind: 'usage',
      hint: 'use `rnn fill` with a bidirectional model, or train one without --bidirectional',
    });
  }
  const V = model.config.vocabSize;
  if (vocab.size !== V) {
    throw new RnnError('the vocabulary does not match the model', { expected: `${V} tokens`, got: `${vocab.size}` });
  }
  const prime = vocab.encode(options.prime ?? '', { start: false }).ids;
  const start = new Int32Array(prime.length + 1); // <EOS> then the prime: the first block
  start[0] = EOS_ID;
  for (let i = 0; i < prime.length; i++) start[i + 1] = prime[i];
  const skipUnk = options.allowUnk !== true;

  // Back-pointers: kept hypothesis k of step s is hypothesis parent[s·K + k] of step s − 1 plus token[s·K + k].
  const parent = new Int32Array(N * K);
  const token = new Int32Array(N * K);
  let score = new Float64Array(K); // Σ ln p of the hypotheses kept at the previous step, best first
  let next = new Float64Array(K); // the same for this step's expansions, kept sorted
  let states: Vec[] = [model.newState(1)]; // each kept hypothesis's state, before its last token
  let kept = 1; // one empty hypothesis before the first step
  const x = new Int32Array(1);
  for (let s = 0; s < N; s++) {
    const base = s * K;
    let n = 0;
    for (let h = 0; h < kept; h++) {
      // The row predicting h's next token: the last of the prime block, or h's last token fed in.
      let z: Vec;
      let off = 0;
      if (s === 0) {
        z = model.logits(start, start.length, 1, states[0]);
        off = (start.length - 1) * V;
      } else {
        x[0] = token[base - K + h];
        z = model.logits(x, 1, 1, states[h]);
      }
      const lse = logSumExp(z, off, V);
      for (let v = 0; v < V; v++) {
        if (v === UNK_ID && skipUnk) continue;
        const sc = score[h] + (z[off + v] - lse);
        if (n === K && !(sc > next[K - 1])) continue; // no better than the worst kept: earlier wins ties
        // Insert into the sorted top K, after any equal score.
        let i = n < K ? n++ : K - 1;
        for (; i > 0 && sc > next[i - 1]; i--) {
          next[i] = next[i - 1];
          parent[base + i] = parent[base + i - 1];
          token[base + i] = token[base + i - 1];
        }
        next[i] = sc;
        parent[base + i] = h;
        token[base + i] = v;
      }
    }
    [score, next] = [next, score];
    if (s < N - 1) states = childStates(states, kept, parent.subarray(base, base + n));
    kept = n;
  }

  // Follow the back-pointers from each of the best final hypotheses.
  const results: BeamResult[] = [];
  for (let k = 0; k < Math.min(count, kept); k++) {
    const ids = new Array<number>(N);
    for (let s = N - 1, j = k; s >= 0; j = parent[s * K + j], s--) ids[s] = token[s * K + j];
    results.push({ text: vocab.decode(ids), logProb: score[k], ids });
  }
  return results;
}

/**
 * The states of the kept children: a parent's first child takes its buffer, later ones get a copy,
 * written into the buffer of a parent that has no child when there is one.
 */
function childStates(states: Vec[], kept: number, parents: Int32Array): Vec[] {
  const children = new Int32Array(kept);
  for (const p of parents) children[p]++;
  const spare = states.filter((_, h) => children[h] === 0);
  const out: Vec[] = [];
  for (const p of parents) {
    if (children[p] > 0) {
      children[p] = 0; // the buffer is taken
      out.push(states[p]);
    } else {
      const b = spare.pop();
      if (b) b.set(states[p]);
      out.push(b ?? states[p].slice());
    }
  }
  return out;
}
