import type { Kernels, PackedB } from '../kernels/kernels.js';
import type { Vec } from '../types.js';
import { Cell, FixedB, packWorthIt, type CellNames } from './cell.js';

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
 * Fused ops (kernels.fused[name]); one timestep, B rows. `gates` rows have stride 3H (minimal: 2H);
 * h⟨t−1⟩ is h[hOff + b·H + j] and h⟨t⟩ is h[hOff + B·H + b·H + j]; rh, hn, dH, dHH have the given
 * offsets, dhNext and drh start at 0 and are (B, H); hh is (B, 3H) at 0; bhh is b_hh (3H).
 *   gru_forward_rz(B, H, gates, gOff, h, hOff, rh, rhOff): void
 *       r = σ(a_r), z = σ(a_z) in place; rh = r⊙h⟨t−1⟩
 *   gru_forward_n(B, H, gates, gOff, h, hOff): void
 *       n = tanh(a_n) in place (a_n already holds W_hn(r⊙h)); writes h⟨t⟩
 *   gru_backward_n(B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff): void
 *       dh = dH + dhNext; da_n = dh(1−z)(1−n²); da_z = dh(h⟨t−1⟩−n)z(1−z); dhNext := dh⊙z
 *   gru_backward_r(B, H, gates, gOff, h, hOff, drh, dhNext, dGates, dOff): void
 *       da_r = drh⊙h⟨t−1⟩⊙r(1−r); dhNext += drh⊙r            (drh = da_n·W_hn)
 *   gru_reset_after_forward(B, H, gates, gOff, hh, bhh, hn, hnOff, h, hOff): void
 *       r = σ(a_r + hh_r), z = σ(a_z + hh_z), hn = hh_n + b_hn, n = tanh(a_n + r⊙hn) in place; h⟨t⟩
 *   gru_reset_after_backward(B, H, gates, gOff, hn, hnOff, h, hOff, dH, dHOff, dhNext, dGates, dOff, dHH, dHHOff): void
 *       dGates = (da_r, da_z, da_n); dHH = (da_r, da_z, r⊙da_n) (gradient of W_hh h + b_hh); dhNext := dh⊙z
 *   gru_minimal_forward(B, H, gates, gOff, h, hOff): void          z = σ, n = tanh in place; h⟨t⟩
 *   gru_minimal_backward(B, H, gates, gOff, h, hOff, dH, dHOff, dhNext, dGates, dOff): void
 *       as gru_backward_n with stride 2H
 *   gru_steps_forward(T, B, H, G, gates, hAll, rh, whAT, whNT): boolean
 *   gru_steps_backward(T, B, H, G, gates, hAll, dH, dHOff, dhNext, drh, dGates, whA, whN): boolean
 *       every step of the forward / BPTT below at once, G = 3 (cho) or 2 (minimal; rh, drh, whN
 *       unused); whAT, whNT, whA, whN: the W_hh blocks packed by the kernel set; false when the
 *       kernel set cannot take the call
 */
type V = Vec;
export type GruForwardRz = (B: number, H: number, gates: V, gOff: number, h: V, hOff: number, rh: V, rhOff: number) => void;
export type GruForwardN = (B: number, H: number, gates: V, gOff: number, h: V, hOff: number) => void;
export type GruBackwardN = (
  B: number, H: number, gates: V, gOff: number, h: V, hOff: number, dH: V, dHOff: number, dhNext: V, dGates: V, dOff: number,
) => void;
export type GruBackwardR = (
  B: number, H: number, gates: V, gOff: number, h: V, hOff: number, drh: V, dhNext: V, dGates: V, dOff: number,
) => void;
export type GruResetAfterForward = (
  B: number, H: number, gates: V, gOff: number, hh: V, bhh: V, hn: V, hnOff: number, h: V, hOff: number,
) => void;
export type GruResetAfterBackward = (
  B: number, H: number, gates: V, gOff: number, hn: V, hnOff: number, h: V, hOff: number, dH: V, dHOff: number,
  dhNext: V, dGates: V, dOff: number, dHH: V, dHHOff: number,
) => void;
export type GruStepsForward = (
  T: number, B: number, H: number, G: number, gates: V, hAll: V, rh: V | null, whAT: PackedB | undefined, whNT: PackedB | undefined,
) => boolean;
export type GruStepsBackward = (
  T: number, B: number, H: number, G: number, gates: V, hAll: V, dH: V, dHOff: number, dhNext: V, drh: V | null, dGates: V,
  whA: PackedB | undefined, whN: PackedB | undefined,
) => boolean;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const gruForwardRz: GruForwardRz = (B, H, gates, gOff, h, hOff, rh, rhOff) => {
  for (let b = 0; b < B; b++) {
    const r0 = gOff + b * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gates[r0 + j]);
      gates[r0 + j] = r;
      gates[r0 + H + j] = sigmoid(gates[r0 + H + j]);
      rh[rhOff + b * H + j] = r * h[hOff + b * H + j]; //        r⊙h⟨t−1⟩
    }
  }
};

/** n = tanh(a_n) and h⟨t⟩ = (1−z)⊙n + z⊙h⟨t−1⟩ for gate rows of stride G·H (z, n the last two blocks). */
function gruOut(B: number, H: number, G: number, gates: V, gOff: number, h: V, hOff: number, zAct: boolean): void {
  const BH = B * H;
  for (let b = 0; b < B; b++) {
    const zr = gOff + b * G * H + (G - 2) * H;
    const nr = zr + H;
    for (let j = 0; j < H; j++) {
      const z = zAct ? sigmoid(gates[zr + j]) : gates[zr + j];
      const n = Math.tanh(gates[nr + j]);
      gates[zr + j] = z;
      gates[nr + j] = n;
      const bj = b * H + j;
      h[hOff + BH + bj] = (1 - z) * n + z * h[hOff + bj]; //   h = (1−z)⊙n + z⊙h_prev
    }
  }
}

/** Backward of gruOut: da_n, da_z into dGates, dhNext := dh⊙z. */
function gruOutBackward(
  B: number, H: number, G: number, gates: V, gOff: number, h: V, hOff: number, dH: V, dHOff: number, dhNext: V, dGates: V, dOff: number,
): void {
  for (let b = 0; b < B; b++) {
    const zr = gOff + b * G * H + (G - 2) * H;
    const dz = dOff + b * G * H + (G - 2) * H;
    for (let j = 0; j < H; j++) {
      const z = gates[zr + j], n = gates[zr + H + j];
      const bj = b * H + j;
      const dh = dH[dHOff + bj] + dhNext[bj];
      dGates[dz + j] = dh * (h[hOff + bj] - n) * z * (1 - z);
      dGates[dz + H + j] = dh * (1 - z) * (1 - n * n);
      dhNext[bj] = dh * z;
    }
  }
}

export const gruForwardN: GruForwardN = (B, H, gates, gOff, h, hOff) => gruOut(B, H, 3, gates, gOff, h, hOff, false);
export const gruMinimalForward: GruForwardN = (B, H, gates, gOff, h, hOff) => gruOut(B, H, 2, gates, gOff, h, hOff, true);
export const gruBackwardN: GruBackwardN = (B, H, g, gO, h, hO, dH, dHO, dhN, dG, dO) => gruOutBackward(B, H, 3, g, gO, h, hO, dH, dHO, dhN, dG, dO);
export const gruMinimalBackward: GruBackwardN = (B, H, g, gO, h, hO, dH, dHO, dhN, dG, dO) => gruOutBackward(B, H, 2, g, gO, h, hO, dH, dHO, dhN, dG, dO);

export const gruBackwardR: GruBackwardR = (B, H, gates, gOff, h, hOff, drh, dhNext, dGates, dOff) => {
  for (let b = 0; b < B; b++) {
    const r0 = gOff + b * 3 * H;
    const d0 = dOff + b * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = gates[r0 + j];
      const bj = b * H + j;
      dGates[d0 + j] = drh[bj] * h[hOff + bj] * r * (1 - r); // rh = r⊙h_prev
      dhNext[bj] += drh[bj] * r;
    }
  }
};

export const gruResetAfterForward: GruResetAfterForward = (B, H, gates, gOff, hh, bhh, hn, hnOff, h, hOff) => {
  const BH = B * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * 3 * H;
    const q0 = b * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gates[g0 + j] + hh[q0 + j]);
      const z = sigmoid(gates[g0 + H + j] + hh[q0 + H + j]);
      const bj = b * H + j;
      const hnj = hh[q0 + 2 * H + j] + bhh[2 * H + j]; //       W_hn h + b_hn
      const n = Math.tanh(gates[g0 + 2 * H + j] + r * hnj); // n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))
      gates[g0 + j] = r;
      gates[g0 + H + j] = z;
      gates[g0 + 2 * H + j] = n;
      hn[hnOff + bj] = hnj;
      h[hOff + BH + bj] = (1 - z) * n + z * h[hOff + bj];
    }
  }
};

export const gruResetAfterBackward: GruResetAfterBackward = (
  B, H, gates, gOff, hn, hnOff, h, hOff, dH, dHOff, dhNext, dGates, dOff, dHH, dHHOff,
) => {
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * 3 * H;
    const d0 = dOff + b * 3 * H;
    const q0 = dHHOff + b * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = gates[g0 + j], z = gates[g0 + H + j], n = gates[g0 + 2 * H + j];
      const bj = b * H + j;
      const dh = dH[dHOff + bj] + dhNext[bj];
      const dan = dh * (1 - z) * (1 - n * n);
      const dar = dan * hn[hnOff + bj] * r * (1 - r);
      const daz = dh * (h[hOff + bj] - n) * z * (1 - z);
      dGates[d0 + j] = dar;
      dGates[d0 + H + j] = daz;
      dGates[d0 + 2 * H + j] = dan;
      dHH[q0 + j] = dar;
      dHH[q0 + H + j] = daz;
      dHH[q0 + 2 * H + j] = dan * r;
      dhNext[bj] = dh * z;
    }
  }
};

export type GruForm = 'cho' | 'resetAfter' | 'minimal';

export class GruCell extends Cell {
  readonly stateBlocks = 1;
  private rh!: V; //  cho: (T·B, H) r⊙h⟨t−1⟩
  private drh!: V; // cho: (B, H)
  private hh!: V; //  resetAfter: (B, 3H) W_hh h⟨t−1⟩
  private hn!: V; //  resetAfter: (T·B, H) W_hn h⟨t−1⟩ + b_hn
  private dHH!: V; // resetAfter: (T·B, 3H)
  // the pointwise steps: a kernel set's fused version if it has one, else the reference above
  private readonly fRz: GruForwardRz;
  private readonly fN: GruForwardN;
  private readonly bN: GruBackwardN;
  private readonly bR: GruBackwardR;
  private readonly fRa: GruResetAfterForward;
  private readonly bRa: GruResetAfterBackward;
  private readonly fMin: GruForwardN;
  private readonly bMin: GruBackwardN;
  // W_hh blocks used at every step (packed once per pass): forward op(B) = blockᵀ, backward = block
  private readonly fwdA: FixedB; // cho: W_hrzᵀ (H, 2H); else W_hhᵀ (H, G·H)
  private readonly fwdN: FixedB; // cho: W_hnᵀ (H, H)
  private readonly bwdA: FixedB; // cho: W_hrz (2H, H); else W_hh (G·H, H)
  private readonly bwdN: FixedB; // cho: W_hn (H, H)
  private readonly stepsFwd: GruStepsForward | undefined;
  private readonly stepsBwd: GruStepsBackward | undefined;

  constructor(kernels: Kernels, names: CellNames, I: number, H: number, readonly form: GruForm) {
    super(kernels, names, I, H, form === 'minimal' ? 2 : 3);
    const f = kernels.fused as Record<string, unknown>;
    this.fRz = (f['gru_forward_rz'] as GruForwardRz | undefined) ?? gruForwardRz;
    this.fN = (f['gru_forward_n'] as GruForwardN | undefined) ?? gruForwardN;
    this.bN = (f['gru_backward_n'] as GruBackwardN | undefined) ?? gruBackwardN;
    this.bR = (f['gru_backward_r'] as GruBackwardR | undefined) ?? gruBackwardR;
    this.fRa = (f['gru_reset_after_forward'] as GruResetAfterForward | undefined) ?? gruResetAfterForward;
    this.bRa = (f['gru_reset_after_backward'] as GruResetAfterBackward | undefined) ?? gruResetAfterBackward;
    this.fMin = (f['gru_minimal_forward'] as GruForwardN | undefined) ?? gruMinimalForward;
    this.bMin = (f['gru_minimal_backward'] as GruBackwardN | undefined) ?? gruMinimalBackward;
    const W = this.weightHh.data, GH = this.G * H, A = form === 'cho' ? 2 * H : GH;
    this.fwdA = new FixedB(kernels, true, H, A, W, 0, H);
    this.fwdN = new FixedB(kernels, true, H, H, W, 2 * H * H, H);
    this.bwdA = new FixedB(kernels, false, A, H, W, 0, H);
    this.bwdN = new FixedB(kernels, false, H, H, W, 2 * H * H, H);
    const fused = form !== 'resetAfter';
    this.stepsFwd = fused ? (f['gru_steps_forward'] as GruStepsForward | undefined) : undefined;
    this.stepsBwd = fused ? (f['gru_steps_backward'] as GruStepsBackward | undefined) : undefined;
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
    const use = packWorthIt(T, B);
    this.fwdA.prepare(use);
    if (this.form === 'cho') this.fwdN.prepare(use);
  }

  protected override prepareBackward(T: number, B: number): void {
    const use = packWorthIt(T, B);
    this.bwdA.prepare(use);
    if (this.form === 'cho') this.bwdN.prepare(use);
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
      this.fMin(B, H, this.gates, gOff, this.hAll, t * BH);
    } else if (this.form === 'cho') {
      this.fwdA.gemm(B, this.hAll, t * BH, H, 1, this.gates, gOff, GH); // a_rz += h·W_hrzᵀ
      this.fRz(B, H, this.gates, gOff, this.hAll, t * BH, this.rh, t * BH);
      this.fwdN.gemm(B, this.rh, t * BH, H, 1, this.gates, gOff + 2 * H, GH); // a_n += (r⊙h)·W_hnᵀ
      this.fN(B, H, this.gates, gOff, this.hAll, t * BH);
    } else {
      this.fwdA.gemm(B, this.hAll, t * BH, H, 0, this.hh, 0, GH); // hh = h·W_hhᵀ
      this.fRa(B, H, this.gates, gOff, this.hh, this.biasHh.data, this.hn, t * BH, this.hAll, t * BH);
    }
  }

  protected stepBackward(t: number, B: number, dH: Vec, dHOff: number): void {
    const H = this.H, BH = B * H, GH = this.G * H;
    const gOff = t * B * GH;
    const dHt = dHOff + t * BH;
    if (this.form === 'minimal') {
      this.bMin(B, H, this.gates, gOff, this.hAll, t * BH, dH, dHt, this.dhNext, this.dGates, gOff);
      this.bwdA.gemm(B, this.dGates, gOff, GH, 1, this.dhNext, 0, H); // dh_prev += da·W_hh
    } else if (this.form === 'cho') {
      this.bN(B, H, this.gates, gOff, this.hAll, t * BH, dH, dHt, this.dhNext, this.dGates, gOff);
      this.bwdN.gemm(B, this.dGates, gOff + 2 * H, GH, 0, this.drh, 0, H); // drh = da_n·W_hn
      this.bR(B, H, this.gates, gOff, this.hAll, t * BH, this.drh, this.dhNext, this.dGates, gOff);
      this.bwdA.gemm(B, this.dGates, gOff, GH, 1, this.dhNext, 0, H); // += da_rz·W_hrz
    } else {
      this.bRa(B, H, this.gates, gOff, this.hn, t * BH, this.hAll, t * BH, dH, dHt, this.dhNext, this.dGates, gOff, this.dHH, gOff);
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
      this.ops.columnSums(this.dGates, 0, GH, P, GH, this.biasHh.grad);
    } else {
      // dW_hh += dHHᵀ·Hprev;  db_hh += Σ_p dHH
      this.gradGemm(true, false, GH, H, P, this.dHH, 0, GH, this.hAll, 0, H, 1, dW, 0, H);
      this.ops.columnSums(this.dHH, 0, GH, P, GH, this.biasHh.grad);
    }
  }
}
