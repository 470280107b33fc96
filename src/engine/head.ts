import { makeParam } from './cells/cell.js';
import type { Kernels } from './kernels/ops.js';
import type { Param, Vec } from './types.js';

/** One block of head inputs: rows p of x[off + p·ld …], `width` floats each. */
export interface HeadInput {
  x: Vec;
  off: number;
}

/**
 * The output layer, shared by both language models (module `out`, as nn.Linear):
 *   logits (P, V) = Σ_k X_k·W_kᵀ + b,   W = out.weight (V, K·H) = [W_0 … W_{K−1}], b = out.bias (V)
 * over K input blocks X_k (P, H): the top layer's h (K = 1), or the forward and backward states of
 * a bidirectional model (K = 2).
 */
export class LinearHead {
  readonly weight: Param; // (V, K·H)
  readonly bias: Param; //   (V)

  constructor(private readonly kernels: Kernels, readonly V: number, readonly H: number, readonly K: number) {
    this.weight = makeParam(kernels, 'out.weight', [V, K * H]);
    this.bias = makeParam(kernels, 'out.bias', [V]);
  }

  /** PyTorch init of nn.Linear(K·H, V): weight and bias U(−1/√(K·H), 1/√(K·H)). */
  init(uniform: () => number): void {
    const k = 1 / Math.sqrt(this.K * this.H);
    for (const p of [this.weight, this.bias]) for (let j = 0; j < p.data.length; j++) p.data[j] = (2 * uniform() - 1) * k;
  }

  /** z (P, V) = Σ_k X_k·W_kᵀ + b */
  forward(P: number, inputs: readonly HeadInput[], z: Vec): void {
    const { V, H, K } = this;
    for (let p = 0; p < P; p++) z.set(this.bias.data, p * V);
    for (let k = 0; k < inputs.length; k++) this.kernels.gemm(false, true, P, V, H, inputs[k]!.x, inputs[k]!.off, H, this.weight.data, k * H, K * H, 1, z, 0, V);
  }

  /** dW_k += dzᵀ·X_k;  db += Σ_p dz;  dX_k = dz·W_k (overwritten) */
  backward(P: number, inputs: readonly HeadInput[], dz: Vec, dInputs: readonly HeadInput[]): void {
    const { V, H, K } = this;
    for (let k = 0; k < inputs.length; k++) this.kernels.gemm(true, false, V, H, P, dz, 0, V, inputs[k]!.x, inputs[k]!.off, H, 1, this.weight.grad, k * H, K * H);
    this.kernels.columnSums(dz, 0, V, P, V, this.bias.grad);
    for (let k = 0; k < dInputs.length; k++) this.kernels.gemm(false, false, P, H, V, dz, 0, V, this.weight.data, k * H, K * H, 0, dInputs[k]!.x, dInputs[k]!.off, H);
  }
}
