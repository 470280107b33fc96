import type { SkeletonOps } from '../ops.js';

/** The reference of the ops every cell shares (see SkeletonOps). */
export const skeleton: SkeletonOps = {
  // out[j] += Σ_p d[p·ld + off + j]: bias gradients over all positions
  columnSums(d, off, ld, P, n, out) {
    for (let p = 0; p < P; p++) {
      const row = p * ld + off;
      for (let j = 0; j < n; j++) out[j] += d[row + j];
    }
  },
  // one-hot input: W_ih·onehot(k) is column k of W_ih
  gatherColumns(P, GH, I, W, tokens, bias, gates) {
    for (let p = 0; p < P; p++) {
      const k = tokens[p];
      const row = p * GH;
      for (let j = 0; j < GH; j++) gates[row + j] = W[j * I + k] + bias[j];
    }
  },
  // dW_ih += dGatesᵀ·onehot(X): column k of dW_ih collects the rows of dGates where token k was input
  scatterColumns(P, GH, I, dG, tokens, dW) {
    for (let p = 0; p < P; p++) {
      const k = tokens[p];
      const row = p * GH;
      for (let j = 0; j < GH; j++) dW[j * I + k] += dG[row + j];
    }
  },
};
