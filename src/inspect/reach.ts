import type { LanguageModel } from '../engine/language-model.js';
import { RnnError } from '../errors.js';
import { checkIds } from '../eval/common.js';
import { checkOption, GRADIENTS_OPTIONS } from '../options.js';

/**
 * How far back the gradient reaches: for a predicted position t of a token stream,
 *   g_l(k) = ‖∂J⟨t⟩/∂h_l⟨t−k⟩‖,  J⟨t⟩ = −ln p(x⟨t+1⟩ | x⟨≤t⟩),  k = 0 … K,
 * the gradient of that one position's loss with respect to layer l's hidden state k steps earlier
 * (every path: through time and through the layers above), averaged over positions spread evenly
 * through the text. Each position is read from a zero state K + 1 tokens before its window (fewer
 * near the text's start), so that h⟨t−K⟩ has context behind it as in use.
 */
export interface ReachOptions {
  /** K, the farthest distance [100]. */
  maxDistance?: number;
  /** Positions averaged over [256; fewer when the text is short]. */
  positions?: number;
}

export interface LayerReach {
  /** Mean ‖∂J⟨t⟩/∂h⟨t−k⟩‖ for k = 0 … K. */
  norms: number[];
  /** The first k where the mean falls below REACH_RATIO of its k = 0 value; null: not within K. */
  reach: number | null;
}

export interface ReachResult {
  maxDistance: number;
  positions: number;
  /** Bottom layer first. */
  layers: LayerReach[];
}

/** "Reached" means at least this fraction of the gradient at distance 0. */
export const REACH_RATIO = 1e-3;
/** Streams run side by side. */
export const REACH_BATCH = 32;

export function gradientReach(model: LanguageModel, ids: ArrayLike<number>, options: ReachOptions = {}): ReachResult {
  const probe = model.probe;
  if (probe === null) {
    throw new RnnError('gradient reach needs a left-to-right model', {
      expected: 'a model trained without --bidirectional', got: 'a bidirectional model', kind: 'usage',
    });
  }
  const K = options.maxDistance ?? GRADIENTS_OPTIONS.maxDistance.default;
  checkOption(GRADIENTS_OPTIONS.maxDistance, K);
  const wanted = options.positions ?? GRADIENTS_OPTIONS.positions.default;
  checkOption(GRADIENTS_OPTIONS.positions, wanted);
  checkIds(ids, model.config.vocabSize);

  // A window: inputs ids[s … s+K], the last one predicting ids[s+K+1]; read after `warm` tokens.
  const N = ids.length;
  const W = K + 1;
  if (N < W + 1) {
    throw new RnnError(`the text is too short to look ${K} steps back`, {
      expected: `at least ${W + 1} tokens`, got: `${N}`, hint: 'give a longer text, or a smaller --max-distance', kind: 'usage',
    });
  }
  const warm = Math.min(W, N - 1 - W);
  const first = warm; //         the first window's start
  const last = N - 1 - W; //     the last window's start
  const P = Math.min(wanted, last - first + 1);
  const starts = Array.from({ length: P }, (_, i) => first + (P === 1 ? 0 : Math.round((i * (last - first)) / (P - 1))));

  const L = model.config.layers;
  const H = model.config.hidden;
  const sums = Array.from({ length: L }, () => new Float64Array(W));
  for (let b0 = 0; b0 < P; b0 += REACH_BATCH) {
    const B = Math.min(REACH_BATCH, P - b0);
    const state = model.newState(B);
    const block = (from: number, T: number): Int32Array => { // time-major x⟨t⟩ of stream b = ids[starts[b] + from + t]
      const x = new Int32Array(T * B);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) x[t * B + b] = ids[starts[b0 + b] + from + t];
      return x;
    };
    if (warm > 0) model.logits(block(-warm, warm), warm, B, state);
    const y = block(1, W); //    only the last step's targets count
    // J = (1/B) Σ_b J_b: stream b's own gradient is B times its part of ∂J/∂h
    probe.lastStepBackward(block(0, W), y, W, B, state, (l) => (t, dHAbove, off, dhNext) => {
      let s = 0;
      for (let b = 0; b < B; b++) {
        let sq = 0;
        for (let j = 0; j < H; j++) {
          const d = dHAbove[off + b * H + j] + dhNext[b * H + j];
          sq += d * d;
        }
        s += Math.sqrt(sq) * B;
      }
      sums[l]![W - 1 - t] += s;
    });
  }
  model.zeroGrad();
  const layers = sums.map((sum): LayerReach => {
    const norms = Array.from(sum, (s) => s / P);
    const k = norms.findIndex((g) => g < REACH_RATIO * norms[0]!);
    return { norms, reach: k < 0 ? null : k };
  });
  return { maxDistance: K, positions: P, layers };
}
