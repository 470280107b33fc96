import { RnnError } from '../errors.js';
import { checkOption, MODEL_OPTIONS, type OptionSpec } from '../options.js';
import type { Rng } from '../util/rng.js';
import { validateVariants, type ModelConfig } from './config.js';
import { LinearHead, type HeadInput } from './head.js';
import type { Kernels } from './kernels/ops.js';
import type { BpttProbe, GradientProbe, LanguageModel } from './language-model.js';
import { ModelShell } from './shell.js';
import { RecurrentStack } from './stack.js';
import type { Param, Vec } from './types.js';

/** Reject configurations the engine cannot build (the option table's ranges, and the variants' rules). */
export function validateModelConfig(c: ModelConfig): void {
  for (const [key, spec] of Object.entries(MODEL_OPTIONS)) checkOption(spec as OptionSpec, c[key as keyof typeof MODEL_OPTIONS]);
  if (!(Number.isInteger(c.vocabSize) && c.vocabSize >= 1)) {
    throw new RnnError('invalid vocabulary size', { expected: 'a positive integer', got: String(c.vocabSize), kind: 'usage' });
  }
  validateVariants(c);
}

/** A unidirectional language model: one recurrent stack (module `rnn`) and one linear head (module `out`). */
export class RnnLanguageModel extends ModelShell implements LanguageModel, GradientProbe {
  readonly params: Param[];
  readonly infill = null;
  readonly probe = this;
  readonly head: LinearHead;
  private logitsBuf: Vec; // (T·B, V), then dlogits in place
  private dTop: Vec; //      (T·B, H)
  private capP = 0;
  private readonly top: HeadInput[] = [{ x: new Float32Array(0), off: 0 }]; // the head's input: the top layer's h
  private readonly dTopIn: HeadInput[] = [{ x: new Float32Array(0), off: 0 }];

  constructor(config: ModelConfig, kernels: Kernels, rng: Rng) {
    validateModelConfig(config);
    super(config, kernels, new RecurrentStack(config, kernels, 'rnn'));
    this.head = new LinearHead(kernels, config.vocabSize, config.hidden, 1);
    this.params = [...this.stack.params, this.head.weight, this.head.bias];
    // PyTorch init: U(−1/√H, 1/√H) for every weight and bias (nn.Linear(H, V) uses the same bound)
    const uniform = (): number => rng.uniform();
    this.stack.init(uniform);
    this.head.init(uniform);
    this.logitsBuf = kernels.alloc(0);
    this.dTop = kernels.alloc(0);
  }

  private ensure(P: number, B: number): void {
    if (this.dState.length < this.stateSize(B)) this.dState = this.kernels.alloc(this.stateSize(B));
    if (P <= this.capP) return;
    this.capP = P;
    this.logitsBuf = this.kernels.alloc(P * this.config.vocabSize);
    this.dTop = this.kernels.alloc(P * this.config.hidden);
  }

  /** Stack forward and head: logits (T·B, V) = H_top·W_outᵀ + b_out. */
  private forward(x: Int32Array, T: number, B: number, state: Vec, dropoutRng: Rng | null): void {
    const P = T * B;
    this.ensure(P, B);
    const top = this.stack.forward(x, T, B, state, 0, dropoutRng);
    this.top[0]!.x = top.out;
    this.top[0]!.off = top.off;
    this.head.forward(P, this.top, this.logitsBuf);
  }

  lossAndGrad(x: Int32Array, y: Int32Array, T: number, B: number, state: Vec, dropoutRng: Rng | null): number {
    this.checkBlock(x, T, B, state, y);
    this.forward(x, T, B, state, dropoutRng);
    const dz = this.logitsBuf;
    const loss = this.kernels.softmaxXent(T * B, this.config.vocabSize, dz, y, dz); // in place: logits → dlogits = (ŷ − y)/N
    this.backward(T, B);
    return loss;
  }

  lastStepBackward(x: Int32Array, y: Int32Array, T: number, B: number, state: Vec, watch: (layer: number) => BpttProbe): number {
    this.checkBlock(x, T, B, state, y);
    this.forward(x, T, B, state, null);
    const V = this.config.vocabSize;
    const last = (T - 1) * B; // the last step's rows
    const dz = this.logitsBuf.subarray(0, T * B * V);
    dz.fill(0, 0, last * V);
    const dzLast = dz.subarray(last * V);
    const loss = this.kernels.softmaxXent(B, V, dzLast, y.subarray(last, last + B), dzLast);
    const cells = this.stack.cells;
    cells.forEach((cell, l) => (cell.probe = watch(l)));
    try {
      this.backward(T, B);
    } finally {
      for (const cell of cells) cell.probe = null;
    }
    return loss;
  }

  /** From dlogits (in logitsBuf): dW_out, db_out; dH_top = dz·W_out; then the stack. */
  private backward(T: number, B: number): void {
    this.dTopIn[0]!.x = this.dTop;
    this.head.backward(T * B, this.top, this.logitsBuf, this.dTopIn);
    this.lastB = B;
    this.stack.backward(this.dTop, 0, T, B, this.dState, 0);
  }

  logits(x: Int32Array, T: number, B: number, state: Vec): Vec {
    this.checkBlock(x, T, B, state);
    this.forward(x, T, B, state, null);
    return this.logitsBuf.subarray(0, T * B * this.config.vocabSize);
  }
}
