import { FixedB } from '../kernels/fixed-operand.js';
import type { GruStepsBackward, GruStepsForward, Kernels } from '../kernels/ops.js';
import type { Vec } from '../types.js';
import { Cell, type CellNames } from './cell.js';

type V = Vec;

/**
 * GRU. Stored exactly like torch.nn.GRU: gate blocks r, z, n; weight_ih (3H, I), weight_hh (3H, H),
 * bias_ih (3H), bias_hh (3H). All three forms compute  h⟨t⟩ = (1−z)⊙n + z⊙h⟨t−1⟩  — the
 * textbook update gate is u = 1 − z (PyTorch's z keeps the old state), the candidate c̃ is n:
 *   default (Cho et al. 2014):          r = σ(a_r)  z = σ(a_z)
 *       n = tanh(W_in x + b_in + W_hn (r⊙h⟨t−1⟩) + b_hn)
 *   resetAfter (PyTorch / cuDNN):          n = tanh(W_in x + b_in + r⊙(W_hn h⟨t−1⟩ + b_hn))
 *   minimal (the simplified GRU, no reset gate): blocks z, n only, weight_ih (2H, I),
 *       weight_hh (2H, H), biases (2H);    n = tanh(W_in x + b_in + W_hn h⟨t−1⟩ + b_hn)
 * where a_r = W_ir x + b_ir + W_hr h⟨t−1⟩ + b_hr, likewise a_z.
 *
 * The kernel ops (kernels/ops.ts); one timestep, B rows. `gates` rows have stride 3H (minimal: 2H);
 * h⟨t−1⟩ is h[hOff + b·H + j] and h⟨t⟩ is h[hOff + B·H + b·H + j]; rh, hn, dH, dHH have the given
 * offsets, dhNext and drh start at 0 and are (B, H); hh is (B, 3H) at 0; bhh is b_hh (3H).
 *   gruForwardRz(B, H, gates, gOff, h, hOff, rh, rhOff)
 *       r = σ(a_r), z = σ(a_z) in place; rh = r⊙h⟨t−1⟩
 *   gruForwardN(B, H, gates, gOff, h, hOff)
 *       n = tanh(a_n) in place (a_n already holds W_hn(r⊙h)); writes h⟨t⟩
 *   gruBackwardN(B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff)
 *       dh = dH + dhNext; da_n = dh(1−z)(1−n²); da_z = dh(h⟨t−1⟩−n)z(1−z); dhNext := dh⊙z
 *   gruBackwardR(B, H, gates, gOff, h, hOff, drh, dhNext, dGates, dOff)
 *       da_r = drh⊙h⟨t−1⟩⊙r(1−r); dhNext += drh⊙r            (drh = da_n·W_hn)
 *   gruResetAfterForward(B, H, gates, gOff, hh, bhh, hn, hnOff, h, hOff)
 *       r = σ(a_r + hh_r), z = σ(a_z + hh_z), hn = hh_n + b_hn, n = tanh(a_n + r⊙hn) in place; h⟨t⟩
 *   gruResetAfterBackward(B, H, gates, gOff, hn, hnOff, h, hOff, dH, dHOff, dhNext, dGates, dOff, dHH, dHHOff)
 *       dGates = (da_r, da_z, da_n); dHH = (da_r, da_z, r⊙da_n) (gradient of W_hh h + b_hh); dhNext := dh⊙z
 *   gruMinimalForward(B, H, gates, gOff, h, hOff)          z = σ, n = tanh in place; h⟨t⟩
 *   gruMinimalBackward(B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff)
 *       as gru_backward_n with stride 2H
 *   gruStepsForward(T, B, H, G, gates, hAll, rh, whAT, whNT) (optional)
 *   gruStepsBackward(T, B, H, G, gates, hAll, dH, dHOff, dhNext, drh, dGates, whA, whN) (optional)
 *       every step of the forward / BPTT below at once, G = 3 (cho) or 2 (minimal; rh, drh, whN
 *       unused); whAT, whNT, whA, whN: the W_hh blocks packed by the kernel set; false when the
 *       kernel set cannot take the call
 */
export type GruForm = 'cho' | 'resetAfter' | 'minimal';

export class GruCell extends Cell {
  readonly stateBlocks = 1;
  get gateNames(): readonly string[] {
    return this.form === 'minimal' ? ['z', 'n'] : ['r', 'z', 'n'];
  }
  private rh!: V; //  cho: (T·B, H) r⊙h⟨t−1⟩
  private drh!: V; // cho: (B, H)
  private hh!: V; //  resetAfter: (B, 3H) W_hh h⟨t−1⟩
  private hn!: V; //  resetAfter: (T·B, H) W_hn h⟨t−1⟩ + b_hn
  private dHH!: V; // resetAfter: (T·B, 3H)
  // W_hh blocks used at every step (packed once per pass): forward op(B) = blockᵀ, backward = block
  private readonly fwdA: FixedB; // cho: W_hrzᵀ (H, 2H); else W_hhᵀ (H, G·H)
  private readonly fwdN: FixedB; // cho: W_hnᵀ (H, H)
  private readonly bwdA: FixedB; // cho: W_hrz (2H, H); else W_hh (G·H, H)
  private readonly bwdN: FixedB; // cho: W_hn (H, H)
  private readonly stepsFwd: GruStepsForward | undefined;
  private readonly stepsBwd: GruStepsBackward | undefined;

  constructor(kernels: Kernels, names: CellNames, I: number, H: number, readonly form: GruForm) {
    super(kernels, names, I, H, form === 'minimal' ? 2 : 3);
    const W = this.weightHh.data, GH = this.G * H, A = form === 'cho' ? 2 * H : GH;
    this.fwdA = new FixedB(kernels, true, H, A, W, 0, H);
    this.fwdN = new FixedB(kernels, true, H, H, W, 2 * H * H, H);
    this.bwdA = new FixedB(kernels, false, A, H, W, 0, H);
    this.bwdN = new FixedB(kernels, false, H, H, W, 2 * H * H, H);
    const fused = form !== 'resetAfter';
    this.stepsFwd = fused ? kernels.gruStepsForward : undefined;
    this.stepsBwd = fused ? kernels.gruStepsBackward : undefined;
  }

  protected override allStepsForward(T: number, B: number): boolean {
    const cho = this.form === 'cho';
    return this.stepsFwd?.(T, B, this.H, this.G, this.gates, this.hAll, cho ? this.rh : null,
      this.fwdA.packed, cho ? this.fwdN.packed : undefined) ?? false;
  }

  protected override allStepsBackward(T: number, B: number, dH: V, dHOff: number): boolean {
    const cho = this.form === 'cho';
    return this.stepsBwd?.(T, B, this.H, this.G, this.gates, this.hAll, dH, dHOff, this.dhNext, cho ? this.drh : null,
      this.dGates, this.bwdA.packed, cho ? this.bwdN.packed : undefined) ?? false;
  }

  protected override prepareForward(T: number, B: number): void {
    this.fwdA.prepare(T, B);
    if (this.form === 'cho') this.fwdN.prepare(T, B);
  }

  protected override prepareBackward(T: number, B: number): void {
    this.bwdA.prepare(T, B);
    if (this.form === 'cho') this.bwdN.prepare(T, B);
  }

  protected override foldedBiasRows(): number {
    return this.form === 'resetAfter' ? 2 * this.H : this.G * this.H;
  }

  protected override allocExtra(capP: number, capB: number): void {
    const k = this.kernels, H = this.H;
    if (this.form === 'cho') {
      this.rh = k.alloc(capP * H);
      this.drh = k.alloc(capB * H);
    } else if (this.form === 'resetAfter') {
      this.hh = k.alloc(capB * 3 * H);
      this.hn = k.alloc(capP * H);
      this.dHH = k.alloc(capP * 3 * H);
    }
  }

  protected stepForward(t: number, B: number): void {
    const H = this.H, BH = B * H, GH = this.G * H;
    const gOff = t * B * GH;
    if (this.form === 'minimal') {
      this.fwdA.gemm(B, this.hAll, t * BH, H, 1, this.gates, gOff, GH); // a += h·W_hhᵀ
      this.kernels.gruMinimalForward(B, H, this.gates, gOff, this.hAll, t * BH);
    } else if (this.form === 'cho') {
      this.fwdA.gemm(B, this.hAll, t * BH, H, 1, this.gates, gOff, GH); // a_rz += h·W_hrzᵀ
      this.kernels.gruForwardRz(B, H, this.gates, gOff, this.hAll, t * BH, this.rh, t * BH);
      this.fwdN.gemm(B, this.rh, t * BH, H, 1, this.gates, gOff + 2 * H, GH); // a_n += (r⊙h)·W_hnᵀ
      this.kernels.gruForwardN(B, H, this.gates, gOff, this.hAll, t * BH);
    } else {
      this.fwdA.gemm(B, this.hAll, t * BH, H, 0, this.hh, 0, GH); // hh = h·W_hhᵀ
      this.kernels.gruResetAfterForward(B, H, this.gates, gOff, this.hh, this.biasHh.data, this.hn, t * BH, this.hAll, t * BH);
    }
  }

  protected stepBackward(t: number, B: number, dH: Vec, dHOff: number): void {
    const H = this.H, BH = B * H, GH = this.G * H;
    const gOff = t * B * GH;
    const dHt = dHOff + t * BH;
    if (this.form === 'minimal') {
      this.kernels.gruMinimalBackward(B, H, this.gates, gOff, this.hAll, t * BH, dH, dHt, this.dhNext, this.dGates, gOff);
      this.bwdA.gemm(B, this.dGates, gOff, GH, 1, this.dhNext, 0, H); // dh_prev += da·W_hh
    } else if (this.form === 'cho') {
      this.kernels.gruBackwardN(B, H, this.gates, gOff, this.hAll, t * BH, dH, dHt, this.dhNext, this.dGates, gOff);
      this.bwdN.gemm(B, this.dGates, gOff + 2 * H, GH, 0, this.drh, 0, H); // drh = da_n·W_hn
      this.kernels.gruBackwardR(B, H, this.gates, gOff, this.hAll, t * BH, this.drh, this.dhNext, this.dGates, gOff);
      this.bwdA.gemm(B, this.dGates, gOff, GH, 1, this.dhNext, 0, H); // += da_rz·W_hrz
    } else {
      this.kernels.gruResetAfterBackward(B, H, this.gates, gOff, this.hn, t * BH, this.hAll, t * BH, dH, dHt, this.dhNext, this.dGates, gOff, this.dHH, gOff);
      this.bwdA.gemm(B, this.dHH, gOff, GH, 1, this.dhNext, 0, H); // dh_prev += dHH·W_hh
    }
  }

  protected override get chunkedWhhGrad(): boolean {
    return this.form === 'minimal';
  }

  protected override recurrentGrads(P: number, whhDone = false): void {
    const H = this.H, GH = this.G * H, dW = this.weightHh.grad;
    if (this.form === 'minimal') return super.recurrentGrads(P, whhDone);
    if (this.form === 'cho') {
      // dW_hrz += da_rzᵀ·Hprev;  dW_hn += da_nᵀ·(R⊙Hprev);  db_hh += Σ_p dGates
      this.gradGemm(true, false, 2 * H, H, P, this.dGates, 0, GH, this.hAll, 0, H, 1, dW, 0, H);
      this.gradGemm(true, false, H, H, P, this.dGates, 2 * H, GH, this.rh, 0, H, 1, dW, 2 * H * H, H);
      this.kernels.columnSums(this.dGates, 0, GH, P, GH, this.biasHh.grad);
    } else {
      // dW_hh += dHHᵀ·Hprev;  db_hh += Σ_p dHH
      this.gradGemm(true, false, GH, H, P, this.dHH, 0, GH, this.hAll, 0, H, 1, dW, 0, H);
      this.kernels.columnSums(this.dHH, 0, GH, P, GH, this.biasHh.grad);
    }
  }
}
