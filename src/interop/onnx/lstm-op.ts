import { concat, weightsInOrder, type LayerParams, type RecurrentOp } from './recurrent-op.js';

/**
 * LSTM → ONNX LSTM (gate blocks i o f c, peepholes P = [P_i; P_o; P_f]; o peeps at c⟨t⟩ in both).
 *
 * Plain (stored i f g o): blocks i = 0, o = 3, f = 1, c = 2; P = [w_ci; w_co; w_cf].
 *
 * Coupled (stored f g o; c⟨t⟩ = f⊙c⟨t−1⟩ + (1−f)⊙g): a plain LSTM whose input gate is the
 * forget gate's pre-activation negated, since σ(−a) = 1 − σ(a):
 *   i = σ(−a_f − w_cf⊙c⟨t−1⟩) = 1 − f,   f = σ(a_f + w_cf⊙c⟨t−1⟩)
 * so blocks i = −0, o = 2, f = 0, c = 1 and P = [−w_cf; w_co; w_cf]. input_forget is not used:
 * onnxruntime reads it as f = 1 − i (not i = 1 − f), and the ONNX spec does not say which.
 */
export function lstmOp(p: LayerParams, coupled: boolean): RecurrentOp {
  const H = p.H;
  const zeros = new Float32Array(H);
  const peep = p.weightCf !== undefined;
  if (coupled) {
    const blocks = [{ k: 0, negate: true }, { k: 2 }, { k: 0 }, { k: 1 }];
    return {
      opType: 'LSTM',
      ...weightsInOrder(p, blocks),
      ...(peep ? { P: concat(p.weightCf!.map((w) => -w), p.weightCo ?? zeros, p.weightCf!) } : {}),
      attributes: {},
      doc: `coupled LSTM${peep ? ' with peepholes' : ''}: input gate i = σ(−a_f) = 1 − f`,
    };
  }
  return {
    opType: 'LSTM',
    ...weightsInOrder(p, [{ k: 0 }, { k: 3 }, { k: 1 }, { k: 2 }]),
    ...(peep ? { P: concat(p.weightCi ?? zeros, p.weightCo ?? zeros, p.weightCf!) } : {}),
    attributes: {},
    doc: `LSTM${peep ? ' with peepholes' : ''}`,
  };
}
