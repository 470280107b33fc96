import { logSumExp } from '../../../util/softmax.js';
import type { LossOps } from '../ops.js';

/**
 * Softmax cross-entropy over N = T·B positions of V logits (rows of `logits`, stride V):
 *   ŷ = softmax(z),  J = (1/N) Σ_p −ln ŷ_p[y_p]  (nats),  ∂J/∂z = (ŷ − onehot(y)) / N
 */
export const loss: LossOps = {
  softmaxXent(N, V, logits, y, dlogits) {
    let J = 0;
    const inv = 1 / N;
    for (let p = 0; p < N; p++) {
      const off = p * V;
      const lse = logSumExp(logits, off, V);
      const target = y[p];
      J += lse - logits[off + target]; //                      −ln ŷ[y]
      for (let v = 0; v < V; v++) dlogits[off + v] = Math.exp(logits[off + v] - lse) * inv; // ŷ/N
      dlogits[off + target] -= inv; //                        (ŷ − y)/N
    }
    return J * inv;
  },
  logProbs(N, V, logits, y, out) {
    for (let p = 0; p < N; p++) out[p] = logits[p * V + y[p]] - logSumExp(logits, p * V, V);
  },
};
