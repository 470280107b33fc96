import { FixedB } from '../kernels/fixed-operand.js';
import type { Kernels } from '../kernels/ops.js';
import type { Vec } from '../types.js';
import { Cell, type CellNames } from './cell.js';

/**
 * What every LSTM form shares: the memory cell c carried beside h, and a forget bias of 1.
 *   cAll   (T·B + B, H) laid out like hAll: rows [0, B) hold c⟨−1⟩, rows [(t+1)·B, (t+2)·B) hold c⟨t⟩
 *   tanhC  (T·B, H)     tanh of c⟨t⟩ (or of what h reads of it)
 *   dcNext (B, H)       ∂J/∂c⟨t−1⟩ carried backwards through time
 * The carried state of a layer is B·H floats of h, then B·H floats of c. W_hh is packed by the
 * kernel set for the steps of each pass (whhT forward, whh backward).
 */
export abstract class LstmBase extends Cell {
  readonly stateBlocks = 2;
  cAll!: Vec;
  tanhC!: Vec;
  dcNext!: Vec;
  protected readonly whhT: FixedB; // W_hhᵀ (H, G·H) for the forward steps
  protected readonly whh: FixedB; //  W_hh (G·H, H) for the backward steps

  constructor(kernels: Kernels, names: CellNames, I: number, H: number, G: number) {
    super(kernels, names, I, H, G);
    this.whhT = new FixedB(kernels, true, H, G * H, this.weightHh.data, 0, H);
    this.whh = new FixedB(kernels, false, G * H, H, this.weightHh.data, 0, H);
  }

  protected override prepareForward(T: number, B: number): void {
    this.whhT.prepare(T, B);
  }

  protected override prepareBackward(T: number, B: number): void {
    this.whh.prepare(T, B);
  }

  /** The first row of the forget-gate block in weight_ih / weight_hh. */
  protected abstract get forgetRow(): number;

  /** PyTorch's init, then the forget-gate rows of bias_ih = 1 and of bias_hh = 0 (total forget bias 1). */
  override init(uniform: () => number): void {
    super.init(uniform);
    for (let j = 0; j < this.H; j++) {
      this.biasIh.data[this.forgetRow + j] = 1;
      this.biasHh.data[this.forgetRow + j] = 0;
    }
  }

  protected override allocExtra(capP: number, capB: number): void {
    this.cAll = this.kernels.alloc((capP + capB) * this.H);
    this.tanhC = this.kernels.alloc(capP * this.H);
    this.dcNext = this.kernels.alloc(capB * this.H);
  }

  protected override loadCarry(state: Vec, off: number, B: number): void {
    this.cAll.set(state.subarray(off, off + B * this.H), 0);
  }

  protected override storeCarry(state: Vec, off: number, T: number, B: number): void {
    const o = T * B * this.H;
    state.set(this.cAll.subarray(o, o + B * this.H), off);
  }

  protected override clearCarryGrad(B: number): void {
    this.dcNext.fill(0, 0, B * this.H);
  }

  protected override storeCarryGrad(dState: Vec, off: number, B: number): void {
    dState.set(this.dcNext.subarray(0, B * this.H), off);
  }
}
