import type { GemmCall, Kernels } from '../kernels/ops.js';
import type { BpttProbe, LayerTrace } from '../language-model.js';
import type { Param, Vec } from '../types.js';

/**
 * One recurrent layer run over a whole T×B block (time-major: position p = t·B + b).
 *
 * The shared skeleton (this file) does the parts that are the same for every cell:
 *   forward:  Gates = X·W_ihᵀ + bias            one GEMM over all T·B positions (layer 0: the input
 *                                              is one-hot, so gather columns of W_ih instead)
 *             for t: stepForward(t)           the cell's recurrence: one GEMM per timestep + pointwise
 *                                              (or all steps at once: allStepsForward)
 *   backward: for t = T−1 … 0: stepBackward(t)  BPTT, the forward in reverse (or allStepsBackward)
 *             dW_ih += dGatesᵀ·X, dW_hh += dGatesᵀ·Hprev, db += Σ_p dGates   (all timesteps at once)
 *             dX = dGates·W_ih                  one GEMM
 *
 * Buffers (from kernels.alloc, grown only when a larger T·B or B arrives; never inside the loops):
 *   gates  (T·B, G·H)   pre-activations, overwritten in place by the activated gates
 *   hAll   (T·B + B, H) rows [0, B) hold h⟨−1⟩ (the carried-in state), rows [(t+1)·B, (t+2)·B) hold h⟨t⟩,
 *                       so Hprev = hAll[0, T·B) and H = hAll[B, T·B + B) are both contiguous
 *   dGates (T·B, G·H)   gradient of the loss with respect to the pre-activations
 *   dhNext (B, H)       ∂J/∂h⟨t−1⟩ carried backwards through time
 *   dX     (T·B, I)     ∂J/∂X (dense inputs only)
 *
 * The carried state of a layer is B·H floats of h, followed (LSTM) by B·H floats of c.
 */
export type LayerInput =
  | { readonly kind: 'tokens'; readonly tokens: Int32Array }
  | { readonly kind: 'dense'; readonly x: Vec; readonly off: number };

export interface CellNames {
  /** Module name, e.g. 'rnn'. */
  readonly prefix: string;
  readonly layer: number;
  /** '' or '_reverse' (PyTorch's name for the backward direction of a bidirectional RNN). */
  readonly suffix: string;
}

export function makeParam(kernels: Kernels, name: string, shape: number[]): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, data: kernels.alloc(n), grad: kernels.alloc(n) };
}

export abstract class Cell implements LayerTrace {
  readonly params: Param[];
  readonly weightIh: Param; // (G·H, I)
  readonly weightHh: Param; // (G·H, H)
  readonly biasIh: Param; //   (G·H)
  readonly biasHh: Param; //   (G·H)
  /** Blocks of B·H floats in this layer's carried state: 1 (h) or 2 (h, c). */
  abstract readonly stateBlocks: number;
  abstract readonly gateNames: readonly string[];
  /** When set, backward runs step by step and shows each step's ∂J/∂h⟨t⟩ to it. */
  probe: BpttProbe | null = null;

  gates!: Vec;
  hAll!: Vec;
  dGates!: Vec;
  dhNext!: Vec;
  dX!: Vec;
  protected bias: Vec;
  protected capP = 0;
  protected capB = 0;
  protected T = 0;
  protected B = 0;
  protected input: LayerInput = { kind: 'tokens', tokens: new Int32Array(0) };

  constructor(
    readonly kernels: Kernels,
    names: CellNames,
    /** Input width: V for layer 0 (one-hot tokens), else the layer below's H. */
    readonly I: number,
    readonly H: number,
    /** Gate blocks of H rows in weight_ih / weight_hh. */
    readonly G: number,
  ) {
    const n = (base: string): string => `${names.prefix}.${base}_l${names.layer}${names.suffix}`;
    const GH = G * H;
    this.weightIh = makeParam(kernels, n('weight_ih'), [GH, I]);
    this.weightHh = makeParam(kernels, n('weight_hh'), [GH, H]);
    this.biasIh = makeParam(kernels, n('bias_ih'), [GH]);
    this.biasHh = makeParam(kernels, n('bias_hh'), [GH]);
    this.params = [this.weightIh, this.weightHh, this.biasIh, this.biasHh];
    this.bias = kernels.alloc(GH);
  }

  /** Rows of `gates` that receive b_hh at projection time (all but GRU reset-after's n rows). */
  protected foldedBiasRows(): number {
    return this.G * this.H;
  }

  /** Grow the buffers for T·B = P positions and B streams (only ever grows). */
  ensure(P: number, B: number): void {
    if (P <= this.capP && B <= this.capB) return;
    this.capP = Math.max(P, this.capP);
    this.capB = Math.max(B, this.capB);
    const k = this.kernels;
    const { H, I } = this;
    const GH = this.G * H;
    this.gates = k.alloc(this.capP * GH);
    this.dGates = k.alloc(this.capP * GH);
    this.hAll = k.alloc((this.capP + this.capB) * H);
    this.dhNext = k.alloc(this.capB * H);
    this.dX = k.alloc(this.capP * I);
    this.allocExtra(this.capP, this.capB);
  }

  /** The layer's outputs h⟨0…T−1⟩: (T·B, H) at this offset of hAll. */
  outputOffset(): number {
    return this.B * this.H;
  }

  hidden(t: number, b: number, j: number): number {
    return this.hAll[((t + 1) * this.B + b) * this.H + j];
  }

  gate(g: number, t: number, b: number, j: number): number {
    return this.gates[(t * this.B + b) * this.G * this.H + g * this.H + j];
  }

  /** Run the layer over a T×B block; reads the carried state at stateOff and overwrites it. */
  forward(input: LayerInput, T: number, B: number, state: Vec, stateOff: number): void {
    const P = T * B;
    this.ensure(P, B);
    this.T = T;
    this.B = B;
    this.input = input;
    const { H, I } = this;
    const GH = this.G * H;
    const BH = B * H;
    this.hAll.set(state.subarray(stateOff, stateOff + BH), 0);
    this.loadCarry(state, stateOff + BH, B);

    // bias = b_ih + b_hh (b_hh only on the rows it joins linearly)
    const folded = this.foldedBiasRows();
    const bIh = this.biasIh.data;
    const bHh = this.biasHh.data;
    for (let j = 0; j < GH; j++) this.bias[j] = bIh[j] + (j < folded ? bHh[j] : 0);

    this.projectInput(P);
    this.prepareForward(T, B);
    if (!this.allStepsForward(T, B)) for (let t = 0; t < T; t++) this.stepForward(t, B);

    state.set(this.hAll.subarray(P * H, P * H + BH), stateOff);
    this.storeCarry(state, stateOff + BH, T, B);
  }

  /** Gates = X·W_ihᵀ + bias   (T·B, G·H), for every timestep at once. */
  protected projectInput(P: number): void {
    const { H, I, input } = this;
    const GH = this.G * H;
    const gates = this.gates;
    const W = this.weightIh.data;
    if (input.kind === 'tokens') {
      this.kernels.gatherColumns(P, GH, I, W, input.tokens, this.bias, gates); // one-hot: columns of W_ih
    } else {
      for (let p = 0; p < P; p++) gates.set(this.bias, p * GH);
      this.kernels.gemm(false, true, P, GH, I, input.x, input.off, I, W, 0, I, 1, gates, 0, GH);
    }
  }

  /**
   * Backpropagate through the last forward: dH (T·B, H) at dHOff is ∂J/∂h⟨t⟩ from above (it is
   * used as scratch). Accumulates parameter gradients, fills dX (dense input) and writes
   * ∂J/∂(carried-in state) at dStateOff. With `overlap` (the caller syncs the kernels before
   * reading the gradients) the weight-gradient GEMMs may run on another thread meanwhile.
   */
  backward(dH: Vec, dHOff: number, dState: Vec, dStateOff: number, overlap = false): void {
    const { T, B, H, I } = this;
    const P = T * B;
    const GH = this.G * H;
    const BH = B * H;
    this.dhNext.fill(0, 0, BH);
    this.clearCarryGrad(B);

    this.prepareBackward(T, B);
    const fused = this.probe === null && this.allStepsBackward(T, B, dH, dHOff);
    // Otherwise, with a kernel set that can overlap GEMMs, dW_hh += dGatesᵀ·Hprev goes in time chunks
    // of `span` steps, each started as soon as BPTT has produced its rows (the plan depends on T only).
    const span = !fused && this.chunkedWhhGrad && this.kernels.gemmLater && T >= 8 ? Math.ceil(T / 4) : 0;
    if (!fused) {
      let end = T;
      for (let t = T - 1; t >= 0; t--) {
        this.probe?.(t, dH, dHOff + t * BH, this.dhNext);
        this.stepBackward(t, B, dH, dHOff);
        if (span > 0 && (t % span === 0)) {
          const rows = (end - t) * B;
          const call: GemmCall = [true, false, GH, H, rows, this.dGates, t * B * GH, GH, this.hAll, t * B * H, H, 1, this.weightHh.grad, 0, H];
          if (t > 0 || overlap) {
            this.kernels.gemmLater!([call]);
          } else {
            // the last chunk with nothing left to overlap: after the one before it, on every thread
            this.kernels.sync?.();
            this.kernels.gemm(...call);
          }
          end = t;
        }
      }
    }

    // dW_ih += dProjᵀ·X   (G·H, I)
    const dProj = this.projectionGrad(P);
    const dW = this.weightIh.grad;
    if (this.input.kind === 'tokens') {
      this.kernels.scatterColumns(P, GH, I, dProj, this.input.tokens, dW);
    } else {
      this.gradGemm(true, false, GH, I, P, dProj, 0, GH, this.input.x, this.input.off, I, 1, dW, 0, I);
    }
    this.kernels.columnSums(this.dGates, 0, GH, P, GH, this.biasIh.grad); // db_ih += Σ_p dGates
    this.recurrentGrads(P, span > 0);
    if (overlap && this.kernels.gemmLater) this.kernels.gemmLater(this.gradCalls);
    else for (const g of this.gradCalls) this.kernels.gemm(...g);
    this.gradCalls.length = 0;
    // dX = dProj·W_ih   (T·B, I)
    if (this.input.kind === 'dense') {
      this.kernels.gemm(false, false, P, I, GH, dProj, 0, GH, this.weightIh.data, 0, I, 0, this.dX, 0, I);
    }

    dState.set(this.dhNext.subarray(0, BH), dStateOff);
    this.storeCarryGrad(dState, dStateOff + BH, B);
  }

  /** ∂J/∂(X·W_ihᵀ) (T·B, G·H) from dGates: the same buffer, unless something stands between them (ln-lstm.ts). */
  protected projectionGrad(_P: number): Vec {
    return this.dGates;
  }

  /** dW_hh += dGatesᵀ·Hprev over all T·B rows; db_hh += Σ_p dGates. (GRU variants override.) */
  protected recurrentGrads(P: number, whhDone = false): void {
    const GH = this.G * this.H;
    if (!whhDone) this.gradGemm(true, false, GH, this.H, P, this.dGates, 0, GH, this.hAll, 0, this.H, 1, this.weightHh.grad, 0, this.H);
    this.kernels.columnSums(this.dGates, 0, GH, P, GH, this.biasHh.grad);
  }

  /** PyTorch init: every weight and bias U(−1/√H, 1/√H). */
  init(uniform: () => number): void {
    const k = 1 / Math.sqrt(this.H);
    for (const p of this.params) for (let j = 0; j < p.data.length; j++) p.data[j] = (2 * uniform() - 1) * k;
  }

  /** A weight-gradient GEMM (dW += …): run at the end of backward, possibly overlapped. */
  protected gradGemm(...call: GemmCall): void {
    this.gradCalls.push(call);
  }
  private readonly gradCalls: GemmCall[] = [];
  /** Whether recurrentGrads is the generic dW_hh += dGatesᵀ·Hprev (which backward may do in time chunks). */
  protected get chunkedWhhGrad(): boolean {
    return true;
  }

  protected allocExtra(_capP: number, _capB: number): void {}
  /** Before the steps of a forward / backward pass (e.g. pack W_hh for them). */
  protected prepareForward(_T: number, _B: number): void {}
  protected prepareBackward(_T: number, _B: number): void {}
  protected loadCarry(_state: Vec, _off: number, _B: number): void {}
  protected storeCarry(_state: Vec, _off: number, _T: number, _B: number): void {}
  protected clearCarryGrad(_B: number): void {}
  protected storeCarryGrad(_dState: Vec, _off: number, _B: number): void {}
  /**
   * Every timestep at once, through the kernel set's fused recurrence (`*_steps_forward`: the
   * steps below, the batch's rows split over threads); false when there is none for this call.
   */
  protected allStepsForward(_T: number, _B: number): boolean {
    return false;
  }
  /** Likewise every step of BPTT (`*_steps_backward`). */
  protected allStepsBackward(_T: number, _B: number, _dH: Vec, _dHOff: number): boolean {
    return false;
  }
  /** Gates⟨t⟩ (pre-activation, input part already in) → activated gates and h⟨t⟩ in hAll. */
  protected abstract stepForward(t: number, B: number): void;
  /** ∂J/∂h⟨t⟩ = dH⟨t⟩ + dhNext → dGates⟨t⟩ and dhNext := ∂J/∂h⟨t−1⟩. */
  protected abstract stepBackward(t: number, B: number, dH: Vec, dHOff: number): void;
}
