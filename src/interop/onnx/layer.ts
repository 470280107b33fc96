/**
 * One recurrent layer of a model file as a node of the graph: its ONNX operator (rnn-op.ts,
 * lstm-op.ts, gru-op.ts), the weights as initializers, and Y squeezed to (T, B, H); or, for the
 * layer-normalised LSTM, a Scan of its step (ln-lstm-scan.ts).
 */
import type { ModelConfig } from '../../engine/config.js';
import type { ModelFile } from '../../model-io/index.js';
import { attr, type GraphBuilder } from './graph.js';
import { gruOp } from './gru-op.js';
import { addLnLstmLayer } from './ln-lstm-scan.js';
import { lstmOp } from './lstm-op.js';
import type { LayerParams, RecurrentOp } from './recurrent-op.js';
import { rnnOp } from './rnn-op.js';

/** Layer l of the stack `suffix` ('' or '_reverse'), by its torch.nn names. */
export function layerParams(file: ModelFile, l: number, suffix: string): LayerParams {
  const { hidden: H, vocabSize: V } = file.config;
  const get = (base: string): Float32Array => file.params[`rnn.${base}_l${l}${suffix}`]!.data;
  const maybe = (base: string): Float32Array | undefined => file.params[`rnn.${base}_l${l}${suffix}`]?.data;
  return {
    H,
    I: l === 0 ? V : H,
    weightIh: get('weight_ih'),
    weightHh: get('weight_hh'),
    biasIh: get('bias_ih'),
    biasHh: get('bias_hh'),
    weightCi: maybe('weight_ci'),
    weightCf: maybe('weight_cf'),
    weightCo: maybe('weight_co'),
    lnIh: maybe('ln_ih'),
    lnHh: maybe('ln_hh'),
    lnCWeight: maybe('ln_c_weight'),
    lnCBias: maybe('ln_c_bias'),
  };
}

/** The operator of the configured cell and variant. */
export function recurrentOp(config: ModelConfig, p: LayerParams): RecurrentOp {
  switch (config.cell) {
    case 'rnn':
      return rnnOp(p, config.activation);
    case 'lstm':
      return lstmOp(p, config.coupled);
    case 'gru':
      return gruOp(p, config.minimal ? 'minimal' : config.resetAfter ? 'resetAfter' : 'cho');
  }
}

export interface LayerOutputs {
  /** h⟨t⟩ for every t: (T, B, H). */
  y: string;
  /** The state after the last step (1, B, H), when names were given. */
  h?: string;
  /** LSTM only: the cell state after the last step (1, B, H), when names were given. */
  c?: string;
}

/**
 * Adds the layer reading x (T, B, I) from the states h0, c0 (1, B, H) (absent: zeros), in time
 * order ('forward') or from the last step back ('reverse': y⟨t⟩ has read x⟨T−1⟩ … x⟨t⟩).
 * `names` are the wanted names of the final states (e.g. graph outputs h0_out, c0_out); without
 * them the operator leaves its final states out.
 */
export function addLayer(
  g: GraphBuilder, config: ModelConfig, p: LayerParams, label: string,
  x: string, state: { h?: string; c?: string }, direction: 'forward' | 'reverse', names?: { h: string; c: string },
): LayerOutputs {
  if (config.layerNorm) return addLnLstmLayer(g, p, label, x, state, direction, names);
  const op = recurrentOp(config, p);
  const GH = op.gates * p.H;
  const W = g.floats(`${label}.W`, [1, GH, p.I], op.W); // (1, G·H, I)
  const R = g.floats(`${label}.R`, [1, GH, p.H], op.R); // (1, G·H, H)
  const B = g.floats(`${label}.B`, [1, 2 * GH], op.B); //  (1, 2·G·H) = [Wb; Rb]
  const lstm = op.opType === 'LSTM';
  const inputs = [x, W, R, B, '', state.h ?? ''];
  if (lstm) inputs.push(state.c ?? '', op.P ? g.floats(`${label}.P`, [1, 3 * p.H], op.P) : ''); // P (1, 3H) = [P_i; P_o; P_f]
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const outs = g.node(op.opType, inputs, [`${label}.Y`, ...(names ? [names.h, ...(lstm ? [names.c] : [])] : [])], {
    hidden_size: attr.int(p.H),
    direction: attr.string(direction),
    ...op.attributes,
  }, `${label}: ${op.doc}`);
  // Y (T, 1, B, H) → (T, B, H)
  const y = g.op('Squeeze', [outs[0]!, g.int64s(`${label}.axis`, [1])], `${label}.y`);
  return { y, h: outs[1], c: outs[2] };
}
