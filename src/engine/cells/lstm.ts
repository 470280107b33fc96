import type { Kernels, PackedB } from '../kernels/kernels.js';
import type { Param, Vec } from '../types.js';
import { Cell, FixedB, makeParam, packWorthIt, type CellNames } from './cell.js';

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
 * Fused ops (kernels.fused[name]); one timestep, B rows. `gates` rows have stride G·H (G = 4, or
 * 3 when coupled), the gate blocks in the order above; c⟨t−1⟩ is c[cOff + b·H + j] and c⟨t⟩ is
 * c[cOff + B·H + b·H + j]; tanhC, h, dH, dhNext, dcNext are (B, H) with the given offsets
 * (dhNext, dcNext at 0); wci/wcf/wco are null without peepholes.
 *   lstm_forward(B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wci, wcf, wco): void
 *       gates := activated (i, f, g, o); writes c⟨t⟩, tanhC = tanh(c⟨t⟩), h⟨t⟩
 *   lstm_backward(B, H, gates, gOff, c, cOff, tanhC, tcOff, dH, dHOff, dhNext, dcNext, dGates, dOff, wci, wcf, wco): void
 *       with dh = dH + dhNext and dc = dcNext + dh⊙o⊙(1−tanhC²) + da_o⊙w_co: writes dGates (the
 *       pre-activation gradients da_i, da_f, da_g, da_o) and dcNext := ∂J/∂c⟨t−1⟩
 *   lstm_coupled_forward(B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wcf, wco): void
 *   lstm_coupled_backward(B, H, gates, gOff, c, cOff, tanhC, tcOff, dH, dHOff, dhNext, dcNext, dGates, dOff, wcf, wco): void
 *       the same for the coupled gate blocks (f, g, o)
 *   lstm_steps_forward(T, B, H, gates, cAll, tanhC, hAll, whhT): boolean
 *   lstm_steps_backward(T, B, H, gates, cAll, tanhC, dH, dHOff, dhNext, dcNext, dGates, whh): boolean
 *       every step of the forward / BPTT below at once (no peepholes, not coupled; whhT, whh: W_hh
 *       packed by the kernel set); false when the kernel set cannot take the call
 */
export type LstmForward = (
  B: number, H: number, gates: Vec, gOff: number, c: Vec, cOff: number, tanhC: Vec, tcOff: number,
  h: Vec, hOff: number, wci: Vec | null, wcf: Vec | null, wco: Vec | null,
) => void;
export type LstmBackward = (
  B: number, H: number, gates: Vec, gOff: number, c: Vec, cOff: number, tanhC: Vec, tcOff: number,
  dH: Vec, dHOff: number, dhNext: Vec, dcNext: Vec, dGates: Vec, dOff: number,
  wci: Vec | null, wcf: Vec | null, wco: Vec | null,
) => void;
export type LstmCoupledForward = (
  B: number, H: number, gates: Vec, gOff: number, c: Vec, cOff: number, tanhC: Vec, tcOff: number,
  h: Vec, hOff: number, wcf: Vec | null, wco: Vec | null,
) => void;
export type LstmCoupledBackward = (
  B: number, H: number, gates: Vec, gOff: number, c: Vec, cOff: number, tanhC: Vec, tcOff: number,
  dH: Vec, dHOff: number, dhNext: Vec, dcNext: Vec, dGates: Vec, dOff: number, wcf: Vec | null, wco: Vec | null,
) => void;

export type LstmStepsForward = (
  T: number, B: number, H: number, gates: Vec, cAll: Vec, tanhC: Vec, hAll: Vec, whhT: PackedB | undefined,
) => boolean;
export type LstmStepsBackward = (
  T: number, B: number, H: number, gates: Vec, cAll: Vec, tanhC: Vec, dH: Vec, dHOff: number,
  dhNext: Vec, dcNext: Vec, dGates: Vec, whh: PackedB | undefined,
) => boolean;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const lstmForward: LstmForward = (B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wci, wcf, wco) => {
  const BH = B * H;
  for (let b = 0; b < B; b++) {
    const r = gOff + b * 4 * H;
    for (let j = 0; j < H; j++) {
      const cPrev = c[cOff + b * H + j];
      const i = sigmoid(gates[r + j] + (wci ? wci[j] * cPrev : 0));
      const f = sigmoid(gates[r + H + j] + (wcf ? wcf[j] * cPrev : 0));
      const g = Math.tanh(gates[r + 2 * H + j]);
      const ct = f * cPrev + i * g; //                         c = f⊙c_prev + i⊙g
      const o = sigmoid(gates[r + 3 * H + j] + (wco ? wco[j] * ct : 0));
      const tc = Math.tanh(ct);
      gates[r + j] = i;
      gates[r + H + j] = f;
      gates[r + 2 * H + j] = g;
      gates[r + 3 * H + j] = o;
      c[cOff + BH + b * H + j] = ct;
      tanhC[tcOff + b * H + j] = tc;
      h[hOff + b * H + j] = o * tc; //                          h = o⊙tanh(c)
    }
  }
};

export const lstmBackward: LstmBackward = (
  B, H, gates, gOff, c, cOff, tanhC, tcOff, dH, dHOff, dhNext, dcNext, dGates, dOff, wci, wcf, wco,
) => {
  for (let b = 0; b < B; b++) {
    const r = gOff + b * 4 * H;
    const dr = dOff + b * 4 * H;
    for (let j = 0; j < H; j++) {
      const i = gates[r + j], f = gates[r + H + j], g = gates[r + 2 * H + j], o = gates[r + 3 * H + j];
      const bj = b * H + j;
      const cPrev = c[cOff + bj];
      const tc = tanhC[tcOff + bj];
      const dh = dH[dHOff + bj] + dhNext[bj];
      const dao = dh * tc * o * (1 - o); //                    h = o⊙tanh(c)
      const dc = dcNext[bj] + dh * o * (1 - tc * tc) + (wco ? dao * wco[j] : 0);
      const dai = dc * g * i * (1 - i); //                     c = f⊙c_prev + i⊙g
      const daf = dc * cPrev * f * (1 - f);
      const dag = dc * i * (1 - g * g);
      dGates[dr + j] = dai;
      dGates[dr + H + j] = daf;
      dGates[dr + 2 * H + j] = dag;
      dGates[dr + 3 * H + j] = dao;
      dcNext[bj] = dc * f + (wci ? dai * wci[j] : 0) + (wcf ? daf * wcf[j] : 0);
    }
  }
};

export const lstmCoupledForward: LstmCoupledForward = (B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wcf, wco) => {
  const BH = B * H;
  for (let b = 0; b < B; b++) {
    const r = gOff + b * 3 * H;
    for (let j = 0; j < H; j++) {
      const cPrev = c[cOff + b * H + j];
      const f = sigmoid(gates[r + j] + (wcf ? wcf[j] * cPrev : 0));
      const g = Math.tanh(gates[r + H + j]);
      const ct = f * cPrev + (1 - f) * g; //                   c = f⊙c_prev + (1−f)⊙g
      const o = sigmoid(gates[r + 2 * H + j] + (wco ? wco[j] * ct : 0));
      const tc = Math.tanh(ct);
      gates[r + j] = f;
      gates[r + H + j] = g;
      gates[r + 2 * H + j] = o;
      c[cOff + BH + b * H + j] = ct;
      tanhC[tcOff + b * H + j] = tc;
      h[hOff + b * H + j] = o * tc;
    }
  }
};

export const lstmCoupledBackward: LstmCoupledBackward = (
  B, H, gates, gOff, c, cOff, tanhC, tcOff, dH, dHOff, dhNext, dcNext, dGates, dOff, wcf, wco,
) => {
  for (let b = 0; b < B; b++) {
    const r = gOff + b * 3 * H;
    const dr = dOff + b * 3 * H;
    for (let j = 0; j < H; j++) {
      const f = gates[r + j], g = gates[r + H + j], o = gates[r + 2 * H + j];
      const bj = b * H + j;
      const cPrev = c[cOff + bj];
      const tc = tanhC[tcOff + bj];
      const dh = dH[dHOff + bj] + dhNext[bj];
      const dao = dh * tc * o * (1 - o);
      const dc = dcNext[bj] + dh * o * (1 - tc * tc) + (wco ? dao * wco[j] : 0);
      const daf = dc * (cPrev - g) * f * (1 - f); //            c = f⊙c_prev + (1−f)⊙g
      const dag = dc * (1 - f) * (1 - g * g);
      dGates[dr + j] = daf;
      dGates[dr + H + j] = dag;
      dGates[dr + 2 * H + j] = dao;
      dcNext[bj] = dc * f + (wcf ? daf * wcf[j] : 0);
    }
  }
};

export class LstmCell extends Cell {
  readonly stateBlocks = 2;
  readonly weightCi: Param | null;
  readonly weightCf: Param | null;
  readonly weightCo: Param | null;
  cAll!: Vec; //   (T·B + B, H), laid out like hAll
  tanhC!: Vec; //  (T·B, H)
  dcNext!: Vec; // (B, H)
  private readonly fwd: LstmForward;
  private readonly bwd: LstmBackward;
  private readonly whhT: FixedB; // W_hhᵀ (H, G·H) for the forward steps
  private readonly whh: FixedB; //  W_hh (G·H, H) for the backward steps
  private readonly stepsFwd: LstmStepsForward | undefined;
  private readonly stepsBwd: LstmStepsBackward | undefined;

  constructor(kernels: Kernels, names: CellNames, I: number, H: number, readonly peephole: boolean, readonly coupled: boolean) {
    super(kernels, names, I, H, coupled ? 3 : 4);
    const GH = this.G * H;
    this.whhT = new FixedB(kernels, true, H, GH, this.weightHh.data, 0, H);
    this.whh = new FixedB(kernels, false, GH, H, this.weightHh.data, 0, H);
    const n = (base: string): string => `${names.prefix}.${base}_l${names.layer}${names.suffix}`;
    this.weightCi = peephole && !coupled ? makeParam(kernels, n('weight_ci'), [H]) : null;
    this.weightCf = peephole ? makeParam(kernels, n('weight_cf'), [H]) : null;
    this.weightCo = peephole ? makeParam(kernels, n('weight_co'), [H]) : null;
    for (const p of [this.weightCi, this.weightCf, this.weightCo]) if (p) this.params.push(p);
    const f = kernels.fused as Record<string, unknown>;
    if (coupled) {
      const cf = (f['lstm_coupled_forward'] as LstmCoupledForward | undefined) ?? lstmCoupledForward;
      const cb = (f['lstm_coupled_backward'] as LstmCoupledBackward | undefined) ?? lstmCoupledBackward;
      this.fwd = (B, H, g, gO, c, cO, tc, tcO, h, hO, _wci, wcf, wco) => cf(B, H, g, gO, c, cO, tc, tcO, h, hO, wcf, wco);
      this.bwd = (B, H, g, gO, c, cO, tc, tcO, dH, dHO, dhN, dcN, dG, dO, _wci, wcf, wco) =>
        cb(B, H, g, gO, c, cO, tc, tcO, dH, dHO, dhN, dcN, dG, dO, wcf, wco);
    } else {
      this.fwd = (f['lstm_forward'] as LstmForward | undefined) ?? lstmForward;
      this.bwd = (f['lstm_backward'] as LstmBackward | undefined) ?? lstmBackward;
    }
    const plain = !peephole && !coupled;
    this.stepsFwd = plain ? (f['lstm_steps_forward'] as LstmStepsForward | undefined) : undefined;
    this.stepsBwd = plain ? (f['lstm_steps_backward'] as LstmStepsBackward | undefined) : undefined;
  }

  override init(uniform: () => number): void {
    super.init(uniform);
    const fRow = this.coupled ? 0 : this.H; // forget-gate block
    for (let j = 0; j < this.H; j++) {
      this.biasIh.data[fRow + j] = 1;
      this.biasHh.data[fRow + j] = 0;
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

  protected override prepareForward(T: number, B: number): void {
    this.whhT.prepare(packWorthIt(T, B));
  }

  protected override prepareBackward(T: number, B: number): void {
    this.whh.prepare(packWorthIt(T, B));
  }

  protected override allStepsForward(T: number, B: number): boolean {
    return this.stepsFwd?.(T, B, this.H, this.gates, this.cAll, this.tanhC, this.hAll, this.whhT.packed) ?? false;
  }

  protected override allStepsBackward(T: number, B: number, dH: Vec, dHOff: number): boolean {
    return this.stepsBwd?.(T, B, this.H, this.gates, this.cAll, this.tanhC, dH, dHOff,
      this.dhNext, this.dcNext, this.dGates, this.whh.packed) ?? false;
  }

  protected stepForward(t: number, B: number): void {
    const H = this.H;
    const BH = B * H;
    const GH = this.G * H;
    // a⟨t⟩ += h⟨t−1⟩·W_hhᵀ   (B, G·H)
    this.whhT.gemm(B, this.hAll, t * BH, H, 1, this.gates, t * B * GH, GH);
    this.fwd(B, H, this.gates, t * B * GH, this.cAll, t * BH, this.tanhC, t * BH, this.hAll, (t + 1) * BH,
      this.weightCi?.data ?? null, this.weightCf?.data ?? null, this.weightCo?.data ?? null);
  }

  protected stepBackward(t: number, B: number, dH: Vec, dHOff: number): void {
    const H = this.H;
    const BH = B * H;
    const GH = this.G * H;
    this.bwd(B, H, this.gates, t * B * GH, this.cAll, t * BH, this.tanhC, t * BH, dH, dHOff + t * BH,
      this.dhNext, this.dcNext, this.dGates, t * B * GH,
      this.weightCi?.data ?? null, this.weightCf?.data ?? null, this.weightCo?.data ?? null);
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
