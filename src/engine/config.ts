import { RnnError } from '../errors.js';
import { MODEL_OPTIONS, type ACTIVATIONS, type CELLS } from '../options.js';

/** A model's architecture: everything needed to rebuild it, stored in the model file. */
export type CellKind = (typeof CELLS)[number];
export type Activation = (typeof ACTIVATIONS)[number];

export interface ModelConfig {
  cell: CellKind;
  /** H, units per layer (per direction). */
  hidden: number;
  layers: number;
  /** Dropout probability when training: on the outputs of every layer but the last, or before the head of a one-layer model. */
  dropout: number;
  /** rnn only. */
  activation: Activation;
  /** lstm only: diagonal peepholes (i, f see c_prev; o sees c). */
  peephole: boolean;
  /** lstm only: c = f⊙c_prev + (1−f)⊙g (no input gate). */
  coupled: boolean;
  /** lstm only: layer normalisation of W_ih x, W_hh h and c (cells/ln-lstm.ts). */
  layerNorm: boolean;
  /** gru only: the PyTorch/cuDNN form, r multiplies (W_hn h + b_hn). */
  resetAfter: boolean;
  /** gru only: no reset gate. */
  minimal: boolean;
  /** forward and backward stacks; predicts x⟨t⟩ from →a⟨t−1⟩ and ←a⟨t+1⟩ (see bidirectional.ts). */
  bidirectional: boolean;
  /** V, the vocabulary size (reserved tokens included). */
  vocabSize: number;
}

/**
 * The engine's base shape (the option table's defaults), with the plain cells: `rnn train` and the
 * library's train() make an LSTM layer-normalised unless told otherwise (layerNormByDefault).
 */
export const defaultModelConfig: Omit<ModelConfig, 'vocabSize'> = {
  cell: MODEL_OPTIONS.cell.default,
  hidden: MODEL_OPTIONS.hidden.default,
  layers: MODEL_OPTIONS.layers.default,
  dropout: MODEL_OPTIONS.dropout.default,
  activation: MODEL_OPTIONS.activation.default,
  peephole: false,
  coupled: false,
  layerNorm: false,
  resetAfter: false,
  minimal: false,
  bidirectional: false,
};

/** Whether a model is layer-normalised where its maker does not say: an LSTM is, unless it has peepholes or coupled gates. */
export function layerNormByDefault(m: Pick<ModelConfig, 'cell' | 'peephole' | 'coupled'>): boolean {
  return m.cell === 'lstm' && !m.peephole && !m.coupled;
}

/** A short human name of the cell and its variant, e.g. "lstm (peephole)". */
export function describeCell(c: ModelConfig): string {
  const v: string[] = [];
  if (c.cell === 'rnn') v.push(c.activation);
  if (c.cell === 'lstm' && c.peephole) v.push('peephole');
  if (c.cell === 'lstm' && c.coupled) v.push('coupled');
  if (c.cell === 'lstm' && c.layerNorm) v.push('layer-norm');
  if (c.cell === 'gru' && c.resetAfter) v.push('reset-after');
  if (c.cell === 'gru' && c.minimal) v.push('minimal');
  if (c.bidirectional) v.push('bidirectional');
  return v.length ? `${c.cell} (${v.join(', ')})` : c.cell;
}

/** A variant flag must belong to its cell: --peephole/--coupled to lstm, --minimal/--reset-after to gru, --activation to rnn. */
export function validateVariants(m: Omit<ModelConfig, 'vocabSize'>): void {
  const bad = (option: string, expected: string): never => {
    throw new RnnError(`${option} does not apply to --cell ${m.cell}`, { expected, got: `--cell ${m.cell}`, kind: 'usage' });
  };
  if (m.cell !== 'lstm' && (m.peephole || m.coupled || m.layerNorm)) bad(m.peephole ? '--peephole' : m.coupled ? '--coupled' : '--layer-norm', 'an lstm cell (--cell lstm)');
  if (m.layerNorm && (m.peephole || m.coupled)) {
    throw new RnnError(`--layer-norm does not combine with ${m.peephole ? '--peephole' : '--coupled'}`, {
      expected: 'a plain lstm cell with --layer-norm', got: `--layer-norm ${m.peephole ? '--peephole' : '--coupled'}`, hint: 'the layer-normalised cell has no peephole or coupled form', kind: 'usage',
    });
  }
  if (m.cell !== 'gru' && (m.resetAfter || m.minimal)) bad(m.minimal ? '--minimal' : '--reset-after', 'a gru cell (--cell gru)');
  if (m.cell === 'gru' && m.resetAfter && m.minimal) {
    throw new RnnError('--minimal and --reset-after exclude each other', {
      expected: 'one of them', got: '--minimal --reset-after', hint: 'the minimal GRU has no reset gate to apply after the matmul', kind: 'usage',
    });
  }
  if (m.cell !== 'rnn' && m.activation !== 'tanh') bad('--activation', 'an rnn cell (--cell rnn)');
}
