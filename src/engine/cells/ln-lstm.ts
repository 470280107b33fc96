import type { Kernels } from '../kernels/ops.js';
import type { Param, Vec } from '../types.js';
import { makeParam, type CellNames } from './cell.js';
import { LstmBase } from './lstm-base.js';

/**
 * Layer-normalised LSTM (Ba, Kiros & Hinton 2016, §A), gate order i, f, g, o:
 *   a = LN(W_ih x; γ_ih) + LN(W_hh h⟨t−1⟩; γ_hh) + b_ih + b_hh
 *   c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g      h⟨t⟩ = o⊙tanh(LN(c⟨t⟩; γ_c, β_c))
 * where LN(z; γ, β) = γ⊙(z − mean z)/√(var z + ε) + β over one row (the biases b stand for the gates' β).
 * Stored besides the LSTM's four tensors: ln_ih (4H), ln_hh (4H), ln_c_weight (H), ln_c_bias (H).
 *
 * Buffers besides the LSTM's (lstm-base.ts; here tanhC = tanh(γ_c⊙ĉ + β_c)), p = t·B + b:
 *   xHat, hHat (T·B, 4H)  the normalised projections x̂ = LN(W_ih x), ĥ = LN(W_hh h⟨t−1⟩) (raw until normalised)
 *   cHat (T·B, H)         ĉ = LN(c⟨t⟩)
 *   rstdX, rstdH, rstdC (T·B)  1/√(var + ε) of each row's normalisation
 *   norm (6H)             γ_hh, γ_c, β_c side by side, copied from the parameters for the kernels
 *   dGx, dGh (T·B, 4H)    ∂J/∂(W_ih x), ∂J/∂(W_hh h⟨t−1⟩)
 *   dZc (T·B, H)          ∂J/∂(γ_c⊙ĉ + β_c)
 * The timestep is the kernel ops lnLstmForward / lnLstmBackward (kernels/ops.ts); the gains'
 * gradients are summed over all positions after BPTT.
 */
export class LnLstmCell extends LstmBase {
  readonly gateNames = ['i', 'f', 'g', 'o'] as const;
  readonly lnIh: Param;
  readonly lnHh: Param;
  readonly lnCWeight: Param;
  readonly lnCBias: Param;
  private xHat!: Vec;
  private hHat!: Vec;
  private cHat!: Vec;
  private rstdX!: Vec;
  private rstdH!: Vec;
  private rstdC!: Vec;
  private dGx!: Vec;
  private dGh!: Vec;
  private dZc!: Vec;
  private readonly norm: Vec;
  private readonly zeroBias: Vec;

  constructor(kernels: Kernels, names: CellNames, I: number, H: number) {
    super(kernels, names, I, H, 4);
    const n = (base: string): string => `${names.prefix}.${base}_l${names.layer}${names.suffix}`;
    this.lnIh = makeParam(kernels, n('ln_ih'), [4 * H]);
    this.lnHh = makeParam(kernels, n('ln_hh'), [4 * H]);
    this.lnCWeight = makeParam(kernels, n('ln_c_weight'), [H]);
    this.lnCBias = makeParam(kernels, n('ln_c_bias'), [H]);
    this.params.push(this.lnIh, this.lnHh, this.lnCWeight, this.lnCBias);
    this.norm = kernels.alloc(6 * H);
    this.zeroBias = kernels.alloc(4 * H);
  }

  protected get forgetRow(): number {
    return this.H;
  }

  /** The LSTM's init (forget bias 1); gains 1, β_c 0. */
  override init(uniform: () => number): void {
    super.init(uniform);
    this.lnIh.data.fill(1);
    this.lnHh.data.fill(1);
    this.lnCWeight.data.fill(1);
    this.lnCBias.data.fill(0);
  }

  protected override allocExtra(capP: number, capB: number): void {
    super.allocExtra(capP, capB); // cAll, tanhC, dcNext
    const k = this.kernels, H = this.H, GH = 4 * H;
    this.xHat = k.alloc(capP * GH);
    this.hHat = k.alloc(capP * GH);
    this.cHat = k.alloc(capP * H);
    this.rstdX = k.alloc(capP);
    this.rstdH = k.alloc(capP);
    this.rstdC = k.alloc(capP);
    this.dGx = k.alloc(capP * GH);
    this.dGh = k.alloc(capP * GH);
    this.dZc = k.alloc(capP * H);
  }

  /** Gates = γ_ih⊙LN(X·W_ihᵀ) + b_ih + b_hh   (T·B, 4H); the raw projection into xHat, normalised there. */
  protected override projectInput(P: number): void {
    const { I, input } = this, GH = 4 * this.H;
    if (input.kind === 'tokens') this.kernels.gatherColumns(P, GH, I, this.weightIh.data, input.tokens, this.zeroBias, this.xHat);
    else this.kernels.gemm(false, true, P, GH, I, input.x, input.off, I, this.weightIh.data, 0, I, 0, this.xHat, 0, GH);
    this.kernels.layerNormForward(P, GH, this.xHat, this.rstdX, this.lnIh.data, this.bias, this.gates);
  }

  /** W_hh packed; the gains the steps read, side by side in norm. */
  protected override prepareForward(T: number, B: number): void {
    super.prepareForward(T, B);
    const H = this.H;
    this.norm.set(this.lnHh.data, 0);
    this.norm.set(this.lnCWeight.data, 4 * H);
    this.norm.set(this.lnCBias.data, 5 * H);
  }

  protected override allStepsForward(T: number, B: number): boolean {
    return this.kernels.lnLstmStepsForward?.(T, B, this.H, this.gates, this.hHat, this.rstdH, this.cAll, this.cHat, this.rstdC,
      this.tanhC, this.hAll, this.norm, this.whhT.packed) ?? false;
  }

  protected override allStepsBackward(T: number, B: number, dH: Vec, dHOff: number): boolean {
    return this.kernels.lnLstmStepsBackward?.(T, B, this.H, this.gates, this.hHat, this.rstdH, this.cAll, this.cHat, this.rstdC,
      this.tanhC, this.norm, dH, dHOff, this.dhNext, this.dcNext, this.dGates, this.dGh, this.dZc, this.whh.packed) ?? false;
  }

  protected stepForward(t: number, B: number): void {
    const H = this.H, GH = 4 * H;
    // raw⟨t⟩ = h⟨t−1⟩·W_hhᵀ   (B, 4H), into hHat
    this.whhT.gemm(B, this.hAll, t * B * H, H, 0, this.hHat, t * B * GH, GH);
    this.kernels.lnLstmForward(t, B, H, this.gates, this.hHat, this.rstdH, this.cAll, this.cHat, this.rstdC, this.tanhC, this.hAll, this.norm);
  }

  protected stepBackward(t: number, B: number, dH: Vec, dHOff: number): void {
    const H = this.H, GH = 4 * H;
    this.kernels.lnLstmBackward(t, B, H, this.gates, this.hHat, this.rstdH, this.cAll, this.cHat, this.rstdC, this.tanhC, this.norm,
      dH, dHOff, this.dhNext, this.dcNext, this.dGates, this.dGh, this.dZc);
    // dh⟨t−1⟩ = dRaw_hh⟨t⟩·W_hh
    this.whh.gemm(B, this.dGh, t * B * GH, GH, 0, this.dhNext, 0, H);
  }

  /** dγ_ih += Σ_p da⊙x̂;  ∂J/∂(X·W_ihᵀ) = LN'(da⊙γ_ih), into dGx. */
  protected override projectionGrad(P: number): Vec {
    const GH = 4 * this.H;
    this.kernels.columnDots(P, GH, this.dGates, this.xHat, this.lnIh.grad);
    this.kernels.layerNormBackward(P, GH, this.dGates, this.xHat, this.rstdX, this.lnIh.data, this.dGx);
    return this.dGx;
  }

  /** dW_hh += dGhᵀ·Hprev;  db_hh += Σ_p da;  dγ_hh += Σ_p da⊙ĥ;  dγ_c += Σ_p dZc⊙ĉ;  dβ_c += Σ_p dZc. */
  protected override recurrentGrads(P: number): void {
    const H = this.H, GH = 4 * H, k = this.kernels;
    this.gradGemm(true, false, GH, H, P, this.dGh, 0, GH, this.hAll, 0, H, 1, this.weightHh.grad, 0, H);
    k.columnSums(this.dGates, 0, GH, P, GH, this.biasHh.grad);
    k.columnDots(P, GH, this.dGates, this.hHat, this.lnHh.grad);
    k.columnDots(P, H, this.dZc, this.cHat, this.lnCWeight.grad);
    k.columnSums(this.dZc, 0, H, P, H, this.lnCBias.grad);
  }

  /** The generic chunks would read dGates; W_hh's gradient reads dGh. */
  protected override get chunkedWhhGrad(): boolean {
    return false;
  }
}
