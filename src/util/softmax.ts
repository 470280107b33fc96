import type { Vec } from '../engine/types.js';

/**
 * The softmax family, once: the loss, evaluation, scoring, sampling, beam search and fill all
 * read a row of logits z = x[off … off+V) through these, in float64, shifted by the row's maximum.
 */

/** ln Σ_v exp(z_v) = m + ln Σ_v exp(z_v − m), m = max_v z_v. */
export function logSumExp(x: Vec, off: number, V: number): number {
  let m = -Infinity;
  for (let v = 0; v < V; v++) if (x[off + v] > m) m = x[off + v];
  let s = 0;
  for (let v = 0; v < V; v++) s += Math.exp(x[off + v] - m);
  return m + Math.log(s);
}

/** −ln softmax(z)[target]: the cross-entropy of one prediction, in nats. */
export function rowNll(x: Vec, off: number, V: number, target: number): number {
  return logSumExp(x, off, V) - x[off + target];
}

/**
 * Unnormalised softmax(z / τ) over the `allowed` ids (all when absent; the others get 0):
 * w_v = exp((z_v − m)/τ) with m the largest allowed logit, so a tiny τ underflows to 0 rather than
 * overflowing. Returns Σ w.
 */
export function softmaxWeights(x: Vec, off: number, V: number, temperature: number, w: Float64Array, allowed?: Uint8Array): number {
  let m = -Infinity;
  for (let v = 0; v < V; v++) if ((!allowed || allowed[v]) && x[off + v] > m) m = x[off + v];
  let s = 0;
  for (let v = 0; v < V; v++) s += w[v] = !allowed || allowed[v] ? Math.exp((x[off + v] - m) / temperature) : 0;
  return s;
}
