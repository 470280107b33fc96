/**
 * One recurrent layer as the parameters of an ONNX RNN, LSTM or GRU operator (one direction):
 *   W (1, G·H, I), R (1, G·H, H), B (1, 2·G·H) = [Wb; Rb], and for LSTM P (1, 3H) = [P_i; P_o; P_f],
 * the gate blocks in the operator's order (RNN: one; LSTM: i o f c; GRU: z r h). The engine's
 * layers hold torch.nn's blocks (LSTM i f g o, GRU r z n): rnn-op.ts, lstm-op.ts and gru-op.ts
 * map each cell variant.
 */
import type { AttributeValue } from './messages.js';

/** A layer's tensors as the engine names them (rnn.weight_ih_l0 …), float32. */
export interface LayerParams {
  /** Units H. */
  readonly H: number;
  /** Input width I: V for layer 0 (one-hot), else H. */
  readonly I: number;
  readonly weightIh: Float32Array; // (G·H, I)
  readonly weightHh: Float32Array; // (G·H, H)
  readonly biasIh: Float32Array; //   (G·H)
  readonly biasHh: Float32Array; //   (G·H)
  /** LSTM peepholes (H) each, where the variant has them. */
  readonly weightCi?: Float32Array;
  readonly weightCf?: Float32Array;
  readonly weightCo?: Float32Array;
  /** Layer normalisation's gains (ln-lstm-scan.ts): γ_ih, γ_hh (4H), γ_c, β_c (H). */
  readonly lnIh?: Float32Array;
  readonly lnHh?: Float32Array;
  readonly lnCWeight?: Float32Array;
  readonly lnCBias?: Float32Array;
}

export interface RecurrentOp {
  opType: 'RNN' | 'LSTM' | 'GRU';
  /** Gate blocks G of the operator. */
  gates: number;
  W: Float32Array; // (G·H, I)
  R: Float32Array; // (G·H, H)
  B: Float32Array; // (2·G·H)
  /** LSTM only: peepholes (3H) in the order i, o, f. */
  P?: Float32Array;
  /** The operator's attributes besides hidden_size and direction. */
  attributes: Record<string, AttributeValue>;
  /** How the cell maps to the operator (the node's doc string). */
  doc: string;
}

/** A gate block: the layer's rows [k·H, (k+1)·H) of a (G·H, cols) matrix (negated if asked), or a constant. */
export type Block = { readonly k: number; readonly negate?: boolean } | { readonly fill: number };

/**
 * The rows of a (G·H, cols) matrix (cols = 1 for a vector) rearranged into the given blocks:
 * block k copied (negated where asked), or every element `fill`.
 */
export function reorderBlocks(data: Float32Array, H: number, cols: number, blocks: readonly Block[]): Float32Array {
  const n = H * cols;
  const out = new Float32Array(blocks.length * n);
  blocks.forEach((b, j) => {
    if ('fill' in b) return void out.fill(b.fill, j * n, (j + 1) * n);
    const src = data.subarray(b.k * n, (b.k + 1) * n);
    if (b.negate) for (let e = 0; e < n; e++) out[j * n + e] = -src[e]!;
    else out.set(src, j * n);
  });
  return out;
}

/** x·Wᵀ's right operand for MatMul: W (rows, cols) transposed, (cols, rows). */
export function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}

/** [a; b] */
export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** W, R and B of the operator from the layer's blocks in the operator's order. */
export function weightsInOrder(p: LayerParams, blocks: readonly Block[], biasBlocks: { ih: readonly Block[]; hh: readonly Block[] } = { ih: blocks, hh: blocks }): Pick<RecurrentOp, 'W' | 'R' | 'B' | 'gates'> {
  return {
    gates: blocks.length,
    W: reorderBlocks(p.weightIh, p.H, p.I, blocks),
    R: reorderBlocks(p.weightHh, p.H, p.H, blocks),
    B: concat(reorderBlocks(p.biasIh, p.H, 1, biasBlocks.ih), reorderBlocks(p.biasHh, p.H, 1, biasBlocks.hh)),
  };
}
