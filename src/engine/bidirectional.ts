import { RnnError } from '../errors.js';
import { EOS_ID as EOS } from '../tokenizer/tokens.js';
import type { Rng } from '../util/rng.js';
import type { ModelConfig } from './config.js';
import { LinearHead, type HeadInput } from './head.js';
import type { Kernels } from './kernels/ops.js';
import type { Infill, LanguageModel } from './language-model.js';
import { ModelShell } from './shell.js';
import { RecurrentStack } from './stack.js';
import type { Param, Vec } from './types.js';


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
 * (a block's right context is the block itself plus one character). logits(x) serves inference
 * on a block with <EOS> as `next` and a zero backward state ("the text ends after the block").
 *
 * Carried state (the LanguageModel's): the forward stack's only.
 */
export class BidirectionalLanguageModel extends ModelShell implements LanguageModel, Infill {
  readonly params: Param[];
  readonly infill = this;
  readonly probe = null;
  readonly bwd: RecurrentStack;
  readonly head: LinearHead; //  out.weight (V, 2H) over [→a⟨t−1⟩; ←a⟨t+1⟩]
  private logitsBuf: Vec; //    (T·B, V)
  private bFeat: Vec; //        (T·B, H)   ←a⟨t+1⟩ for target t
  private dF: Vec; //           (T·B + B, H) ∂J/∂→a⟨t−1⟩ rows 0…T−1, then B zero rows
  private dBFeat: Vec; //       (T·B, H)
  private dTopB: Vec; //        (T·B, H)   ∂J/∂(backward outputs), reversed time
  private rev: Int32Array; //   (T·B)      backward stack's input
  private next: Int32Array; //  (B)
  private bZero: Vec;
  private dBState: Vec;
  private capP = 0;
  private capB = 0;
  /** The head's inputs: →a⟨t−1⟩ (rows of the forward top cell's hAll) and ←a⟨t+1⟩; their gradients. */
  private readonly feats: HeadInput[];
  private readonly dFeats: HeadInput[];

  constructor(config: ModelConfig, kernels: Kernels, rng: Rng) {
    super(config, kernels, new RecurrentStack(config, kernels, 'rnn'));
    const { hidden: H, vocabSize: V } = config;
    this.bwd = new RecurrentStack(config, kernels, 'rnn', '_reverse');
    this.head = new LinearHead(kernels, V, H, 2);
    this.params = [...this.stack.params, ...this.bwd.params, this.head.weight, this.head.bias];
    // PyTorch init: cells U(−1/√H, 1/√H); nn.Linear(2H, V) U(−1/√(2H), 1/√(2H))
    const uniform = (): number => rng.uniform();
    this.stack.init(uniform);
    this.bwd.init(uniform);
    this.head.init(uniform);
    const a = kernels.alloc(0);
    this.logitsBuf = a; this.bFeat = a; this.dF = a; this.dBFeat = a; this.dTopB = a;
    this.rev = new Int32Array(0);
    this.next = new Int32Array(0);
    this.bZero = kernels.alloc(this.bwdStateSize(1));
    this.dBState = kernels.alloc(this.bwdStateSize(1));
    this.feats = [{ x: a, off: 0 }, { x: a, off: 0 }];
    this.dFeats = [{ x: a, off: 0 }, { x: a, off: 0 }];
  }

  /** The forward stack (module `rnn`). */
  get fwd(): RecurrentStack {
    return this.stack;
  }

  bwdStateSize(B: number): number {
    return this.bwd.stateSize(B);
  }

  newBwdState(B: number): Vec {
    return this.kernels.alloc(this.bwdStateSize(B));
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

  /** Both stacks and the head: logits (T·B, V) = [F, Bf]·W_yᵀ + b_y. */
  private forward(x: Int32Array, next: Int32Array, T: number, B: number, fState: Vec, bState: Vec, dropoutRng: Rng | null): void {
    const P = T * B;
    const BH = B * this.config.hidden;
    const topF = this.stack.forward(x, T, B, fState, 0, dropoutRng);
    this.feats[0]!.x = topF.out;
    this.feats[0]!.off = topF.off - BH; // hAll rows h⟨−1⟩ … h⟨T−2⟩: →a⟨t−1⟩ for t = 0 … T−1
    const topB = this.bwd.forward(this.reverse(x, next, T, B), T, B, bState, 0, dropoutRng);
    // Bf row t = backward output at τ = T−1−t (after reading x⟨t+1⟩, or next for t = T−1)
    for (let t = 0; t < T; t++) {
      const src = topB.off + (T - 1 - t) * BH;
      this.bFeat.set(topB.out.subarray(src, src + BH), t * BH);
    }
    this.feats[1]!.x = this.bFeat;
    this.head.forward(P, this.feats, this.logitsBuf);
  }

  lossAndGrad(x: Int32Array, y: Int32Array, T: number, B: number, state: Vec, dropoutRng: Rng | null): number {
    const P = T * B;
    this.checkBlock(x, T, B, state, y);
    const next = y.subarray((T - 1) * B, P);
    const { hidden: H, vocabSize: V } = this.config;
    const BH = B * H;
    this.ensure(P, B);
    const bState = this.bZero.subarray(0, this.bwdStateSize(B)).fill(0);
    this.forward(x, next, T, B, state, bState, dropoutRng);
    const dz = this.logitsBuf;
    const loss = this.kernels.softmaxXent(P, V, dz, x, dz); // targets: the block's own tokens; dz = (ŷ − y)/N
    // dW_y += dzᵀ·[F, Bf];  db_y += Σ_p dz;  [dF, dBf] = dz·W_y
    this.dFeats[0]!.x = this.dF;
    this.dFeats[1]!.x = this.dBFeat;
    this.head.backward(P, this.feats, dz, this.dFeats);

    // backward direction: ∂J/∂(output at τ) = dBf row T−1−τ; its initial state is a constant 0
    for (let tau = 0; tau < T; tau++) this.dTopB.set(this.dBFeat.subarray((T - 1 - tau) * BH, (T - tau) * BH), tau * BH);
    this.bwd.backward(this.dTopB, 0, T, B, this.dBState, 0);

    // forward direction: ∂J/∂h⟨t⟩ = dF row t+1 (t < T−1), 0 for t = T−1 (only carried on)
    this.dF.fill(0, P * H, P * H + BH);
    const dTop0 = this.dF.slice(0, BH); // ∂J/∂h_top⟨−1⟩ through the head (the backward pass uses dF as scratch)
    this.lastB = B;
    this.stack.backward(this.dF, BH, T, B, this.dState, 0);
    const top = (this.config.layers - 1) * this.stack.blocks * BH; // the top layer's h in the state
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
    this.checkBlock(x, T, B, fState, undefined, [next.subarray(0, B)]);
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
