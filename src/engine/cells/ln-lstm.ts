import { FixedB } from '../kernels/fixed-operand.js';
import type { Kernels } from '../kernels/ops.js';
import type { Param, Vec } from '../types.js';
import { makeParam, type CellNames } from './cell.js';
import { LstmBase } from './lstm-base.js';

const EPS = 1e-5;

/**
 * Layer-normalised LSTM (Ba, Kiros & Hinton 2016, §A), gate order i, f, g, o:
 *   a = LN(W_ih x; γ_ih) + LN(W_hh h⟨t−1⟩; γ_hh) + b_ih + b_hh
 *   c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g      h⟨t⟩ = o⊙tanh(LN(c⟨t⟩; γ_c, β_c))
 * where LN(z; γ, β) = γ⊙(z − mean z)/√(var z + ε) + β over one row (the biases b stand for the gates' β).
 * Stored besides the LSTM's four tensors: ln_ih (4H), ln_hh (4H), ln_c_weight (H), ln_c_bias (H).
 *
 * Buffers besides the LSTM's (lstm-base.ts; here tanhC = tanh(γ_c⊙LN(c) + β_c)): xHat (T·B, 4H) and hHat
 * (T·B, 4H) the normalised projections, cHat (T·B, H), one 1/σ per row of each normalisation, and
 * dGx / dGh (T·B, 4H) the gradients of the raw projections.
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
  private dc!: Vec; //   (H) ∂J/∂c⟨t⟩ of one row
  private zeroBias: Vec;
  private readonly whhT: FixedB; // W_hhᵀ (H, 4H) for the forward steps
  private readonly whh: FixedB; //  W_hh (4H, H) for the backward steps

  constructor(kernels: Kernels, names: CellNames, I: number, H: number) {
    super(kernels, names, I, H, 4);
    const n = (base: string): string => `${names.prefix}.${base}_l${names.layer}${names.suffix}`;
    this.lnIh = makeParam(kernels, n('ln_ih'), [4 * H]);
    this.lnHh = makeParam(kernels, n('ln_hh'), [4 * H]);
    this.lnCWeight = makeParam(kernels, n('ln_c_weight'), [H]);
    this.lnCBias = makeParam(kernels, n('ln_c_bias'), [H]);
    this.params.push(this.lnIh, this.lnHh, this.lnCWeight, this.lnCBias);
    this.zeroBias = kernels.alloc(4 * H);
    this.whhT = new FixedB(kernels, true, H, 4 * H, this.weightHh.data, 0, H);
    this.whh = new FixedB(kernels, false, 4 * H, H, this.weightHh.data, 0, H);
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
    this.dc = k.alloc(H);
  }

  /** Gates = γ_ih⊙LN(X·W_ihᵀ) + b_ih + b_hh   (T·B, 4H); the raw projection into xHat, normalised in place. */
  protected override projectInput(P: number): void {
    const { I, input } = this, GH = 4 * this.H;
    const raw = this.xHat, gates = this.gates, bias = this.bias, gIh = this.lnIh.data;
    if (input.kind === 'tokens') this.kernels.gatherColumns(P, GH, I, this.weightIh.data, input.tokens, this.zeroBias, raw);
    else this.kernels.gemm(false, true, P, GH, I, input.x, input.off, I, this.weightIh.data, 0, I, 0, raw, 0, GH);
    for (let p = 0; p < P; p++) {
      normalise(raw, p * GH, GH, this.rstdX, p);
      for (let j = 0; j < GH; j++) gates[p * GH + j] = gIh[j] * raw[p * GH + j] + bias[j];
    }
  }

  protected override prepareForward(T: number, B: number): void {
    this.whhT.prepare(T, B);
  }

  protected override prepareBackward(T: number, B: number): void {
    this.whh.prepare(T, B);
  }

  protected stepForward(t: number, B: number): void {
    const H = this.H, GH = 4 * H, BH = B * H;
    const gates = this.gates, hHat = this.hHat, c = this.cAll, cHat = this.cHat, tanhC = this.tanhC, h = this.hAll;
    const gHh = this.lnHh.data, gC = this.lnCWeight.data, bC = this.lnCBias.data;
    // raw⟨t⟩ = h⟨t−1⟩·W_hhᵀ   (B, 4H), into hHat
    this.whhT.gemm(B, h, t * BH, H, 0, hHat, t * B * GH, GH);
    for (let b = 0; b < B; b++) {
      const p = t * B + b, r = p * GH;
      normalise(hHat, r, GH, this.rstdH, p);
      for (let j = 0; j < GH; j++) gates[r + j] += gHh[j] * hHat[r + j];
      // c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g
      const cp = p * H, cn = (p + B) * H;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(gates[r + j]), f = sigmoid(gates[r + H + j]), g = Math.tanh(gates[r + 2 * H + j]), o = sigmoid(gates[r + 3 * H + j]);
        gates[r + j] = i; gates[r + H + j] = f; gates[r + 2 * H + j] = g; gates[r + 3 * H + j] = o;
        c[cn + j] = f * c[cp + j] + i * g;
        cHat[cp + j] = c[cn + j];
      }
      // h⟨t⟩ = o⊙tanh(γ_c⊙LN(c⟨t⟩) + β_c)
      normalise(cHat, cp, H, this.rstdC, p);
      for (let j = 0; j < H; j++) {
        const th = Math.tanh(gC[j] * cHat[cp + j] + bC[j]);
        tanhC[cp + j] = th;
        h[cn + j] = gates[r + 3 * H + j] * th;
      }
    }
  }

  /** dγ_ih += Σ_p da⊙x̂;  ∂J/∂(X·W_ihᵀ) = LN'(da⊙γ_ih), into dGx. */
  protected override projectionGrad(P: number): Vec {
    const GH = 4 * this.H, dG = this.dGates, dGx = this.dGx, xHat = this.xHat, gIh = this.lnIh.data, dgIh = this.lnIh.grad;
    for (let p = 0; p < P; p++) {
      const r = p * GH;
      for (let j = 0; j < GH; j++) {
        dgIh[j] += dG[r + j] * xHat[r + j];
        dGx[r + j] = dG[r + j] * gIh[j];
      }
      normaliseBackward(dGx, xHat, r, GH, this.rstdX[p]);
    }
    return dGx;
  }

  /** dW_hh += dRaw_hhᵀ·Hprev (BPTT left ∂J/∂(h⟨t−1⟩·W_hhᵀ) in dGh);  db_hh += Σ_p da. */
  protected override recurrentGrads(P: number): void {
    const GH = 4 * this.H;
    this.gradGemm(true, false, GH, this.H, P, this.dGh, 0, GH, this.hAll, 0, this.H, 1, this.weightHh.grad, 0, this.H);
    this.kernels.columnSums(this.dGates, 0, GH, P, GH, this.biasHh.grad);
  }

  /** The generic chunks would read dGates; W_hh's gradient reads dGh. */
  protected override get chunkedWhhGrad(): boolean {
    return false;
  }

  protected stepBackward(t: number, B: number, dH: Vec, dHOff: number): void {
    const H = this.H, GH = 4 * H, BH = B * H;
    const gates = this.gates, c = this.cAll, cHat = this.cHat, tanhC = this.tanhC, dG = this.dGates, dGh = this.dGh, hHat = this.hHat;
    const dhNext = this.dhNext, dcNext = this.dcNext;
    const gC = this.lnCWeight.data, dgC = this.lnCWeight.grad, dbC = this.lnCBias.grad, gHh = this.lnHh.data, dgHh = this.lnHh.grad;
    const dc = this.dc;
    for (let b = 0; b < B; b++) {
      const p = t * B + b, r = p * GH, cp = p * H, cn = (p + B) * H;
      // dh = dH⟨t⟩ + dhNext;  through h = o⊙tanh(γ_c ĉ + β_c)
      for (let j = 0; j < H; j++) {
        const dh = dH[dHOff + t * BH + b * H + j] + dhNext[b * H + j];
        const o = gates[r + 3 * H + j], th = tanhC[cp + j];
        dG[r + 3 * H + j] = dh * th * o * (1 - o); // da_o
        const dz = dh * o * (1 - th * th); // ∂J/∂(γ_c ĉ + β_c)
        dgC[j] += dz * cHat[cp + j];
        dbC[j] += dz;
        dc[j] = dz * gC[j];
      }
      normaliseBackward(dc, cHat, cp, H, this.rstdC[p], 0);
      for (let j = 0; j < H; j++) {
        const i = gates[r + j], f = gates[r + H + j], g = gates[r + 2 * H + j];
        const dcj = dc[j] + dcNext[b * H + j];
        dG[r + j] = dcj * g * i * (1 - i); // da_i
        dG[r + H + j] = dcj * c[cp + j] * f * (1 - f); // da_f
        dG[r + 2 * H + j] = dcj * i * (1 - g * g); // da_g
        dcNext[b * H + j] = dcj * f;
      }
      // dγ_hh += da⊙ĥ;  dRaw_hh = LN'(da⊙γ_hh)
      for (let j = 0; j < GH; j++) {
        dgHh[j] += dG[r + j] * hHat[r + j];
        dGh[r + j] = dG[r + j] * gHh[j];
      }
      normaliseBackward(dGh, hHat, r, GH, this.rstdH[p]);
    }
    // dh⟨t−1⟩ = dRaw_hh⟨t⟩·W_hh
    this.whh.gemm(B, dGh, t * B * GH, GH, 0, dhNext, 0, H);
  }
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** z[off…off+n) := (z − mean)/√(var + ε) in place; rstd[row] := 1/√(var + ε). */
function normalise(z: Vec, off: number, n: number, rstd: Vec, row: number): void {
  let mean = 0;
  for (let j = 0; j < n; j++) mean += z[off + j];
  mean /= n;
  let v = 0;
  for (let j = 0; j < n; j++) { const d = z[off + j] - mean; v += d * d; }
  const s = 1 / Math.sqrt(v / n + EPS);
  rstd[row] = s;
  for (let j = 0; j < n; j++) z[off + j] = (z[off + j] - mean) * s;
}

/** dz := rstd·(dẑ − mean dẑ − ẑ·mean(dẑ⊙ẑ)) in place, dz at dOff (default: off), ẑ at off. */
function normaliseBackward(dz: Vec, zHat: Vec, off: number, n: number, rstd: number, dOff = off): void {
  let m1 = 0, m2 = 0;
  for (let j = 0; j < n; j++) { m1 += dz[dOff + j]; m2 += dz[dOff + j] * zHat[off + j]; }
  m1 /= n; m2 /= n;
  for (let j = 0; j < n; j++) dz[dOff + j] = rstd * (dz[dOff + j] - m1 - zHat[off + j] * m2);
}
