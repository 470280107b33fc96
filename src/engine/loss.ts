import type { Kernels } from './kernels/kernels.js';
import type { Vec } from './types.js';

/**
 * Softmax cross-entropy over N = T·B positions of V logits (rows of `logits`, stride V).
 *   ŷ = softmax(z),  J = (1/N) Σ_p −log ŷ_p[y_p]  (nats),  ∂J/∂z = (ŷ − onehot(y)) / N
 *
 * Fused ops (kernels.fused[name]):
 *   softmax_xent(N, V, logits, y, dlogits): number
 *       returns the mean loss J and writes dlogits (N, V); dlogits may be logits itself (in place)
 *   log_probs(N, V, logits, y, out): void
 *       out[p] = log ŷ_p[y_p]  (float64 out, for evaluation and scoring; logits untouched)
 */
export type SoftmaxXent = (N: number, V: number, logits: Vec, y: Int32Array, dlogits: Vec) => number;
export type LogProbs = (N: number, V: number, logits: Vec, y: Int32Array, out: Float64Array) => void;

/** log Σ_v exp(z_v) of one row, shifted by its max for stability. */
function logSumExp(z: Vec, off: number, V: number): number {
  let m = -Infinity;
  for (let v = 0; v < V; v++) if (z[off + v] > m) m = z[off + v];
  let s = 0;
  for (let v = 0; v < V; v++) s += Math.exp(z[off + v] - m);
  return m + Math.log(s);
}

export const softmaxXent: SoftmaxXent = (N, V, logits, y, dlogits) => {
  let loss = 0;
  const inv = 1 / N;
  for (let p = 0; p < N; p++) {
    const off = p * V;
    const lse = logSumExp(logits, off, V);
    const target = y[p];
    loss += lse - logits[off + target]; //                  −log ŷ[y]
    for (let v = 0; v < V; v++) dlogits[off + v] = Math.exp(logits[off + v] - lse) * inv; // ŷ/N
    dlogits[off + target] -= inv; //                        (ŷ − y)/N
  }
  return loss * inv;
};

export const logProbs: LogProbs = (N, V, logits, y, out) => {
  for (let p = 0; p < N; p++) out[p] = logits[p * V + y[p]] - logSumExp(logits, p * V, V);
};

/** The kernel set's fused loss if it has one, else the reference above. */
export function lossOps(kernels: Kernels): { softmaxXent: SoftmaxXent; logProbs: LogProbs } {
  const f = kernels.fused as Record<string, unknown>;
  return {
    softmaxXent: (f['softmax_xent'] as SoftmaxXent | undefined) ?? softmaxXent,
    logProbs: (f['log_probs'] as LogProbs | undefined) ?? logProbs,
  };
}
