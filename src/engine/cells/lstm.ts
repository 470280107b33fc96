import type { Kernels, LstmStepsBackward, LstmStepsForward } from '../kernels/ops.js';
import type { Param, Vec } from '../types.js';
import { makeParam, type CellNames } from './cell.js';
import { LstmBase } from './lstm-base.js';

/**
 * LSTM (Hochreiter & Schmidhuber; gate order i, f, g, o as torch.nn.LSTM):
 *   i = σ(a_i + w_ci⊙c⟨t−1⟩)  f = σ(a_f + w_cf⊙c⟨t−1⟩)  g = tanh(a_g)  o = σ(a_o + w_co⊙c⟨t⟩)
 *   c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g      h⟨t⟩ = o⊙tanh(c⟨t⟩)
 * where a = W_ih x + b_ih + W_hh h⟨t−1⟩ + b_hh, and the w_c* (diagonal peepholes) exist only with
 * `peephole`. Stored: weight_ih (4H, I), weight_hh (4H, H), bias_ih (4H), bias_hh (4H), and with
 * peephole weight_ci, weight_cf, weight_co (H) each, named e.g. rnn.weight_ci_l0.
 *
 * `coupled` (no input gate, i = 1 − f): c⟨t⟩ = f⊙c⟨t−1⟩ + (1−f)⊙g. Stored with 3H rows in the
 * order f, g, o: weight_ih (3H, I), weight_hh (3H, H), biases (3H); with peephole only
 * weight_cf and weight_co.
 * Init: forget-gate rows of bias_ih = 1 and of bias_hh = 0 (total forget bias 1).
 *
 * The kernel ops (kernels/ops.ts), one timestep, B rows. `gates` rows have stride G·H (G = 4, or
 * 3 when coupled), the gate blocks in the order above; c⟨t−1⟩ is c[cOff + b·H + j] and c⟨t⟩ is
 * c[cOff + B·H + b·H + j]; tanhC, h, dH, dhNext, dcNext are (B, H) with the given offsets
 * (dhNext, dcNext at 0); wci/wcf/wco are null without peepholes.
 *   lstmForward: gates := activated (i, f, g, o); writes c⟨t⟩, tanhC = tanh(c⟨t⟩), h⟨t⟩
 *   lstmBackward: with dh = dH + dhNext and dc = dcNext + dh⊙o⊙(1−tanhC²) + da_o⊙w_co, writes
 *       dGates (da_i, da_f, da_g, da_o) and dcNext := ∂J/∂c⟨t−1⟩
 *   lstmCoupledForward / lstmCoupledBackward: the same for the coupled gate blocks (f, g, o)
 *   lstmStepsForward / lstmStepsBackward (optional): every step of the forward / BPTT below at
 *       once (no peepholes, not coupled; W_hh packed by the kernel set) */
export class LstmCell extends LstmBase {
  get gateNames(): readonly string[] {
    return this.coupled ? ['f', 'g', 'o'] : ['i', 'f', 'g', 'o'];
  }
  readonly weightCi: Param | null;
  readonly weightCf: Param | null;
  readonly weightCo: Param | null;
  private readonly stepsFwd: LstmStepsForward | undefined;
  private readonly stepsBwd: LstmStepsBackward | undefined;

  constructor(kernels: Kernels, names: CellNames, I: number, H: number, readonly peephole: boolean, readonly coupled: boolean) {
    super(kernels, names, I, H, coupled ? 3 : 4);
    const n = (base: string): string => `${names.prefix}.${base}_l${names.layer}${names.suffix}`;
    this.weightCi = peephole && !coupled ? makeParam(kernels, n('weight_ci'), [H]) : null;
    this.weightCf = peephole ? makeParam(kernels, n('weight_cf'), [H]) : null;
    this.weightCo = peephole ? makeParam(kernels, n('weight_co'), [H]) : null;
    for (const p of [this.weightCi, this.weightCf, this.weightCo]) if (p) this.params.push(p);
    const plain = !peephole && !coupled;
    this.stepsFwd = plain ? kernels.lstmStepsForward : undefined;
    this.stepsBwd = plain ? kernels.lstmStepsBackward : undefined;
  }

  protected get forgetRow(): number {
    return this.coupled ? 0 : this.H;
  }

  protected override allStepsForward(T: number, B: number): boolean {
    return this.stepsFwd?.(T, B, this.H, this.gates, this.cAll, this.tanhC, this.hAll, this.whhT.packed) ?? false;
  }

  protected override allStepsBackward(T: number, B: number, dH: Vec, dHOff: number): boolean {
    return this.stepsBwd?.(T, B, this.H, this.gates, this.cAll, this.tanhC, dH, dHOff,
      this.dhNext, this.dcNext, this.dGates, this.whh.packed) ?? false;
  }

  /** The peephole weights w_ci, w_cf, w_co (null where there are none). */
  private peepholes(): [Vec | null, Vec | null, Vec | null] {
    return [this.weightCi?.data ?? null, this.weightCf?.data ?? null, this.weightCo?.data ?? null];
  }

  protected stepForward(t: number, B: number): void {
    const H = this.H;
    const BH = B * H;
    const GH = this.G * H;
    // a⟨t⟩ += h⟨t−1⟩·W_hhᵀ   (B, G·H)
    this.whhT.gemm(B, this.hAll, t * BH, H, 1, this.gates, t * B * GH, GH);
    const [wci, wcf, wco] = this.peepholes();
    if (this.coupled) this.kernels.lstmCoupledForward(B, H, this.gates, t * B * GH, this.cAll, t * BH, this.tanhC, t * BH, this.hAll, (t + 1) * BH, wcf, wco);
    else this.kernels.lstmForward(B, H, this.gates, t * B * GH, this.cAll, t * BH, this.tanhC, t * BH, this.hAll, (t + 1) * BH, wci, wcf, wco);
  }

  protected stepBackward(t: number, B: number, dH: Vec, dHOff: number): void {
    const H = this.H;
    const BH = B * H;
    const GH = this.G * H;
    const [wci, wcf, wco] = this.peepholes();
    const g = t * B * GH;
    if (this.coupled) this.kernels.lstmCoupledBackward(B, H, this.gates, g, this.cAll, t * BH, this.tanhC, t * BH, dH, dHOff + t * BH, this.dhNext, this.dcNext, this.dGates, g, wcf, wco);
    else this.kernels.lstmBackward(B, H, this.gates, g, this.cAll, t * BH, this.tanhC, t * BH, dH, dHOff + t * BH, this.dhNext, this.dcNext, this.dGates, g, wci, wcf, wco);
    // dh⟨t−1⟩ = da⟨t⟩·W_hh
    this.whh.gemm(B, this.dGates, t * B * GH, GH, 0, this.dhNext, 0, H);
  }

  protected override recurrentGrads(P: number, whhDone = false): void {
    super.recurrentGrads(P, whhDone);
    if (!this.weightCf) return;
    // dw_ci += Σ_p da_i⊙c⟨t−1⟩,  dw_cf += Σ_p da_f⊙c⟨t−1⟩,  dw_co += Σ_p da_o⊙c⟨t⟩
    const H = this.H;
    const GH = this.G * H;
    const fo = this.coupled ? 0 : H;
    const oo = this.coupled ? 2 * H : 3 * H;
    const shift = this.B * H;
    const dG = this.dGates, c = this.cAll;
    const gci = this.weightCi?.grad, gcf = this.weightCf.grad, gco = this.weightCo!.grad;
    for (let p = 0; p < P; p++) {
      const r = p * GH;
      for (let j = 0; j < H; j++) {
        const cPrev = c[p * H + j];
        if (gci) gci[j] += dG[r + j] * cPrev;
        gcf[j] += dG[r + fo + j] * cPrev;
        gco[j] += dG[r + oo + j] * c[shift + p * H + j];
      }
    }
  }
}
