import type { Rng } from '../util/rng.js';
import type { ModelConfig } from './config.js';
import type { Kernels } from './kernels/ops.js';
import type { Param, Vec } from './types.js';

/**
 * What the trainer, sampler and evaluator need of a model. Positions are time-major:
 * position p = t·B + b for timestep t of stream b. Token ids are Int32Array of length T·B.
 *
 * The carried state is one flat buffer (see `stateSize`) that the calls read as the state
 * before the block and overwrite with the state after it (truncated BPTT carries it on).
 */
export interface LanguageModel {
  readonly config: ModelConfig;
  readonly kernels: Kernels;
  /** All learnable tensors, in a fixed order, with PyTorch-style names. */
  readonly params: Param[];
  /** Floats in the carried state of B streams. */
  stateSize(B: number): number;
  /** A zeroed carried state for B streams. */
  newState(B: number): Vec;
  /** Zero stream b's part of the state (a stream that wraps around starts afresh). */
  resetStream(state: Vec, B: number, b: number): void;
  /**
   * Forward and backward over a T×B block: returns the mean cross-entropy (nats) over the T·B
   * predictions of targets y from inputs x, accumulates (+=) every parameter's gradient, and
   * updates `state`. `dropoutRng` drives the training-time noise: dropout masks, and a bidirectional
   * model's input masking (null: none, e.g. gradient checks).
   */
  lossAndGrad(x: Int32Array, y: Int32Array, T: number, B: number, state: Vec, dropoutRng: Rng | null): number;
  /**
   * Gradient of the last `lossAndGrad` loss with respect to the carried-in state
   * (same layout as the state).
   */
  readonly dState0: Vec;
  /**
   * Inference over a T×B block (no dropout, no gradients): returns the logits, a (T·B, V) view
   * that stays valid until the next call, and updates `state`.
   */
  logits(x: Int32Array, T: number, B: number, state: Vec): Vec;
  /** Set every parameter gradient to zero. */
  zeroGrad(): void;
  /** A parameter by its PyTorch name. */
  param(name: string): Param;
  /** What a bidirectional model can do besides (predicting from both sides); null for a left-to-right one. */
  readonly infill: Infill | null;
}

/**
 * A bidirectional model's infill predictions (bidirectional.ts): each token predicted from the
 * forward state before it and the backward state after it. `next` (B) holds the tokens after a
 * block; bState is the backward direction's state before reading them.
 */
export interface Infill {
  /** Floats in the backward direction's state of B streams. */
  bwdStateSize(B: number): number;
  newBwdState(B: number): Vec;
  /**
   * Logits (T·B, V) of x's own tokens, a view valid until the next call. fState: the forward state
   * before x⟨0⟩, updated to the state after x⟨T−1⟩; bState updated to the state after reading x⟨1⟩.
   */
  infillLogits(x: Int32Array, next: Int32Array, T: number, B: number, fState: Vec, bState: Vec): Vec;
  /** Run the backward direction alone over a block (the same meaning of next and bState). */
  advanceBackward(x: Int32Array, next: Int32Array, T: number, B: number, bState: Vec): void;
}
