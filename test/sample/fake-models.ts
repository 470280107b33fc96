/**
 * Tiny LanguageModels for the sampler and evaluation tests: their distributions are known
 * exactly, so the statistics can be checked against them.
 */
import { defaultModelConfig, type ModelConfig } from '../../src/engine/config.ts';
import type { LanguageModel } from '../../src/engine/language-model.ts';
import type { Kernels } from '../../src/engine/kernels/ops.ts';
import type { Vec } from '../../src/engine/types.ts';
import { Rng } from '../../src/util/rng.ts';

abstract class FakeModel implements LanguageModel {
  readonly config: ModelConfig;
  readonly kernels = {} as Kernels;
  readonly params = [];
  readonly dState0 = new Float64Array(0);
  readonly infill = null;
  readonly probe = null;
  readonly layers = [];
  /** Every logits call: a copy of its inputs, T, B and whether the state was all zero. */
  readonly calls: { x: number[]; T: number; B: number; zeroState: boolean }[] = [];
  record = false;
  private out = new Float64Array(0);

  constructor(readonly V: number, readonly S: number, bidirectional = false) {
    this.config = { ...defaultModelConfig, vocabSize: V, bidirectional };
  }
  stateSize(B: number): number {
    return B * this.S;
  }
  newState(B: number): Vec {
    return new Float64Array(this.stateSize(B));
  }
  resetStream(state: Vec, _B: number, b: number): void {
    state.fill(0, b * this.S, (b + 1) * this.S);
  }
  lossAndGrad(): number {
    throw new Error('not used');
  }
  zeroGrad(): void {}
  param(): never {
    throw new Error('not used');
  }
  logits(x: Int32Array, T: number, B: number, state: Vec): Vec {
    if (this.record) this.calls.push({ x: [...x.subarray(0, T * B)], T, B, zeroState: state.every((v) => v === 0) });
    const V = this.V;
    if (this.out.length < T * B * V) this.out = new Float64Array(T * B * V);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) this.step(x[t * B + b], state, b * this.S, this.out, (t * B + b) * V);
    }
    return this.out.subarray(0, T * B * V);
  }
  /** Reads input id x and the stream's state at sOff; writes the next state and the logits row. */
  protected abstract step(x: number, state: Vec, sOff: number, out: Float64Array, off: number): void;
}

/** The same logits whatever the input: draws are independent, from softmax(logits). */
export class FixedLogitsModel extends FakeModel {
  constructor(readonly row: readonly number[], bidirectional = false) {
    super(row.length, 0, bidirectional);
  }
  protected step(_x: number, _s: Vec, _o: number, out: Float64Array, off: number): void {
    for (let i = 0; i < this.V; i++) out[off + i] = this.row[i];
  }
}

/** A bigram table: logits = table[x]. */
export class BigramModel extends FakeModel {
  constructor(readonly table: Float64Array, V: number) {
    super(V, 0);
  }
  protected step(x: number, _s: Vec, _o: number, out: Float64Array, off: number): void {
    for (let i = 0; i < this.V; i++) out[off + i] = this.table[x * this.V + i];
  }
  /** An add-α bigram language model of a token stream (logits = log probabilities). */
  static fromStream(ids: ArrayLike<number>, V: number, alpha = 0.01): BigramModel {
    const counts = new Float64Array(V * V).fill(alpha);
    for (let i = 1; i < ids.length; i++) counts[ids[i - 1] * V + ids[i]]++;
    const table = new Float64Array(V * V);
    for (let a = 0; a < V; a++) {
      let sum = 0;
      for (let b = 0; b < V; b++) sum += counts[a * V + b];
      for (let b = 0; b < V; b++) table[a * V + b] = Math.log(counts[a * V + b] / sum);
    }
    return new BigramModel(table, V);
  }
}

/**
 * A recurrent model whose predictions depend on the whole history through its state:
 *   s = decay·s_prev + onehot(x),   logits = bigram[x] + M·s.
 */
export class RecurrentFake extends FakeModel {
  readonly bigram: Float64Array;
  readonly M: Float64Array;
  constructor(V: number, seed: number, readonly decay = 0.7, scale = 1.5) {
    super(V, V);
    const rng = new Rng(seed);
    this.bigram = Float64Array.from({ length: V * V }, () => rng.normal() * scale);
    this.M = Float64Array.from({ length: V * V }, () => rng.normal() * scale);
  }
  protected step(x: number, s: Vec, so: number, out: Float64Array, off: number): void {
    const V = this.V;
    for (let j = 0; j < V; j++) s[so + j] *= this.decay;
    s[so + x] += 1;
    for (let i = 0; i < V; i++) {
      let z = this.bigram[x * V + i];
      for (let j = 0; j < V; j++) z += this.M[i * V + j] * s[so + j];
      out[off + i] = z;
    }
  }
}
