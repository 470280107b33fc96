import type { Activation } from '../config.js';
import { FixedB } from '../kernels/fixed-operand.js';
import type { Kernels, RnnBackward, RnnForward, RnnStepsBackward, RnnStepsForward } from '../kernels/ops.js';
import type { Vec } from '../types.js';
import { Cell, type CellNames } from './cell.js';

/**
 * Vanilla RNN (Elman):  h⟨t⟩ = act(W_ih x⟨t⟩ + b_ih + W_hh h⟨t−1⟩ + b_hh),  act = tanh or ReLU.
 * Stored as torch.nn.RNN: weight_ih (H, I), weight_hh (H, H), bias_ih (H), bias_hh (H).
 *
 * The kernel ops (kernels/ops.ts): rnnTanh/ReluForward h = act(a) and their backward
 * dA = (dH + dhNext)⊙act'(a), over n = B·H elements of one timestep; rnnTanhSteps* (optional)
 * run every step of the forward / BPTT below at once.
 */
export class RnnCell extends Cell {
  readonly stateBlocks = 1;
  readonly gateNames: readonly string[] = [];
  private readonly act: RnnForward;
  private readonly actBackward: RnnBackward;
  private readonly whhT: FixedB; // W_hhᵀ for the forward steps
  private readonly whh: FixedB; //  W_hh for the backward steps
  private readonly stepsFwd: RnnStepsForward | undefined;
  private readonly stepsBwd: RnnStepsBackward | undefined;

  constructor(kernels: Kernels, names: CellNames, I: number, H: number, activation: Activation) {
    super(kernels, names, I, H, 1);
    this.whhT = new FixedB(kernels, true, H, H, this.weightHh.data, 0, H);
    this.whh = new FixedB(kernels, false, H, H, this.weightHh.data, 0, H);
    const relu = activation === 'relu';
    this.act = relu ? kernels.rnnReluForward : kernels.rnnTanhForward;
    this.actBackward = relu ? kernels.rnnReluBackward : kernels.rnnTanhBackward;
    this.stepsFwd = relu ? undefined : kernels.rnnTanhStepsForward;
    this.stepsBwd = relu ? undefined : kernels.rnnTanhStepsBackward;
  }

  protected override allStepsForward(T: number, B: number): boolean {
    return this.stepsFwd?.(T, B, this.H, this.gates, this.hAll, this.whhT.packed) ?? false;
  }

  protected override allStepsBackward(T: number, B: number, dH: Vec, dHOff: number): boolean {
    return this.stepsBwd?.(T, B, this.H, this.hAll, dH, dHOff, this.dhNext, this.dGates, this.whh.packed) ?? false;
  }

  protected override prepareForward(T: number, B: number): void {
    this.whhT.prepare(T, B);
  }

  protected override prepareBackward(T: number, B: number): void {
    this.whh.prepare(T, B);
  }

  protected stepForward(t: number, B: number): void {
    const H = this.H;
    const BH = B * H;
    // a⟨t⟩ += h⟨t−1⟩·W_hhᵀ   (B, H)
    this.whhT.gemm(B, this.hAll, t * BH, H, 1, this.gates, t * BH, H);
    // h⟨t⟩ = act(a⟨t⟩)
    this.act(BH, this.gates, t * BH, this.hAll, (t + 1) * BH);
  }

  protected stepBackward(t: number, B: number, dH: Vec, dHOff: number): void {
    const H = this.H;
    const BH = B * H;
    // da⟨t⟩ = (dH⟨t⟩ + dhNext) ⊙ act'(a⟨t⟩)
    this.actBackward(BH, this.hAll, (t + 1) * BH, dH, dHOff + t * BH, this.dhNext, this.dGates, t * BH);
    // dh⟨t−1⟩ = da⟨t⟩·W_hh
    this.whh.gemm(B, this.dGates, t * BH, H, 0, this.dhNext, 0, H);
  }
}
