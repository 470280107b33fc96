/**
 * The input one-hot encoding and the output layer: log p = LogSoftmax(X·W_outᵀ + b_out) over the
 * last axis, W_out = out.weight (V, K·H) over K input blocks of H (K = 2: [→a; ←a]).
 */
import type { ModelFile } from '../../model-io/index.js';
import { attr, type GraphBuilder } from './graph.js';
import { transposed } from './recurrent-op.js';

/** tokens (T, B) int64 → one-hot (T, B, V) float32 (an id outside [0, V) gives a zero row). */
export function addOneHot(g: GraphBuilder, tokens: string, V: number, label: string): string {
  const depth = g.int64s('V', [V], []);
  const values = g.floats('one_hot_values', [2], Float32Array.of(0, 1)); // [off, on]
  return g.op('OneHot', [tokens, depth, values], label, { axis: attr.int(-1) });
}

/** log_probs (T, B, V) = LogSoftmax([X_0 … X_{K−1}]·W_outᵀ + b_out), each X_k (T, B, H). */
export function addHead(g: GraphBuilder, file: ModelFile, inputs: readonly string[], output: string): string {
  const V = file.config.vocabSize;
  const w = file.params['out.weight']!.data; // (V, K·H)
  const KH = w.length / V;
  const wT = transposed(w, V, KH); //       (K·H, V)
  const x = inputs.length === 1 ? inputs[0]! : g.op('Concat', inputs, 'head_in', { axis: attr.int(-1) }); // (T, B, K·H)
  const xw = g.op('MatMul', [x, g.floats('out.weight_T', [KH, V], wT)], 'head_xw'); // X·W_outᵀ (T, B, V)
  const z = g.op('Add', [xw, g.floats('out.bias', [V], file.params['out.bias']!.data)], 'logits'); // z = X·W_outᵀ + b_out
  return g.op('LogSoftmax', [z], output, { axis: attr.int(-1) }); // log p = z − ln Σ_v exp z_v
}
