import { RnnError } from '../errors.js';
import { checkOption, SAMPLE_OPTIONS, type OptionSpec } from '../options.js';
import type { Rng } from '../util/rng.js';
import type { Vec } from '../engine/types.js';
import { softmaxWeights } from '../util/softmax.js';

/**
 * One sampling step: logits → probabilities → (top-k, top-p) → a token id.
 *
 *   p = softmax(logits / temperature)                        (float64)
 *   top-k: keep the k most probable ids
 *   top-p: of those, keep the smallest most-probable prefix whose mass ≥ p·(mass kept so far)
 *   draw:  np.random.choice — cdf = cumsum(p); cdf /= cdf[-1]; first i with cdf[i] > u
 *
 * Order is by probability, ties broken by the lower id, so the kept set is deterministic.
 * `argmax` is greedy (first id of the largest logit) and ignores the rest. Ids in `exclude`
 * (e.g. <UNK>) are never picked: their weight is 0 before top-k / top-p.
 */
export interface PickOptions {
  /** > 0 [1]. Small values approach argmax; large ones approach uniform. */
  temperature?: number;
  /** ≥ 1, an integer; absent: no top-k. */
  topK?: number;
  /** 0 < p ≤ 1; absent (or 1): no top-p. */
  topP?: number;
  /** greedy decoding. */
  argmax?: boolean;
  /** Ids never to pick. */
  exclude?: readonly number[];
}

export interface ResolvedPickOptions {
  temperature: number;
  topK: number; // 0: off
  topP: number; // 1: off
  argmax: boolean;
}

/** Check sampling options; an impossible value is a usage error (exit 2). */
export function resolvePickOptions(o: PickOptions): ResolvedPickOptions {
  const opt = <T>(spec: OptionSpec<T>, v: T | undefined, absent: T): T => (v === undefined ? absent : checkOption(spec, v));
  return {
    temperature: opt(SAMPLE_OPTIONS.temperature, o.temperature, SAMPLE_OPTIONS.temperature.default),
    topK: opt(SAMPLE_OPTIONS.topK, o.topK, 0),
    topP: opt(SAMPLE_OPTIONS.topP, o.topP, 1),
    argmax: o.argmax === true,
  };
}

/** np.random.choice over unnormalised weights w[0..n): cumulative sum into `cdf`, normalised by its
 *  last element; the first index whose value is greater than the uniform draw u ∈ [0, 1). */
export function choose(w: ArrayLike<number>, n: number, u: number, cdf: Float64Array): number {
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += w[i];
  const last = cdf[n - 1];
  if (!(last > 0) || !Number.isFinite(last)) {
    throw new RnnError('cannot sample: the probabilities are not finite', {
      expected: 'finite logits', got: String(last), hint: 'the model may be damaged; check it with `rnn info`',
    });
  }
  for (let i = 0; i < n; i++) if (cdf[i] / last > u) return i;
  return n - 1; // not reached: cdf[n-1]/last = 1 > u
}

/** The first index of the largest value (greedy decoding), among those `allowed` (all if absent). */
export function argmaxOf(x: Vec, off: number, n: number, allowed?: Uint8Array): number {
  let best = -1;
  for (let i = 0; i < n; i++) if ((!allowed || allowed[i]) && (best < 0 || x[off + i] > x[off + best])) best = i;
  return best;
}

// better(a, b): a comes before b — more probable, or equally probable with a lower id.
function better(w: Float64Array, a: number, b: number): boolean {
  return w[a] > w[b] || (w[a] === w[b] && a < b);
}

/** Max-heap (by `better`) sift-down of heap[i] within heap[0..size). */
function siftDown(w: Float64Array, heap: Int32Array, i: number, size: number): void {
  const v = heap[i];
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && better(w, heap[c + 1], heap[c])) c++;
    if (!better(w, heap[c], v)) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = v;
}

/**
 * Keeps only the top-k / top-p support of the weights w[0..n) (unnormalised, ≥ 0), zeroing the
 * rest in place. `heap` and `mask` are scratch buffers of length ≥ n. Returns the kept count.
 */
export function restrict(
  w: Float64Array, n: number, topK: number, topP: number, heap: Int32Array, mask: Uint8Array,
): number {
  const k = topK > 0 && topK < n ? topK : n;
  if (k === n && topP >= 1) return n;
  for (let i = 0; i < n; i++) heap[i] = i;
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(w, heap, i, n);
  // Pop the k best in order; they land at heap[n-1], heap[n-2], … (heapsort's tail).
  let size = n;
  let massK = 0;
  for (let j = 0; j < k; j++) {
    const top = heap[0];
    heap[0] = heap[--size];
    heap[size] = top;
    siftDown(w, heap, 0, size);
    massK += w[top];
  }
  // top-p: the smallest prefix (in that order) whose mass reaches p of the top-k mass.
  let kept = k;
  if (topP < 1) {
    const target = topP * massK;
    let cum = 0;
    kept = 0;
    while (kept < k) {
      cum += w[heap[n - 1 - kept]];
      kept++;
      if (cum >= target) break;
    }
  }
  mask.fill(0, 0, n);
  for (let j = 0; j < kept; j++) mask[heap[n - 1 - j]] = 1;
  for (let i = 0; i < n; i++) if (mask[i] === 0) w[i] = 0;
  return kept;
}

/** Draws token ids from logits rows; owns its scratch buffers, so a pick allocates nothing. */
export class TokenSampler {
  readonly options: ResolvedPickOptions;
  /** The unnormalised kept weights of the last `weights` call (id order). */
  readonly w: Float64Array;
  private readonly cdf: Float64Array;
  private readonly heap: Int32Array;
  private readonly mask: Uint8Array;
  /** 1 for the ids that may be picked. */
  private readonly allowed: Uint8Array;

  constructor(readonly vocabSize: number, options: PickOptions = {}) {
    this.options = resolvePickOptions(options);
    this.w = new Float64Array(vocabSize);
    this.cdf = new Float64Array(vocabSize);
    this.heap = new Int32Array(vocabSize);
    this.mask = new Uint8Array(vocabSize);
    this.allowed = new Uint8Array(vocabSize).fill(1);
    for (const id of options.exclude ?? []) if (id >= 0 && id < vocabSize) this.allowed[id] = 0;
  }

  /** w = exp((logits − max) / temperature), restricted to the top-k / top-p support; returns Σw. */
  weights(logits: Vec, off: number): number {
    const V = this.vocabSize;
    const { temperature, topK, topP } = this.options;
    const w = this.w;
    softmaxWeights(logits, off, V, temperature, w, this.allowed);
    restrict(w, V, topK, topP, this.heap, this.mask);
    let total = 0;
    for (let i = 0; i < V; i++) total += w[i];
    return total;
  }

  /** The next token id for the logits row at `off`. */
  pick(logits: Vec, off: number, rng: Rng): number {
    if (this.options.argmax) return argmaxOf(logits, off, this.vocabSize, this.allowed);
    this.weights(logits, off);
    return choose(this.w, this.vocabSize, rng.uniform(), this.cdf);
  }
}
