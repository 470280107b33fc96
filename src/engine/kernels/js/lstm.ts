import type { LstmBackward, LstmCoupledBackward, LstmCoupledForward, LstmForward, LstmOps } from '../ops.js';
import { sigmoid } from './activations.js';

/**
 * The LSTM's pointwise steps (cells/lstm.ts has the equations and the buffer layouts): gates
 * activated in place, c⟨t⟩, tanh c⟨t⟩, h⟨t⟩; the backward writes the pre-activation gradients and
 * dcNext := ∂J/∂c⟨t−1⟩. The coupled form has the gate blocks f, g, o.
 */
const lstmForward: LstmForward = (B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wci, wcf, wco) => {
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

const lstmBackward: LstmBackward = (
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

const lstmCoupledForward: LstmCoupledForward = (B, H, gates, gOff, c, cOff, tanhC, tcOff, h, hOff, wcf, wco) => {
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

const lstmCoupledBackward: LstmCoupledBackward = (
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

export const lstm: LstmOps = { lstmForward, lstmBackward, lstmCoupledForward, lstmCoupledBackward };
