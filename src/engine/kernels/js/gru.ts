import type { Vec } from '../../types.js';
import type { GruBackwardN, GruBackwardR, GruForwardN, GruForwardRz, GruOps, GruResetAfterBackward, GruResetAfterForward } from '../ops.js';
import { sigmoid } from './activations.js';

/**
 * The GRU's pointwise steps, in its three forms (cells/gru.ts has the equations and the buffer
 * layouts): gates activated in place and h⟨t⟩ = (1−z)⊙n + z⊙h⟨t−1⟩; the backward writes the
 * pre-activation gradients and dhNext := ∂J/∂h⟨t−1⟩ (less the part through W_hh, added by the cell).
 */
const gruForwardRz: GruForwardRz = (B, H, gates, gOff, h, hOff, rh, rhOff) => {
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
function gruOut(B: number, H: number, G: number, gates: Vec, gOff: number, h: Vec, hOff: number, zAct: boolean): void {
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
  B: number, H: number, G: number, gates: Vec, gOff: number, h: Vec, hOff: number, dH: Vec, dHOff: number, dhNext: Vec, dGates: Vec, dOff: number,
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

const gruForwardN: GruForwardN = (B, H, gates, gOff, h, hOff) => gruOut(B, H, 3, gates, gOff, h, hOff, false);
const gruMinimalForward: GruForwardN = (B, H, gates, gOff, h, hOff) => gruOut(B, H, 2, gates, gOff, h, hOff, true);
const gruBackwardN: GruBackwardN = (B, H, g, gO, h, hO, dH, dHO, dhN, dG, dO) => gruOutBackward(B, H, 3, g, gO, h, hO, dH, dHO, dhN, dG, dO);
const gruMinimalBackward: GruBackwardN = (B, H, g, gO, h, hO, dH, dHO, dhN, dG, dO) => gruOutBackward(B, H, 2, g, gO, h, hO, dH, dHO, dhN, dG, dO);

const gruBackwardR: GruBackwardR = (B, H, gates, gOff, h, hOff, drh, dhNext, dGates, dOff) => {
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

const gruResetAfterForward: GruResetAfterForward = (B, H, gates, gOff, hh, bhh, hn, hnOff, h, hOff) => {
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

const gruResetAfterBackward: GruResetAfterBackward = (
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

export const gru: GruOps = {
  gruForwardRz, gruForwardN, gruBackwardN, gruBackwardR, gruResetAfterForward, gruResetAfterBackward, gruMinimalForward, gruMinimalBackward,
};
