import type { Vec } from '../engine/types.js';

/** −log softmax(z)[target] for the logits row z = x[off .. off+V), in float64:
 *  log Σ exp(z − max) + max − z[target]. */
export function rowNll(x: Vec, off: number, V: number, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (x[off + i] > max) max = x[off + i];
  let sum = 0;
  for (let i = 0; i < V; i++) sum += Math.exp(x[off + i] - max);
  return Math.log(sum) + max - x[off + target];
}
