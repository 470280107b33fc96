import type { LanguageModel } from '../engine/language-model.js';
import type { Vec } from '../engine/types.js';
import { RnnError } from '../errors.js';
import { forEachInfillRow, hasInfill } from '../eval/infill.js';
import { TokenSampler } from '../sample/distribution.js';
import { EOS_ID } from '../tokenizer/tokens.js';
import type { Vocab } from '../tokenizer/vocab.js';
import { Rng, randomSeed } from '../util/rng.js';
import { softmaxWeights } from '../util/softmax.js';
import { fillable, parseGaps, type Gap, type GappedText } from './gaps.js';

/**
 * Filling gaps (`_` unless told otherwise; the measurements are in notes/fill.md).
 *
 * Bidirectional model — iterative refinement: the gaps start as <UNK>; a sweep re-predicts, for
 * j = 0, 1, … (the longest gap's length), the j-th character of every gap from both sides, given
 * the current fill of everything else, and takes the most probable character. Gaps are updated in
 * two interleaved groups (even- and odd-numbered), one pass over the text per group and j, so each
 * character sees its own and its neighbours' newest values (Gauss–Seidel). Sweeps repeat until one
 * changes nothing, or `maxSweeps`. When the fill of a cluster of nearby gaps (gapClusters) repeats,
 * the cluster keeps its cycle's fill with the highest Σ log p and is frozen (read as context only).
 * A single-character gap between known text is exact after one sweep.
 * Samples (`samples` > 0): Gibbs sampling started from the best fill — `sampleSweeps` sweeps in
 * which each gap character is drawn from softmax(z/temperature) given the rest.
 *
 * Unidirectional model — left context only: the text is read left to right and each gap
 * character is predicted (argmax, or drawn) from everything before it, earlier fills included.
 */
export interface FillOptions {
  /** Alternatives to draw [0]. */
  samples?: number;
  /** Softmax temperature for samples [1]. */
  temperature?: number;
  seed?: number;
  /** Refinement sweeps at most [10]. */
  maxSweeps?: number;
  /** Gibbs sweeps per sample [2]. */
  sampleSweeps?: number;
  /** Parts of the text processed side by side [one per 1000 characters, at most 64]. */
  batch?: number;
  /** Steps per block [128]. */
  seqLength?: number;
  /** The character that marks a missing one [_]; a backslash before it makes it literal. */
  gap?: string;
}

export interface GapFill {
  start: number;
  length: number;
  fill: string;
  /** Product of the characters' probabilities (each given the rest of the final fill). */
  probability: number;
  chars: { char: string; p: number }[];
}

export interface Filled {
  text: string;
  gaps: GapFill[];
}

export interface FillResult extends Filled {
  mode: 'bidirectional' | 'left-context';
  /** Refinement sweeps run (bidirectional) and whether the last changed nothing. */
  sweeps: number;
  converged: boolean;
  unknown: number;
  samples: Filled[];
  seed: number;
}

type Pick = (z: Vec, off: number) => { id: number; p: number };

/** Gaps are updated in this many interleaved groups (gap i in group i mod GROUPS), so that
 *  neighbouring gaps are never re-predicted at the same time (which can make them oscillate). */
const GROUPS = 2;

/** Fill the `_` gaps of `text` with a model (bidirectional: both sides; otherwise left context). */
export function fillText(model: LanguageModel, vocab: Vocab, text: string, options: FillOptions = {}): FillResult {
  const V = model.config.vocabSize;
  if (vocab.size !== V) throw new RnnError('the vocabulary does not fit the model', { expected: `${V} ids`, got: String(vocab.size) });
  const seed = options.seed ?? randomSeed();
  const rng = new Rng(seed);
  const g = parseGaps(text, vocab, options.gap);
  const ok = fillable(vocab);
  const exclude = [...ok.keys()].filter((v) => !ok[v]);
  // the most probable fillable id, and draws from softmax(z / temperature) over the fillable ids
  const greedy = new TokenSampler(V, { argmax: true, exclude });
  const sampler = new TokenSampler(V, { temperature: options.temperature, exclude });
  const probs = new Float64Array(V);
  /** The chosen id and its probability given the rest, softmax(z)[id] over the fillable ids. */
  const chosen = (id: number, z: Vec, off: number): { id: number; p: number } => {
    const sum = softmaxWeights(z, off, V, 1, probs, ok);
    return { id, p: probs[id]! / sum };
  };
  const best: Pick = (z, off) => chosen(greedy.pick(z, off, rng), z, off);
  const draw: Pick = (z, off) => chosen(sampler.pick(z, off, rng), z, off);
  const nGap = g.gaps.reduce((n, q) => n + q.length, 0);
  const N = g.ids.length;
  const opts = { batch: options.batch ?? Math.min(64, Math.max(1, Math.floor(N / 1000))), seqLength: options.seqLength ?? 128 };
  const p = new Float64Array(N); // probability of the current fill at each gap position

  const result = (ids: Int32Array): Filled => render(g, vocab, ids, p);
  if (hasInfill(model)) {
    const maxLen = Math.max(0, ...g.gaps.map((q) => q.length));
    const groups = g.gaps.length > 1 ? GROUPS : 1;
    const sweep = (ids: Int32Array, pick: Pick, frozen: Uint8Array | null): boolean => {
      let changed = false;
      for (let j = 0; j < maxLen; j++) {
        for (let k = 0; k < groups; k++) {
          const at = new Set<number>(); // the j-th character of every gap of group k (not frozen)
          g.gaps.forEach((q, i) => { if (i % groups === k && q.length > j && !frozen?.[i]) at.add(q.positions[j]!); });
          if (at.size === 0) continue;
          const chosen = new Map<number, { id: number; p: number }>();
          forEachInfillRow(model, ids, opts, (pos, z, off) => {
            if (at.has(pos)) chosen.set(pos, pick(z, off));
          });
          for (const [pos, c] of chosen) {
            if (ids[pos] !== c.id) changed = true;
            ids[pos] = c.id;
            p[pos] = c.p;
          }
        }
      }
      return changed;
    };
    const ids = g.ids.slice();
    const maxSweeps = options.maxSweeps ?? 10;
    let sweeps = 0, converged = nGap === 0;
    // Conditionals that are not those of one joint distribution can make neighbouring gaps cycle
    // (e.g. "what" → "that" → "thet" → "whet" → "what"). Cycles are local: they are watched per
    // cluster of nearby gaps (the fill of the whole text need not repeat when clusters cycle with
    // different periods). When a cluster's fill repeats, it gets the fill of its cycle with the
    // highest Σ log p and is frozen (still read as context, no longer re-predicted).
    const clusters = gapClusters(g.gaps);
    const frozen = new Uint8Array(g.gaps.length);
    const watch = clusters.map(() => ({ seen: new Map<string, number>(), history: [] as { fill: Int32Array; p: Float64Array; score: number }[] }));
    while (!converged && sweeps < maxSweeps) {
      converged = !sweep(ids, best, frozen) && sweeps > 0;
      sweeps++;
      if (converged) break;
      clusters.forEach((c, ci) => {
        if (frozen[c.gaps[0]!]) return;
        const w = watch[ci]!;
        const key = c.positions.map((q) => ids[q]).join(',');
        const first = w.seen.get(key);
        if (first !== undefined && first < w.history.length - 1) { // a repeat, not a fixed point
          const top = w.history.slice(first).reduce((a, b) => (b.score > a.score ? b : a));
          c.positions.forEach((q, i) => { ids[q] = top.fill[i]!; p[q] = top.p[i]!; });
          for (const i of c.gaps) frozen[i] = 1;
          return;
        }
        w.seen.set(key, w.history.length);
        w.history.push({
          fill: Int32Array.from(c.positions, (q) => ids[q]!), p: Float64Array.from(c.positions, (q) => p[q]!),
          score: c.positions.reduce((a, q) => a + Math.log(p[q]!), 0),
        });
      });
    }
    const main = result(ids);
    const samples: Filled[] = [];
    for (let k = 0; k < (options.samples ?? 0); k++) {
      const s = ids.slice();
      for (let i = 0; i < Math.max(1, options.sampleSweeps ?? 2); i++) sweep(s, draw, null);
      samples.push(result(s));
    }
    return { ...main, mode: 'bidirectional', sweeps, converged, unknown: g.unknown, samples, seed };
  }

  const leftFill = (pick: Pick): Filled => {
    const ids = g.ids.slice();
    leftToRight(model, ids, new Set(g.gaps.flatMap((q) => q.positions)), opts.batch, (pos, z, off) => {
      const c = pick(z, off);
      ids[pos] = c.id;
      p[pos] = c.p;
    });
    return result(ids);
  };
  const main = leftFill(best);
  const samples: Filled[] = [];
  for (let k = 0; k < (options.samples ?? 0); k++) samples.push(leftFill(draw));
  return { ...main, mode: 'left-context', sweeps: 0, converged: true, unknown: g.unknown, samples, seed };
}

/** Gaps closer than this (characters of text between them) are watched for cycles together. */
const CLUSTER_LINK = 8;

/** Runs of nearby gaps (consecutive gaps at most CLUSTER_LINK characters apart): their indices and positions. */
export function gapClusters(gaps: readonly Gap[]): { gaps: number[]; positions: number[] }[] {
  const out: { gaps: number[]; positions: number[] }[] = [];
  let lastEnd = -Infinity;
  gaps.forEach((q, i) => {
    const first = q.positions[0]!;
    if (out.length === 0 || first - lastEnd - 1 > CLUSTER_LINK) out.push({ gaps: [], positions: [] });
    const c = out[out.length - 1]!;
    c.gaps.push(i);
    c.positions.push(...q.positions);
    lastEnd = q.positions[q.length - 1]!;
  });
  return out;
}

/**
 * Read ids left to right in `batch` parts side by side, one step at a time; `choose(pos, z, off)`
 * is called for every gap position with the prediction from the text before it (and may write
 * ids[pos], which is read as the next input).
 */
function leftToRight(model: LanguageModel, ids: Int32Array, gapAt: Set<number>, batch: number, choose: (pos: number, z: Vec, off: number) => void): void {
  const N = ids.length;
  const L = Math.ceil(N / Math.min(batch, N));
  const B = Math.ceil(N / L);
  const V = model.config.vocabSize;
  const state = model.newState(B);
  const x = new Int32Array(B);
  for (let t = 0; t < L; t++) {
    // step t of part b reads position b·L + t − 1 and predicts b·L + t
    for (let b = 0; b < B; b++) {
      const q = b * L + t - 1;
      x[b] = q >= 0 && q < N ? ids[q] : EOS_ID;
    }
    const z = model.logits(x, 1, B, state);
    for (let b = 0; b < B; b++) {
      const pos = b * L + t;
      if (pos < N && gapAt.has(pos)) choose(pos, z, b * V);
    }
  }
}

function render(g: GappedText, vocab: Vocab, ids: Int32Array, p: Float64Array): Filled {
  let text = '';
  const gaps: GapFill[] = g.gaps.map((q, k) => {
    const chars = q.positions.map((pos) => ({ char: vocab.decode([ids[pos]!]), p: p[pos]! }));
    const fill = chars.map((c) => c.char).join('');
    text += g.pieces[k] + fill;
    return { start: q.start, length: q.length, fill, probability: chars.reduce((a, c) => a * c.p, 1), chars };
  });
  text += g.pieces[g.gaps.length];
  return { text, gaps };
}
