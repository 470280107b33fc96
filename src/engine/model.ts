import { RnnError } from '../errors.js';
import { findParam, resetStreamRows, zeroGrads } from './model-common.js';
import type { Rng } from '../util/rng.js';
import { BidirectionalLanguageModel } from './bidirectional.js';
import { cellOps, makeParam } from './cells/cell.js';
import { validateVariants, type ModelConfig } from './config.js';
import type { Kernels } from './kernels/kernels.js';
import type { LanguageModel } from './language-model.js';
import { lossOps, type LogProbs, type SoftmaxXent } from './loss.js';
import { RecurrentStack } from './stack.js';
import type { Param, Vec } from './types.js';

/** Reject configurations the engine cannot build. */
export function validateModelConfig(c: ModelConfig): void {
  const positiveInt = (v: number, what: string): void => {
    if (!Number.isInteger(v) || v < 1) throw new RnnError(`invalid ${what}`, { expected: 'a positive integer', got: String(v), kind: 'usage' });
  };
  positiveInt(c.hidden, 'hidden size');
  positiveInt(c.layers, 'number of layers');
  positiveInt(c.vocabSize, 'vocabulary size');
  if (!(c.dropout >= 0 && c.dropout < 1)) {
    throw new RnnError('invalid dropout', { expected: 'a probability in [0, 1)', got: String(c.dropout), kind: 'usage' });
  }
  validateVariants(c);
}

/** A unidirectional language model: one recurrent stack (module `rnn`) and one linear head (module `out`). */
export class RnnLanguageModel implements LanguageModel {
  readonly params: Param[];
  readonly stack: RecurrentStack;
  readonly outWeight: Param; // (V, H)
  readonly outBias: Param; //   (V)
  private logitsBuf: Vec;
  private dTop: Vec;
  private dState: Vec;
  private capP = 0;
  private lastB = 1;
  private readonly softmaxXent: SoftmaxXent;
  private readonly columnSums: ReturnType<typeof cellOps>['columnSums'];
  readonly logProbs: LogProbs;

  constructor(readonly config: ModelConfig, readonly kernels: Kernels, rng: Rng) {
    validateModelConfig(config);
    const { hidden: H, vocabSize: V } = config;
    this.stack = new RecurrentStack(config, kernels, 'rnn');
    this.outWeight = makeParam(kernels, 'out.weight', [V, H]);
    this.outBias = makeParam(kernels, 'out.bias', [V]);
    this.params = [...this.stack.params, this.outWeight, this.outBias];
    // PyTorch init: U(−1/√H, 1/√H) for every weight and bias (nn.Linear(H, V) uses the same bound)
    const uniform = (): number => rng.uniform();
    this.stack.init(uniform);
    const k = 1 / Math.sqrt(H);
    for (const p of [this.outWeight, this.outBias]) for (let j = 0; j < p.data.length; j++) p.data[j] = (2 * rng.uniform() - 1) * k;
    this.logitsBuf = kernels.alloc(0);
    this.dTop = kernels.alloc(0);
    this.dState = kernels.alloc(this.stateSize(1));
    ({ softmaxXent: this.softmaxXent, logProbs: this.logProbs } = lossOps(kernels));
    this.columnSums = cellOps(kernels).columnSums;
  }

  stateSize(B: number): number {
    return this.stack.stateSize(B);
  }

  newState(B: number): Vec {
    return this.kernels.alloc(this.stateSize(B));
  }

  resetStream(state: Vec, B: number, b: number): void {
    resetStreamRows(state, B, b, this.config.hidden, this.config.layers * this.stack.blocks);
  }

  get dState0(): Vec {
    return this.dState.subarray(0, this.stateSize(this.lastB));
  }

  zeroGrad(): void {
    zeroGrads(this.params);
  }

  /** Look a parameter up by its PyTorch name. */
  param(name: string): Param {
    return findParam(this.params, name);
  }

  private check(x: Int32Array, T: number, B: number, state: Vec, y?: Int32Array): void {
    const P = T * B;
    const V = this.config.vocabSize;
    if (!(Number.isInteger(T) && Number.isInteger(B) && T >= 1 && B >= 1)) {
      throw new RnnError('invalid block shape', { expected: 'T ≥ 1 and B ≥ 1', got: `T=${T}, B=${B}` });
    }
    if (x.length < P || (y && y.length < P)) throw new RnnError('token block too short', { expected: `${P} tokens`, got: String(Math.min(x.length, y?.length ?? Infinity)) });
    if (state.length < this.stateSize(B)) throw new RnnError('state too small', { expected: `${this.stateSize(B)} floats`, got: String(state.length) });
    const bad = (ids: Int32Array): void => {
      for (let p = 0; p < P; p++) {
        const k = ids[p];
        if (!(k >= 0 && k < V)) throw new RnnError('token id out of range', { expected: `ids in [0, ${V})`, got: String(k) });
      }
    };
    bad(x);
    if (y) bad(y);
  }

  private ensure(P: number, B: number): void {
    if (this.dState.length < this.stateSize(B)) this.dState = this.kernels.alloc(this.stateSize(B));
    if (P <= this.capP) return;
    this.capP = P;
    this.logitsBuf = this.kernels.alloc(P * this.config.vocabSize);
    this.dTop = this.kernels.alloc(P * this.config.hidden);
  }

  /** Stack forward and head: logits (T·B, V) = H_top·W_outᵀ + b_out. Returns where H_top is. */
  private forward(x: Int32Array, T: number, B: number, state: Vec, dropoutRng: Rng | null): { out: Vec; off: number } {
    const P = T * B;
    const { hidden: H, vocabSize: V } = this.config;
    this.ensure(P, B);
    const top = this.stack.forward(x, T, B, state, 0, dropoutRng);
    const z = this.logitsBuf;
    for (let p = 0; p < P; p++) z.set(this.outBias.data, p * V);
    this.kernels.gemm(false, true, P, V, H, top.out, top.off, H, this.outWeight.data, 0, H, 1, z, 0, V);
    return top;
  }

  lossAndGrad(x: Int32Array, y: Int32Array, T: number, B: number, state: Vec, dropoutRng: Rng | null): number {
    this.check(x, T, B, state, y);
    const P = T * B;
    const { hidden: H, vocabSize: V } = this.config;
    const top = this.forward(x, T, B, state, dropoutRng);
    const dz = this.logitsBuf;
    const loss = this.softmaxXent(P, V, dz, y, dz); // in place: logits → dlogits = (ŷ − y)/N
    // dW_out += dzᵀ·H_top;  db_out += Σ_p dz;  dH_top = dz·W_out
    this.kernels.gemm(true, false, V, H, P, dz, 0, V, top.out, top.off, H, 1, this.outWeight.grad, 0, H);
    this.columnSums(dz, 0, V, P, V, this.outBias.grad);
    this.kernels.gemm(false, false, P, H, V, dz, 0, V, this.outWeight.data, 0, H, 0, this.dTop, 0, H);
    this.lastB = B;
    this.stack.backward(this.dTop, 0, T, B, this.dState, 0);
    return loss;
  }

  logits(x: Int32Array, T: number, B: number, state: Vec): Vec {
    this.check(x, T, B, state);
    this.forward(x, T, B, state, null);
    return this.logitsBuf.subarray(0, T * B * this.config.vocabSize);
  }
}

/**
 * Build a freshly initialised model (PyTorch init; forget-gate bias 1) for the configuration:
 * unidirectional, or bidirectional (bidirectional.ts) when config.bidirectional.
 */
export function createModel(config: ModelConfig, kernels: Kernels, rng: Rng): RnnLanguageModel | BidirectionalLanguageModel {
  if (config.bidirectional) {
    validateModelConfig(config);
    return new BidirectionalLanguageModel(config, kernels, rng);
  }
  return new RnnLanguageModel(config, kernels, rng);
}
