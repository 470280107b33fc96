import type { Activation } from '../config.js';
import type { Kernels, PackedB } from '../kernels/kernels.js';
import type { Vec } from '../types.js';
import { Cell, FixedB, packWorthIt, type CellNames } from './cell.js';

/**
 * Vanilla RNN (Elman):  h⟨t⟩ = act(W_ih x⟨t⟩ + b_ih + W_hh h⟨t−1⟩ + b_hh),  act = tanh or ReLU.
 * Stored as torch.nn.RNN: weight_ih (H, I), weight_hh (H, H), bias_ih (H), bias_hh (H).
 *
 * Fused ops a kernel set may provide (kernels.fused[name]); n = B·H elements of one timestep,
 * all offsets in elements:
 *   rnn_tanh_forward(n, a, aOff, h, hOff): void
 *       h[hOff+j] = tanh(a[aOff+j])
 *   rnn_relu_forward(n, a, aOff, h, hOff): void
 *       h[hOff+j] = max(a[aOff+j], 0)
 *   rnn_tanh_backward(n, h, hOff, dH, dHOff, dhNext, dA, dAOff): void
 *       dA[dAOff+j] = (dH[dHOff+j] + dhNext[j]) · (1 − h[hOff+j]²)
 *   rnn_relu_backward(n, h, hOff, dH, dHOff, dhNext, dA, dAOff): void
 *       dA[dAOff+j] = h[hOff+j] > 0 ? dH[dHOff+j] + dhNext[j] : 0
 *   rnn_tanh_steps_forward(T, B, H, gates, hAll, whhT): boolean
 *   rnn_tanh_steps_backward(T, B, H, hAll, dH, dHOff, dhNext, dGates, whh): boolean
 *       every step of the forward / BPTT below at once (whhT, whh: W_hh packed by the kernel set);
 *       false when the kernel set cannot take the call
 */
export type RnnForward = (n: number, a: Vec, aOff: number, h: Vec, hOff: number) => void;
export type RnnBackward = (
  n: number, h: Vec, hOff: number, dH: Vec, dHOff: number, dhNext: Vec, dA: Vec, dAOff: number,
) => void;

export type RnnStepsForward = (T: number, B: number, H: number, gates: Vec, hAll: Vec, whhT: PackedB | undefined) => boolean;
export type RnnStepsBackward = (
  T: number, B: number, H: number, hAll: Vec, dH: Vec, dHOff: number, dhNext: Vec, dGates: Vec, whh: PackedB | undefined,
) => boolean;

export function rnnTanhForward(n: number, a: Vec, aOff: number, h: Vec, hOff: number): void {
  for (let j = 0; j < n; j++) h[hOff + j] = Math.tanh(a[aOff + j]);
}

export function rnnReluForward(n: number, a: Vec, aOff: number, h: Vec, hOff: number): void {
  for (let j = 0; j < n; j++) {
    const v = a[aOff + j];
    h[hOff + j] = v > 0 ? v : 0;
  }
}

// tanh'(a) = 1 − h²
export function rnnTanhBackward(
  n: number, h: Vec, hOff: number, dH: Vec, dHOff: number, dhNext: Vec, dA: Vec, dAOff: number,
): void {
  for (let j = 0; j < n; j++) {
    const hj = h[hOff + j];
    dA[dAOff + j] = (dH[dHOff + j] + dhNext[j]) * (1 - hj * hj);
  }
}

// relu'(a) = [h > 0]
export function rnnReluBackward(
  n: number, h: Vec, hOff: number, dH: Vec, dHOff: number, dhNext: Vec, dA: Vec, dAOff: number,
): void {
  for (let j = 0; j < n; j++) dA[dAOff + j] = h[hOff + j] > 0 ? dH[dHOff + j] + dhNext[j] : 0;
}

export class RnnCell extends Cell {
  readonly stateBlocks = 1;
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
    const f = kernels.fused as Record<string, unknown>;
    if (activation === 'relu') {
      this.act = (f['rnn_relu_forward'] as RnnForward | undefined) ?? rnnReluForward;
      this.actBackward = (f['rnn_relu_backward'] as RnnBackward | undefined) ?? rnnReluBackward;
    } else {
      this.act = (f['rnn_tanh_forward'] as RnnForward | undefined) ?? rnnTanhForward;
      this.actBackward = (f['rnn_tanh_backward'] as RnnBackward | undefined) ?? rnnTanhBackward;
    }
    const tanh = activation !== 'relu';
    this.stepsFwd = tanh ? (f['rnn_tanh_steps_forward'] as RnnStepsForward | undefined) : undefined;
    this.stepsBwd = tanh ? (f['rnn_tanh_steps_backward'] as RnnStepsBackward | undefined) : undefined;
  }

  protected override allStepsForward(T: number, B: number): boolean {
    return this.stepsFwd?.(T, B, this.H, this.gates, this.hAll, this.whhT.packed) ?? false;
  }

  protected override allStepsBackward(T: number, B: number, dH: Vec, dHOff: number): boolean {
    return this.stepsBwd?.(T, B, this.H, this.hAll, dH, dHOff, this.dhNext, this.dGates, this.whh.packed) ?? false;
  }

  protected override prepareForward(T: number, B: number): void {
    this.whhT.prepare(packWorthIt(T, B));
  }

  protected override prepareBackward(T: number, B: number): void {
    this.whh.prepare(packWorthIt(T, B));
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
