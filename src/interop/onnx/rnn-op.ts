import type { Activation } from '../../engine/config.js';
import { attr } from './graph.js';
import { weightsInOrder, type LayerParams, type RecurrentOp } from './recurrent-op.js';

/**
 * Vanilla RNN h⟨t⟩ = act(W_ih x + b_ih + W_hh h⟨t−1⟩ + b_hh) → ONNX RNN
 * H_t = f(X_t W_iᵀ + H_{t−1} R_iᵀ + Wb_i + Rb_i) with f = Tanh or Relu: one block, as stored.
 */
export function rnnOp(p: LayerParams, activation: Activation): RecurrentOp {
  const f = activation === 'relu' ? 'Relu' : 'Tanh';
  return {
    opType: 'RNN',
    ...weightsInOrder(p, [{ k: 0 }]),
    attributes: { activations: attr.strings([f]) },
    doc: `Elman RNN, activation ${f}`,
  };
}
