import { RnnError } from '../errors.js';
import { EOS_ID as EOS, UNK_ID as UNK } from '../tokenizer/tokens.js';
import { findParam, resetStreamRows, zeroGrads } from './model-common.js';
import type { Rng } from '../util/rng.js';
import { addColumnSums, makeParam } from './cells/cell.js';
import type { ModelConfig } from './config.js';
import type { Kernels } from './kernels/kernels.js';
import type { LanguageModel } from './language-model.js';
import { lossOps, type LogProbs, type SoftmaxXent } from './loss.js';
import { RecurrentStack } from './stack.js';
import type { Param, Vec } from './types.js';


/**
 * Training-time input masking: while training (lossAndGrad given an Rng), each input character
 * of both directions is read as <UNK> with probability `inputMaskRate` (the targets stay the true
 * characters), so that the model learns to predict from gapped context, as `rnn fill` asks of it.
 * Default 0 (off), by measurement (notes/fill.md): on tinyshakespeare, LSTM 1×192, masking at 0.1
 * lost 1–2 points of `rnn fill` accuracy at 1.7k, 3.5k and 5.9k steps, 0.2 lost 3 — the letters
 * next to a gap are lost information, not an unfamiliar input, and iterative refinement already
 * replaces the <UNK>s before they matter.
 */
export const INPUT_MASK_RATE = 0;

/**
 * A bidirectional RNN (and, with --layers N, its deep form: each direction its own stack):
 * a forward stack `rnn` read left to right and a backward stack `rnn…_reverse` read right to left,
 * separate weights, one head over both. The token at position t is predicted from the forward
 * state before it and the backward state after it, so neither direction sees the token it predicts:
 *
 *   ŷ⟨t⟩ = softmax(W_y [→a⟨t−1⟩; ←a⟨t+1⟩] + b_y)        W_y = out.weight (V, 2H), b_y = out.bias (V)
 *
 * A block x (T×B, time-major) predicts its own tokens x⟨0…T−1⟩:
 *   forward:  reads x⟨0⟩ … x⟨T−1⟩ from the carried state; x⟨t⟩ uses h_top⟨t−1⟩ (x⟨0⟩: the carried-in h_top).
 *             The state after x⟨T−1⟩ is carried to the next block (truncated BPTT, as unidirectional).
 *   backward: reads next, x⟨T−1⟩, …, x⟨1⟩ (T steps) from bState; x⟨t⟩ uses the output after x⟨t+1⟩
 *             (x⟨T−1⟩: after `next`, the token that follows the block). Its state after x⟨1⟩ is what a
 *             block to the left continues from, with this block's x⟨0⟩ as its `next`.
 * Training (lossAndGrad(x, y)): `next` = y's last row (the token after the block), bState = 0, so
 * every target has at least one character of right context; the backward state is not carried
 * (a block's right context is the block itself plus one character). With an Rng (training), each
 * input token — x's and next's, not the targets — is replaced by <UNK> with probability
 * inputMaskRate (default INPUT_MASK_RATE; a fixed mask per call: the gradient is exact for it; null: no mask, as in
 * gradcheck). logits(x) serves inference
 * on a block with <EOS> as `next` and a zero backward state ("the text ends after the block").
 *
 * Carried state (the LanguageModel's): the forward stack's only.
 */
export class BidirectionalLanguageModel implements LanguageModel {
  readonly params: Param[];
  readonly fwd: RecurrentStack;
  readonly bwd: RecurrentStack;
  readonly outWeight: Param; // (V, 2H)
  readonly outBias: Param; //   (V)
  /** Probability that training reads an input character as <UNK> (see INPUT_MASK_RATE). */
  inputMaskRate = INPUT_MASK_RATE;
  private logitsBuf: Vec; //    (T·B, V)
  private bFeat: Vec; //        (T·B, H)   ←a⟨t+1⟩ for target t
  private dF: Vec; //           (T·B + B, H) ∂J/∂→a⟨t−1⟩ rows 0…T−1, then B zero rows
  private dBFeat: Vec; //       (T·B, H)
  private dTopB: Vec; //        (T·B, H)   ∂J/∂(backward outputs), reversed time
  private rev: Int32Array; //   (T·B)      backward stack's input
  private next: Int32Array; //  (B)
  private xIn: Int32Array; //   (T·B + B)  masked inputs x, then next (training)
  private dState: Vec;
  private bZero: Vec;
  private dBState: Vec;
  private capP = 0;
  private capB = 0;
  private lastB = 1;
  private fOff = 0; // where →a⟨t−1⟩ rows start in the forward top cell's hAll
  private fBuf!: Vec;
  private readonly softmaxXent: SoftmaxXent;
  readonly logProbs: LogProbs;

  constructor(readonly config: ModelConfig, readonly kernels: Kernels, rng: Rng) {
    const { hidden: H, vocabSize: V } = config;
    this.fwd = new RecurrentStack(config, kernels, 'rnn');
    this.bwd = new RecurrentStack(config, kernels, 'rnn', '_reverse');
    this.outWeight = makeParam(kernels, 'out.weight', [V, 2 * H]);
    this.outBias = makeParam(kernels, 'out.bias', [V]);
    this.params = [...this.fwd.params, ...this.bwd.params, this.outWeight, this.outBias];
    // PyTorch init: cells U(−1/√H, 1/√H); nn.Linear(2H, V) U(−1/√(2H), 1/√(2H))
    const uniform = (): number => rng.uniform();
    this.fwd.init(uniform);
    this.bwd.init(uniform);
    const k = 1 / Math.sqrt(2 * H);
    for (const p of [this.outWeight, this.outBias]) for (let j = 0; j < p.data.length; j++) p.data[j] = (2 * rng.uniform() - 1) * k;
    const a = kernels.alloc(0);
    this.logitsBuf = a; this.bFeat = a; this.dF = a; this.dBFeat = a; this.dTopB = a;
    this.rev = new Int32Array(0);
    this.next = new Int32Array(0);
    this.xIn = new Int32Array(0);
    this.dState = kernels.alloc(this.stateSize(1));
    this.bZero = kernels.alloc(this.bwdStateSize(1));
    this.dBState = kernels.alloc(this.bwdStateSize(1));
    ({ softmaxXent: this.softmaxXent, logProbs: this.logProbs } = lossOps(kernels));
  }

  stateSize(B: number): number {
    return this.fwd.stateSize(B);
  }

  /** Floats in the backward direction's state of B streams (see infillLogits). */
  bwdStateSize(B: number): number {
    return this.bwd.stateSize(B);
  }

  newState(B: number): Vec {
    return this.kernels.alloc(this.stateSize(B));
  }

  newBwdState(B: number): Vec {
    return this.kernels.alloc(this.bwdStateSize(B));
  }

  resetStream(state: Vec, B: number, b: number): void {
    resetStreamRows(state, B, b, this.config.hidden, this.config.layers * this.fwd.blocks);
  }

  get dState0(): Vec {
    return this.dState.subarray(0, this.stateSize(this.lastB));
  }

  zeroGrad(): void {
    zeroGrads(this.params);
  }

  /** Look a parameter up by its PyTorch name. */
  param(name: string): Param {
    return findParam(this.params, name);
  }

  private check(x: Int32Array, T: number, B: number, state: Vec, extra: Int32Array[] = []): void {
    const P = T * B;
    const V = this.config.vocabSize;
    if (!(Number.isInteger(T) && Number.isInteger(B) && T >= 1 && B >= 1)) {
      throw new RnnError('invalid block shape', { expected: 'T ≥ 1 and B ≥ 1', got: `T=${T}, B=${B}` });
    }
    if (x.length < P) throw new RnnError('token block too short', { expected: `${P} tokens`, got: String(x.length) });
    if (state.length < this.stateSize(B)) throw new RnnError('state too small', { expected: `${this.stateSize(B)} floats`, got: String(state.length) });
    for (const ids of [x.subarray(0, P), ...extra]) {
      for (let p = 0; p < ids.length; p++) {
        const k = ids[p];
        if (!(k >= 0 && k < V)) throw new RnnError('token id out of range', { expected: `ids in [0, ${V})`, got: String(k) });
      }
    }
  }

  private ensure(P: number, B: number): void {
    const k = this.kernels;
    const H = this.config.hidden;
    if (B > this.capB) {
      this.capB = B;
      this.dState = k.alloc(this.stateSize(B));
      this.bZero = k.alloc(this.bwdStateSize(B));
      this.dBState = k.alloc(this.bwdStateSize(B));
      this.next = new Int32Array(B);
    }
    if (P + B > this.dF.length / Math.max(H, 1)) this.dF = k.alloc((P + B) * H);
    if (P + B > this.xIn.length) this.xIn = new Int32Array(P + B);
    if (P <= this.capP) return;
    this.capP = P;
    this.logitsBuf = k.alloc(P * this.config.vocabSize);
    this.bFeat = k.alloc(P * H);
    this.dBFeat = k.alloc(P * H);
    this.dTopB = k.alloc(P * H);
    this.rev = new Int32Array(P);
  }

  /** The backward stack's input: next, x⟨T−1⟩, …, x⟨1⟩ (reversed time τ = 0 … T−1). */
  private reverse(x: Int32Array, next: Int32Array, T: number, B: number): Int32Array {
    const rev = this.rev;
    for (let b = 0; b < B; b++) rev[b] = next[b];
    for (let tau = 1; tau < T; tau++) rev.set(x.subarray((T - tau) * B, (T - tau + 1) * B), tau * B);
    return rev.subarray(0, T * B);
  }

  /** Training inputs: x then next with each token replaced by <UNK> with probability inputMaskRate. */
  private mask(x: Int32Array, next: Int32Array, P: number, B: number, rng: Rng): Int32Array {
    const xIn = this.xIn;
    const rate = this.inputMaskRate;
    for (let p = 0; p < P; p++) xIn[p] = rng.uniform() < rate ? UNK : x[p];
    for (let b = 0; b < B; b++) xIn[P + b] = rng.uniform() < rate ? UNK : next[b];
    return xIn;
  }

  /** Both stacks and the head: logits (T·B, V) = [F, Bf]·W_yᵀ + b_y. */
  private forward(x: Int32Array, next: Int32Array, T: number, B: number, fState: Vec, bState: Vec, dropoutRng: Rng | null): void {
    const P = T * B;
    const { hidden: H, vocabSize: V } = this.config;
    const BH = B * H;
    const topF = this.fwd.forward(x, T, B, fState, 0, dropoutRng);
    this.fBuf = topF.out;
    this.fOff = topF.off - BH; // hAll rows h⟨−1⟩ … h⟨T−2⟩: →a⟨t−1⟩ for t = 0 … T−1
    const topB = this.bwd.forward(this.reverse(x, next, T, B), T, B, bState, 0, dropoutRng);
    // Bf row t = backward output at τ = T−1−t (after reading x⟨t+1⟩, or next for t = T−1)
    for (let t = 0; t < T; t++) {
      const src = topB.off + (T - 1 - t) * BH;
      this.bFeat.set(topB.out.subarray(src, src + BH), t * BH);
    }
    const z = this.logitsBuf;
    const W = this.outWeight.data;
    for (let p = 0; p < P; p++) z.set(this.outBias.data, p * V);
    this.kernels.gemm(false, true, P, V, H, this.fBuf, this.fOff, H, W, 0, 2 * H, 1, z, 0, V); //  += F·W_y[:, :H]ᵀ
    this.kernels.gemm(false, true, P, V, H, this.bFeat, 0, H, W, H, 2 * H, 1, z, 0, V); //        += Bf·W_y[:, H:]ᵀ
  }

  lossAndGrad(x: Int32Array, y: Int32Array, T: number, B: number, state: Vec, dropoutRng: Rng | null): number {
    const P = T * B;
    if (y.length < P) throw new RnnError('token block too short', { expected: `${P} targets`, got: String(y.length) });
    const next = y.subarray((T - 1) * B, P);
    this.check(x, T, B, state, [next]);
    const { hidden: H, vocabSize: V } = this.config;
    const BH = B * H;
    this.ensure(P, B);
    const bState = this.bZero.subarray(0, this.bwdStateSize(B)).fill(0);
    if (dropoutRng !== null && this.inputMaskRate > 0) {
      const xIn = this.mask(x, next, P, B, dropoutRng); // inputs masked; targets (x) not
      this.forward(xIn.subarray(0, P), xIn.subarray(P, P + B), T, B, state, bState, dropoutRng);
    } else {
      this.forward(x, next, T, B, state, bState, dropoutRng);
    }
    const dz = this.logitsBuf;
    const loss = this.softmaxXent(P, V, dz, x, dz); // targets: the block's own tokens; dz = (ŷ − y)/N
    const W = this.outWeight;
    // dW_y += dzᵀ·[F, Bf];  db_y += Σ_p dz;  [dF, dBf] = dz·W_y
    this.kernels.gemm(true, false, V, H, P, dz, 0, V, this.fBuf, this.fOff, H, 1, W.grad, 0, 2 * H);
    this.kernels.gemm(true, false, V, H, P, dz, 0, V, this.bFeat, 0, H, 1, W.grad, H, 2 * H);
    addColumnSums(dz, 0, V, P, V, this.outBias.grad);
    this.kernels.gemm(false, false, P, H, V, dz, 0, V, W.data, 0, 2 * H, 0, this.dF, 0, H);
    this.kernels.gemm(false, false, P, H, V, dz, 0, V, W.data, H, 2 * H, 0, this.dBFeat, 0, H);

    // backward direction: ∂J/∂(output at τ) = dBf row T−1−τ; its initial state is a constant 0
    for (let tau = 0; tau < T; tau++) this.dTopB.set(this.dBFeat.subarray((T - 1 - tau) * BH, (T - tau) * BH), tau * BH);
    this.bwd.backward(this.dTopB, 0, T, B, this.dBState, 0);

    // forward direction: ∂J/∂h⟨t⟩ = dF row t+1 (t < T−1), 0 for t = T−1 (only carried on)
    this.dF.fill(0, P * H, P * H + BH);
    const dTop0 = this.dF.slice(0, BH); // ∂J/∂h_top⟨−1⟩ through the head (the backward pass uses dF as scratch)
    this.lastB = B;
    this.fwd.backward(this.dF, BH, T, B, this.dState, 0);
    const top = (this.config.layers - 1) * this.fwd.blocks * BH; // the top layer's h in the state
    for (let j = 0; j < BH; j++) this.dState[top + j] += dTop0[j];
    return loss;
  }

  /**
   * Inference (no dropout, no gradients): logits (T·B, V) predicting x's own tokens, a view valid
   * until the next call. fState: the forward state before x⟨0⟩, updated to the state after x⟨T−1⟩.
   * next (B): the tokens after the block; bState: the backward state before reading them, updated
   * to the state after reading x⟨1⟩ (a block to the left continues from it, with x⟨0⟩ as its next).
   */
  infillLogits(x: Int32Array, next: Int32Array, T: number, B: number, fState: Vec, bState: Vec): Vec {
    this.check(x, T, B, fState, [next.subarray(0, B)]);
    if (bState.length < this.bwdStateSize(B)) throw new RnnError('backward state too small', { expected: `${this.bwdStateSize(B)} floats`, got: String(bState.length) });
    this.ensure(T * B, B);
    this.forward(x, next, T, B, fState, bState, null);
    return this.logitsBuf.subarray(0, T * B * this.config.vocabSize);
  }

  /** Run the backward direction alone over a block (same meaning of next and bState as infillLogits). */
  advanceBackward(x: Int32Array, next: Int32Array, T: number, B: number, bState: Vec): void {
    this.ensure(T * B, B);
    this.bwd.forward(this.reverse(x, next, T, B), T, B, bState, 0, null);
  }

  /** LanguageModel inference: x's own tokens, as if the text ended (<EOS>) right after the block. */
  logits(x: Int32Array, T: number, B: number, state: Vec): Vec {
    this.ensure(T * B, B);
    const next = this.next.subarray(0, B).fill(EOS);
    return this.infillLogits(x, next, T, B, state, this.bZero.subarray(0, this.bwdStateSize(B)).fill(0));
  }
}
