import type { Rng } from '../util/rng.js';
import { Cell, type CellNames, type LayerInput } from './cells/cell.js';
import { GruCell } from './cells/gru.js';
import { LstmCell } from './cells/lstm.js';
import { LnLstmCell } from './cells/ln-lstm.js';
import { RnnCell } from './cells/rnn.js';
import type { ModelConfig } from './config.js';
import type { Kernels } from './kernels/ops.js';
import type { Param, Vec } from './types.js';

/** One recurrent cell of the configured kind and variant. */
export function createCell(config: ModelConfig, kernels: Kernels, names: CellNames, I: number): Cell {
  const H = config.hidden;
  switch (config.cell) {
    case 'rnn':
      return new RnnCell(kernels, names, I, H, config.activation);
    case 'lstm':
      if (config.layerNorm) return new LnLstmCell(kernels, names, I, H);
      return new LstmCell(kernels, names, I, H, config.peephole, config.coupled);
    case 'gru':
      return new GruCell(kernels, names, I, H, config.minimal ? 'minimal' : config.resetAfter ? 'resetAfter' : 'cho');
  }
}

/**
 * A deep recurrent stack over token ids: layer 0 reads one-hot tokens, layer ℓ reads layer ℓ−1's
 * h (through inverted dropout when training; a one-layer stack drops its output instead, before
 * the head, as char-rnn does). No head: a unidirectional model puts one head on one stack, a
 * bidirectional model one head on two stacks (the second with suffix '_reverse').
 *
 * Carried state: for each layer ℓ in turn, the cell's blocks of B·H floats (h, then c for LSTM).
 */
export class RecurrentStack {
  readonly cells: Cell[] = [];
  readonly params: Param[] = [];
  readonly H: number;
  readonly blocks: number;
  private masks: Vec[] = []; //  per layer ℓ ≥ 1: (T·B, H), 0 or 1/(1−p); [0]: a one-layer stack's output mask
  private dropIn: Vec[] = []; // per layer ℓ ≥ 1: (T·B, H), the masked input; [0]: (B + T·B, H) the masked output
  private capP = 0;
  private dropping = false;

  constructor(readonly config: ModelConfig, readonly kernels: Kernels, prefix = 'rnn', suffix = '') {
    this.H = config.hidden;
    for (let l = 0; l < config.layers; l++) {
      const cell = createCell(config, kernels, { prefix, layer: l, suffix }, l === 0 ? config.vocabSize : this.H);
      this.cells.push(cell);
      this.params.push(...cell.params);
    }
    this.blocks = this.cells[0]!.stateBlocks;
  }

  init(uniform: () => number): void {
    for (const c of this.cells) c.init(uniform);
  }

  stateSize(B: number): number {
    return this.config.layers * this.blocks * B * this.H;
  }

  /**
   * Run all layers over the block; returns the top layer's outputs h⟨t⟩ as (buffer, offset) of a
   * (T·B, H) matrix. Reads the carried state at stateOff and overwrites it.
   */
  forward(tokens: Int32Array, T: number, B: number, state: Vec, stateOff: number, dropoutRng: Rng | null): { out: Vec; off: number } {
    const P = T * B;
    const H = this.H;
    const p = this.config.dropout;
    this.dropping = dropoutRng !== null && p > 0;
    if (this.dropping && P > this.capP) {
      this.capP = P;
      this.masks = this.cells.map(() => this.kernels.alloc(P * H));
      this.dropIn = this.cells.map((_, l) => this.kernels.alloc((l === 0 ? P + B : P) * H));
    }
    const layerState = this.blocks * B * H;
    let input: LayerInput = { kind: 'tokens', tokens };
    for (let l = 0; l < this.cells.length; l++) {
      const cell = this.cells[l]!;
      if (l > 0) {
        const below = this.cells[l - 1]!;
        const off = below.outputOffset();
        if (this.dropping) {
          // x = h_below ⊙ mask,  mask ∈ {0, 1/(1−p)}   (inverted dropout)
          this.drop(below.hAll, off, this.masks[l]!, this.dropIn[l]!, 0, P * H, dropoutRng!);
          input = { kind: 'dense', x: this.dropIn[l]!, off: 0 };
        } else {
          input = { kind: 'dense', x: below.hAll, off };
        }
      }
      cell.forward(input, T, B, state, stateOff + l * layerState);
    }
    const top = this.cells[this.cells.length - 1]!;
    if (this.dropping && this.cells.length === 1) {
      // the output h⟨0…T−1⟩ dropped before the head; the carried-in row h⟨−1⟩ copied as it is
      const BH = B * H, out = this.dropIn[0]!;
      out.set(top.hAll.subarray(0, BH), 0);
      this.drop(top.hAll, BH, this.masks[0]!, out, BH, P * H, dropoutRng!);
      return { out, off: BH };
    }
    return { out: top.hAll, off: top.outputOffset() };
  }

  /** x = h ⊙ mask, mask ∈ {0, 1/(1−p)}: inverted dropout of n values. */
  private drop(h: Vec, hOff: number, mask: Vec, x: Vec, xOff: number, n: number, rng: Rng): void {
    const p = this.config.dropout;
    rng.bernoulliMask(mask, n, p, 1 / (1 - p));
    for (let j = 0; j < n; j++) x[xOff + j] = h[hOff + j] * mask[j];
  }

  /**
   * Backpropagate the last forward from dTop = ∂J/∂h_top (T·B, H): accumulates every parameter
   * gradient and writes ∂J/∂(carried-in state) at dStateOff.
   */
  backward(dTop: Vec, dTopOff: number, T: number, B: number, dState: Vec, dStateOff: number): void {
    const P = T * B;
    const layerState = this.blocks * B * this.H;
    let dH = dTop;
    let dHOff = dTopOff;
    if (this.dropping && this.cells.length === 1) {
      const mask = this.masks[0]!;
      for (let j = 0; j < P * this.H; j++) dH[dHOff + j] *= mask[j]; // through the output's dropout
    }
    for (let l = this.cells.length - 1; l >= 0; l--) {
      const cell = this.cells[l]!;
      cell.backward(dH, dHOff, dState, dStateOff + l * layerState, l > 0); // layer l's dW GEMMs may overlap layer l−1's BPTT
      if (l > 0) {
        dH = cell.dX; // ∂J/∂h_below = dX ⊙ mask
        dHOff = 0;
        if (this.dropping) {
          const mask = this.masks[l]!;
          for (let j = 0; j < P * this.H; j++) dH[j] *= mask[j];
        }
      }
    }
    this.kernels.sync?.();
  }
}
