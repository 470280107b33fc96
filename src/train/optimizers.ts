import type { OPTIMIZERS } from '../options.js';
import type { ModelConfig } from '../engine/config.js';
import type { Kernels } from '../engine/kernels/ops.js';
import type { Param, Vec } from '../engine/types.js';
import { RnnError } from '../errors.js';

export type OptimizerKind = (typeof OPTIMIZERS)[number];

export interface OptimizerOptions {
  /** SGD momentum μ [0.9]. */
  momentum?: number;
  /** Adam β1, β2 [0.9, 0.999]. */
  beta1?: number;
  beta2?: number;
  /** RMSprop decay α [0.95, as char-rnn]. */
  alpha?: number;
  /** ε [1e-8]. */
  eps?: number;
  /** Decoupled weight decay λ of the weight matrices [0]: w −= lr·λ·w before each update (AdamW; biases and peepholes are left alone). */
  weightDecay?: number;
}

/**
 * An optimiser updates every parameter in place from its accumulated gradient. Its moments are
 * named tensors so that a checkpoint can hold them exactly; `t` counts the updates made.
 */
export interface Optimizer {
  readonly kind: OptimizerKind;
  t: number;
  step(lr: number): void;
  /** Moment buffers by name (`<param>.<moment>`), for checkpoints. */
  moments(): Map<string, Float32Array>;
}

/**
 * Default learning rates: Adagrad 0.1 (min-char-rnn), RMSprop 2e-3 (char-rnn), SGD 0.1; Adam 1e-2
 * up to 128 hidden units and 1e-2·128/H above (measured on tinyshakespeare: a 2×128 LSTM reaches
 * a validation loss of 1.78 after 800 steps at 1e-2, against 2.09 at the customary 2e-3).
 */
export function defaultLr(kind: OptimizerKind, model: Pick<ModelConfig, 'hidden' | 'cell' | 'activation'>): number {
  switch (kind) {
    // A ReLU RNN at 0.01 blows up within three steps (its first steps move every weight by ±lr, and
    // nothing bounds the state); at 0.001 it trains (measured on tinyshakespeare, 2×128).
    case 'adam': return (model.cell === 'rnn' && model.activation === 'relu' ? 1e-3 : 1e-2) * Math.min(1, 128 / model.hidden);
    case 'adagrad': return 0.1;
    case 'rmsprop': return 2e-3;
    case 'sgd': return 0.1;
  }
}

/** An optimiser over the parameters, running its updates on `kernels` (the set that holds them). */
export function createOptimizer(kind: OptimizerKind, params: Param[], kernels: Kernels, opts: OptimizerOptions = {}): Optimizer {
  switch (kind) {
    case 'sgd': return new Sgd(params, kernels, opts, opts.momentum ?? 0.9);
    case 'adagrad': return new Adagrad(params, kernels, opts, opts.eps ?? 1e-8);
    case 'rmsprop': return new RmsProp(params, kernels, opts, opts.alpha ?? 0.95, opts.eps ?? 1e-8);
    case 'adam': return new Adam(params, kernels, opts, opts.beta1 ?? 0.9, opts.beta2 ?? 0.999, opts.eps ?? 1e-8);
    default: throw new RnnError('unknown optimizer', { expected: 'adam, adagrad, rmsprop or sgd', got: String(kind), kind: 'usage' });
  }
}

abstract class Base implements Optimizer {
  abstract readonly kind: OptimizerKind;
  t = 0;
  /** Named moment buffers, and per parameter the list of its buffers (built once). */
  private readonly named = new Map<string, Float32Array>();
  private readonly perParam: Float32Array[][];

  /** The weight matrices that decay (weightDecay > 0). */
  private readonly decaying: Param[];
  private readonly weightDecay: number;

  constructor(protected readonly params: Param[], protected readonly kernels: Kernels, opts: OptimizerOptions, slotNames: string[]) {
    this.weightDecay = opts.weightDecay ?? 0;
    this.decaying = this.weightDecay > 0 ? params.filter((p) => p.shape.length === 2) : [];
    // float32 moments, from the kernel set when it hands out float32 (a float64 set's are plain arrays)
    const moment = (n: number): Float32Array => {
      const b = kernels.alloc(n);
      return b instanceof Float32Array ? b : new Float32Array(n);
    };
    this.perParam = params.map((p) =>
      slotNames.map((s) => {
        const buf = moment(p.data.length);
        this.named.set(`${p.name}.${s}`, buf);
        return buf;
      }),
    );
  }

  moments(): Map<string, Float32Array> {
    return this.named;
  }

  step(lr: number): void {
    this.t += 1;
    for (const p of this.decaying) this.kernels.scale(p.data, 1 - lr * this.weightDecay); // w ← (1 − lr·λ)·w
    for (let j = 0; j < this.params.length; j++) this.update(this.params[j]!.data, this.params[j]!.grad, this.perParam[j]!, lr);
  }

  protected abstract update(w: Vec, g: Vec, m: Float32Array[], lr: number): void;
}

/** v = μ·v + g;  w −= lr·v */
class Sgd extends Base {
  readonly kind = 'sgd';
  constructor(params: Param[], kernels: Kernels, opts: OptimizerOptions, private readonly mu: number) { super(params, kernels, opts, ['velocity']); }
  protected update(w: Vec, g: Vec, [v]: Float32Array[], lr: number): void {
    this.kernels.sgdUpdate(w, g, v!, lr, this.mu);
  }
}

/** m += g²;  w −= lr·g/√(m + ε)   (min-char-rnn) */
class Adagrad extends Base {
  readonly kind = 'adagrad';
  constructor(params: Param[], kernels: Kernels, opts: OptimizerOptions, private readonly eps: number) { super(params, kernels, opts, ['sum_sq']); }
  protected update(w: Vec, g: Vec, [m]: Float32Array[], lr: number): void {
    this.kernels.adagradUpdate(w, g, m!, lr, this.eps);
  }
}

/** m = α·m + (1−α)·g²;  w −= lr·g/(√m + ε)   (char-rnn's optim.rmsprop) */
class RmsProp extends Base {
  readonly kind = 'rmsprop';
  constructor(params: Param[], kernels: Kernels, opts: OptimizerOptions, private readonly alpha: number, private readonly eps: number) { super(params, kernels, opts, ['square_avg']); }
  protected update(w: Vec, g: Vec, [m]: Float32Array[], lr: number): void {
    this.kernels.rmspropUpdate(w, g, m!, lr, this.alpha, this.eps);
  }
}

/** m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  w −= lr·m̂/(√v̂ + ε) with bias correction */
class Adam extends Base {
  readonly kind = 'adam';
  constructor(params: Param[], kernels: Kernels, opts: OptimizerOptions, private readonly b1: number, private readonly b2: number, private readonly eps: number) {
    super(params, kernels, opts, ['exp_avg', 'exp_avg_sq']);
  }
  protected update(w: Vec, g: Vec, [m, v]: Float32Array[], lr: number): void {
    const { b1, b2, eps } = this;
    const c1 = 1 - Math.pow(b1, this.t), c2 = 1 - Math.pow(b2, this.t);
    this.kernels.adamUpdate(w, g, m!, v!, b1, b2, eps, lr / c1, Math.sqrt(c2)); // m̂/√v̂ = (m/c1)/(√v/√c2)
  }
}
