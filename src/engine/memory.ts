import { RnnError } from '../errors.js';
import type { ModelConfig } from './config.js';

/** Gate blocks of H rows per cell: rnn 1, lstm 4 (i f g o) or 3 (coupled: f g o), gru 3 (r z n) or 2 (minimal: z n). */
function gateBlocks(c: Pick<ModelConfig, 'cell' | 'minimal' | 'coupled'>): number {
  return c.cell === 'lstm' ? (c.coupled ? 3 : 4) : c.cell === 'gru' ? (c.minimal ? 2 : 3) : 1;
}

/** What a block of work allocates besides the model: its shape and the optimiser's moments per weight. */
export interface Workload {
  /** Streams B and steps T of the largest block. */
  B: number;
  T: number;
  /** Optimiser moments per parameter (adam 2, others 1; 0 for inference). */
  moments: number;
  /** Dropout masks are kept (training with dropout > 0). */
  dropout: boolean;
}

type Shape = Pick<ModelConfig, 'cell' | 'hidden' | 'layers' | 'vocabSize' | 'minimal' | 'resetAfter' | 'peephole' | 'coupled' | 'layerNorm' | 'bidirectional'>;

/** The model's weights: per layer and direction W_ih, W_hh, two biases, the peepholes (c_f, c_o, and c_i unless coupled) or the layer norms' gains (2·GH + 2·H); then the output layer. */
export function paramCount(c: Shape): number {
  const { hidden: H, layers: L, vocabSize: V } = c;
  const GH = gateBlocks(c) * H;
  const directions = c.bidirectional ? 2 : 1;
  let stack = 0;
  for (let l = 0; l < L; l++) stack += GH * (l === 0 ? V : H) + GH * H + 2 * GH + (c.peephole ? (c.coupled ? 2 : 3) * H : 0) + (c.layerNorm ? 2 * GH + 2 * H : 0);
  return directions * stack + V * directions * H + V;
}

/**
 * Floats of kernel memory a model and one T×B block of work take: every parameter with its
 * gradient and moments, the packed copies of W_hh, and the buffers of the block (gates, states and
 * their gradients, dropout masks, logits). An estimate from above; test/engine/memory.test.ts
 * checks it against what the WebAssembly kernels really hand out.
 */
export function modelFloats(c: Shape, w: Workload): number {
  const { hidden: H, layers: L, vocabSize: V } = c;
  const { B, T } = w;
  const P = T * B;
  const GH = gateBlocks(c) * H;
  const buffers = (): number => {
    let n = 0;
    for (let l = 0; l < L; l++) {
      const I = l === 0 ? V : H;
      n += GH + 2 * (H + 8) * (GH + 8); //      folded bias; W_hh packed for the forward and the backward steps
      n += 2 * P * GH + (P + B) * H + B * H + P * I; // gates, dGates, hAll, dhNext, dX
      if (c.cell === 'lstm') n += (P + B) * H + P * H + B * H; // cAll, tanhC, dcNext
      if (c.layerNorm) n += 4 * P * GH + 2 * P * H + 3 * P + GH + 6 * H; // x̂, ĥ, dRaw_ih, dRaw_hh; ĉ, dZc; 1/σ ×3; zero bias; norm
      if (c.cell === 'gru') n += P * 4 * H + B * 4 * H; //         rh/drh, or hh/hn/dHH (reset-after)
      if (w.dropout) n += 2 * P * H; //                            mask and masked input
    }
    const blocks = c.cell === 'lstm' ? 2 : 1; // h, and c for an LSTM
    return n + 3 * L * blocks * B * H; //        the carried state, its gradient, and an evaluation's state
  };
  const directions = c.bidirectional ? 2 : 1;
  const weights = (2 + w.moments) * paramCount(c); // data, gradient, moments
  const head = P * V + (P + B) * H * (1 + 3 * (directions - 1));
  const scratch = 2 * GH * V + 3 * P; // W_ihᵀ for the one-hot gather and scatter; target ids and log-probs
  return weights + directions * buffers() + head + scratch;
}

export function modelBytes(c: Shape, w: Workload): number {
  return 4 * modelFloats(c, w);
}

/** "2.1 GB" */
export function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.ceil(bytes / 1e6)} MB`;
}

/**
 * Refuses a model and workload that do not fit in `limit` bytes, before anything is allocated:
 * the error gives the need, the limit and the largest --hidden that would fit the same options.
 */
export function assertFits(c: Shape, w: Workload, limit: number, where: string, smaller = '--batch-size or --seq-length'): void {
  const need = modelBytes(c, w);
  if (need <= limit) return;
  let lo = 0, hi = c.hidden; // largest H with modelBytes ≤ limit
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (modelBytes({ ...c, hidden: mid }, w) <= limit) lo = mid;
    else hi = mid - 1;
  }
  throw new RnnError(`the model does not fit in memory: ${c.layers}×${c.hidden} ${c.cell}, ${w.B} streams × ${w.T} steps`, {
    expected: `at most ${formatBytes(limit)} (${where})`, got: `${formatBytes(need)} needed`,
    hint: lo > 0
      ? `the largest --hidden that fits with these options is ${lo}; a smaller ${smaller} also helps`
      : `even --hidden 1 does not fit: lower ${smaller}, or use fewer --layers`,
    kind: 'usage',
  });
}
