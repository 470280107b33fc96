import { RnnError } from '../errors.js';
import type { ModelConfig } from './config.js';
import type { Kernels } from './kernels/ops.js';
import type { Infill, LayerTrace } from './language-model.js';
import type { RecurrentStack } from './stack.js';
import type { Param, Vec } from './types.js';

/**
 * What both language models share: the carried state (the forward stack's), its gradient, the
 * parameters by name, and the checks of a block's shape and ids.
 */
export abstract class ModelShell {
  abstract readonly params: Param[];
  abstract readonly infill: Infill | null;
  protected dState: Vec;
  protected lastB = 1;

  constructor(readonly config: ModelConfig, readonly kernels: Kernels, protected readonly stack: RecurrentStack) {
    this.dState = kernels.alloc(stack.stateSize(1));
  }

  stateSize(B: number): number {
    return this.stack.stateSize(B);
  }

  newState(B: number): Vec {
    return this.kernels.alloc(this.stateSize(B));
  }

  /** Zero stream b's rows in each (B, H) block of the state. */
  resetStream(state: Vec, B: number, b: number): void {
    const H = this.config.hidden;
    for (let k = 0; k < this.config.layers * this.stack.blocks; k++) state.fill(0, k * B * H + b * H, k * B * H + (b + 1) * H);
  }

  get layers(): readonly LayerTrace[] {
    return this.stack.cells;
  }

  get dState0(): Vec {
    return this.dState.subarray(0, this.stateSize(this.lastB));
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /** A parameter by its PyTorch name. */
  param(name: string): Param {
    const p = this.params.find((q) => q.name === name);
    if (!p) throw new RnnError(`no parameter named ${name}`, { expected: this.params.map((q) => q.name).join(', '), got: name });
    return p;
  }

  /** A T×B block: its shape, the state's size, and every id of x (and y, and `more`) in [0, V). */
  protected checkBlock(x: Int32Array, T: number, B: number, state: Vec, y?: Int32Array, more: Int32Array[] = []): void {
    const P = T * B;
    const V = this.config.vocabSize;
    if (!(Number.isInteger(T) && Number.isInteger(B) && T >= 1 && B >= 1)) {
      throw new RnnError('invalid block shape', { expected: 'T ≥ 1 and B ≥ 1', got: `T=${T}, B=${B}` });
    }
    if (x.length < P || (y && y.length < P)) throw new RnnError('token block too short', { expected: `${P} tokens`, got: String(Math.min(x.length, y?.length ?? Infinity)) });
    if (state.length < this.stateSize(B)) throw new RnnError('state too small', { expected: `${this.stateSize(B)} floats`, got: String(state.length) });
    for (const ids of [x.subarray(0, P), ...(y ? [y.subarray(0, P)] : []), ...more]) {
      for (let p = 0; p < ids.length; p++) {
        const k = ids[p];
        if (!(k >= 0 && k < V)) throw new RnnError('token id out of range', { expected: `ids in [0, ${V})`, got: String(k) });
      }
    }
  }
}
