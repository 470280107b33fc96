import type { Vec } from '../../types.js';
import type { LnLstmBackward, LnLstmForward, LnLstmOps } from '../ops.js';
import { sigmoid } from './activations.js';

/** ε of every layer normalisation (asm/ln-lstm.ts and native/ln_lstm.cc have the same). */
export const LN_EPS = 1e-5;

/** z[off…off+n) := (z − mean)/√(var + ε) in place; returns 1/√(var + ε). */
function normalise(z: Vec, off: number, n: number): number {
  let mean = 0;
  for (let j = 0; j < n; j++) mean += z[off + j];
  mean /= n;
  let v = 0;
  for (let j = 0; j < n; j++) { const d = z[off + j] - mean; v += d * d; }
  const s = 1 / Math.sqrt(v / n + LN_EPS);
  for (let j = 0; j < n; j++) z[off + j] = (z[off + j] - mean) * s;
  return s;
}

/** dz := rstd·(dẑ − mean dẑ − ẑ·mean(dẑ⊙ẑ)) in place (dz at dOff, ẑ at zOff): ∂J/∂z from ∂J/∂ẑ. */
function normaliseBackward(dz: Vec, dOff: number, zHat: Vec, zOff: number, n: number, rstd: number): void {
  let m1 = 0, m2 = 0;
  for (let j = 0; j < n; j++) { m1 += dz[dOff + j]; m2 += dz[dOff + j] * zHat[zOff + j]; }
  m1 /= n; m2 /= n;
  for (let j = 0; j < n; j++) dz[dOff + j] = rstd * (dz[dOff + j] - m1 - zHat[zOff + j] * m2);
}

const lnLstmForward: LnLstmForward = (t, B, H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, hAll, norm) => {
  const GH = 4 * H;
  for (let b = 0; b < B; b++) {
    const p = t * B + b, r = p * GH, cp = p * H, cn = (p + B) * H;
    // a += γ_hh⊙LN(h⟨t−1⟩·W_hhᵀ)
    rstdH[p] = normalise(hHat, r, GH);
    for (let j = 0; j < GH; j++) gates[r + j] += norm[j] * hHat[r + j];
    // c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[r + j]), f = sigmoid(gates[r + H + j]), g = Math.tanh(gates[r + 2 * H + j]), o = sigmoid(gates[r + 3 * H + j]);
      gates[r + j] = i; gates[r + H + j] = f; gates[r + 2 * H + j] = g; gates[r + 3 * H + j] = o;
      cAll[cn + j] = f * cAll[cp + j] + i * g;
      cHat[cp + j] = cAll[cn + j];
    }
    // h⟨t⟩ = o⊙tanh(γ_c⊙LN(c⟨t⟩) + β_c)
    rstdC[p] = normalise(cHat, cp, H);
    for (let j = 0; j < H; j++) {
      const th = Math.tanh(norm[GH + j] * cHat[cp + j] + norm[GH + H + j]);
      tanhC[cp + j] = th;
      hAll[cn + j] = gates[r + 3 * H + j] * th;
    }
  }
};

const lnLstmBackward: LnLstmBackward = (t, B, H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, norm, dH, dHOff, dhNext, dcNext, dGates, dGh, dZc) => {
  const GH = 4 * H;
  for (let b = 0; b < B; b++) {
    const p = t * B + b, r = p * GH, cp = p * H, bh = b * H;
    // through h = o⊙tanh(z), z = γ_c⊙ĉ + β_c: da_o, dz; ∂J/∂ĉ = dz⊙γ_c, parked in the i block of dGates
    for (let j = 0; j < H; j++) {
      const dh = dH[dHOff + p * H + j] + dhNext[bh + j];
      const o = gates[r + 3 * H + j], th = tanhC[cp + j];
      dGates[r + 3 * H + j] = dh * th * o * (1 - o);
      const dz = dh * o * (1 - th * th);
      dZc[cp + j] = dz;
      dGates[r + j] = dz * norm[GH + j];
    }
    normaliseBackward(dGates, r, cHat, cp, H, rstdC[p]); // ∂J/∂c⟨t⟩ from above
    // through c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g
    for (let j = 0; j < H; j++) {
      const i = gates[r + j], f = gates[r + H + j], g = gates[r + 2 * H + j];
      const dc = dGates[r + j] + dcNext[bh + j];
      dGates[r + j] = dc * g * i * (1 - i);
      dGates[r + H + j] = dc * cAll[cp + j] * f * (1 - f);
      dGates[r + 2 * H + j] = dc * i * (1 - g * g);
      dcNext[bh + j] = dc * f;
    }
    // ∂J/∂(h⟨t−1⟩·W_hhᵀ) = LN'(da⊙γ_hh)
    for (let j = 0; j < GH; j++) dGh[r + j] = dGates[r + j] * norm[j];
    normaliseBackward(dGh, r, hHat, r, GH, rstdH[p]);
  }
};

/** Layer normalisation over rows and the layer-normalised LSTM's timestep (ops.ts: LnLstmOps). */
export const lnLstm: LnLstmOps = {
  layerNormForward(P, n, z, rstd, gain, bias, y) {
    for (let p = 0; p < P; p++) {
      const r = p * n;
      rstd[p] = normalise(z, r, n);
      for (let j = 0; j < n; j++) y[r + j] = gain[j] * z[r + j] + bias[j];
    }
  },
  layerNormBackward(P, n, dy, zHat, rstd, gain, dz) {
    for (let p = 0; p < P; p++) {
      const r = p * n;
      for (let j = 0; j < n; j++) dz[r + j] = dy[r + j] * gain[j];
      normaliseBackward(dz, r, zHat, r, n, rstd[p]);
    }
  },
  columnDots(P, n, a, b, out) {
    for (let p = 0; p < P; p++) {
      const r = p * n;
      for (let j = 0; j < n; j++) out[j] += a[r + j] * b[r + j];
    }
  },
  lnLstmForward,
  lnLstmBackward,
};
