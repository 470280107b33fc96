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
  /** BPTT from one step's loss, watched (a left-to-right model's; null for a bidirectional one). */
  readonly probe: GradientProbe | null;
  /** The (forward) stack's layers, bottom first, as the last forward call left them. */
  readonly layers: readonly LayerTrace[];
}

/**
 * One layer's activations after the last forward call, valid until the next one: timestep t of
 * the block, stream b, unit j.
 */
export interface LayerTrace {
  readonly H: number;
  /** The cell's gate blocks in storage order: i f g o (LSTM), r z n (GRU); none for a plain RNN. */
  readonly gateNames: readonly string[];
  /** h⟨t⟩ */
  hidden(t: number, b: number, j: number): number;
  /** The activation of gate block g (an index into gateNames) at ⟨t⟩. */
  gate(g: number, t: number, b: number, j: number): number;
}

/**
 * Watches BPTT step by step: called before step t's backward with ∂J/∂h⟨t⟩ = dHAbove + dhNext,
 * where dHAbove (B, H) at `off` comes from above (the head or the next layer) and dhNext (B, H)
 * through time from h⟨t+1⟩.
 */
export type BpttProbe = (t: number, dHAbove: Vec, off: number, dhNext: Vec) => void;

export interface GradientProbe {
  /**
   * Forward over a T×B block (no dropout), then backpropagate the last step's loss alone,
   * J = (1/B) Σ_b −ln p(y⟨T−1⟩ of stream b), showing layer l's steps to `watch(l)`. Updates
   * `state` and accumulates into the parameter gradients (zero them after); returns J.
   */
  lastStepBackward(x: Int32Array, y: Int32Array, T: number, B: number, state: Vec, watch: (layer: number) => BpttProbe): number;
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
