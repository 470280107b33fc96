import { attr } from './graph.js';
import { weightsInOrder, type LayerParams, type RecurrentOp } from './recurrent-op.js';

export type GruForm = 'cho' | 'resetAfter' | 'minimal';

/**
 * A bias that saturates the logistic function in float32: σ(SATURATED) is exactly 1
 * (1/(1 + e^−100), e^−100 ≈ 3.7e−44, rounds to 1; onnxruntime's σ clamps its input and also
 * returns 1 there).
 */
export const SATURATED = 100;

/**
 * GRU → ONNX GRU (gate blocks z r h; h⟨t⟩ = (1−z)⊙h̃ + z⊙h⟨t−1⟩ in both, z as torch.nn.GRU's).
 *   Cho (stored r z n; n = tanh(W_in x + b_in + W_hn(r⊙h) + b_hn)): blocks z = 1, r = 0, h = 2,
 *       linear_before_reset = 0.
 *   resetAfter (n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))): the same blocks, linear_before_reset = 1.
 *   minimal (stored z n; n = tanh(W_in x + b_in + W_hn h + b_hn)): a reset gate r = σ(SATURATED) = 1
 *       from zero weights, so r⊙h = h: blocks z = 0, r = 0 with bias SATURATED, h = 1,
 *       linear_before_reset = 0.
 */
export function gruOp(p: LayerParams, form: GruForm): RecurrentOp {
  if (form === 'minimal') {
    const blocks = [{ k: 0 }, { fill: 0 }, { k: 1 }];
    return {
      opType: 'GRU',
      ...weightsInOrder(p, blocks, { ih: [{ k: 0 }, { fill: SATURATED }, { k: 1 }], hh: blocks }),
      attributes: { linear_before_reset: attr.int(0) },
      doc: `minimal GRU: reset gate held at σ(${SATURATED}) = 1`,
    };
  }
  return {
    opType: 'GRU',
    ...weightsInOrder(p, [{ k: 1 }, { k: 0 }, { k: 2 }]),
    attributes: { linear_before_reset: attr.int(form === 'resetAfter' ? 1 : 0) },
    doc: form === 'resetAfter' ? 'GRU, reset gate after the recurrent matmul' : 'GRU (Cho et al. 2014)',
  };
}
