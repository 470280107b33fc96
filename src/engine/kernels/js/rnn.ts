import type { RnnOps } from '../ops.js';

/** The vanilla RNN's pointwise steps (cells/rnn.ts): h = act(a) and its backward, n = B·H elements. */
export const rnn: RnnOps = {
  rnnTanhForward(n, a, aOff, h, hOff) {
    for (let j = 0; j < n; j++) h[hOff + j] = Math.tanh(a[aOff + j]);
  },
  // tanh'(a) = 1 − h²
  rnnTanhBackward(n, h, hOff, dH, dHOff, dhNext, dA, dAOff) {
    for (let j = 0; j < n; j++) {
      const hj = h[hOff + j];
      dA[dAOff + j] = (dH[dHOff + j] + dhNext[j]) * (1 - hj * hj);
    }
  },
  rnnReluForward(n, a, aOff, h, hOff) {
    for (let j = 0; j < n; j++) {
      const v = a[aOff + j];
      h[hOff + j] = v > 0 ? v : 0;
    }
  },
  // relu'(a) = [h > 0]
  rnnReluBackward(n, h, hOff, dH, dHOff, dhNext, dA, dAOff) {
    for (let j = 0; j < n; j++) dA[dAOff + j] = h[hOff + j] > 0 ? dH[dHOff + j] + dhNext[j] : 0;
  },
};
