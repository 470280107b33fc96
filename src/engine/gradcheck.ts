import { Rng } from '../util/rng.js';
import type { ModelConfig } from './config.js';
import { createModel } from './create.js';
import { referenceKernels } from './kernels/index.js';
import type { Kernels } from './kernels/ops.js';
import type { Vec } from './types.js';

const FLOOR = 1e-6;

export interface GradcheckOptions {
  batch: number;
  seqLength: number;
  seed: number;
  /** Centred-difference step ε (default 1e-3; the five-point rule's error is O(ε⁴)). */
  eps?: number;
  /** Entries checked per tensor; larger tensors are sampled (default 40). */
  maxEntries?: number;
  /** A float64 kernel set to check (default: the plain TypeScript kernels). */
  kernels?: Kernels;
}

export interface GradcheckResult {
  /** A parameter's name, or 'state0' for the carried-in state. */
  name: string;
  maxRelErr: number;
  /** Entries compared. */
  checked: number;
}

/**
 * Compare the analytic BPTT gradients of `lossAndGrad` with centred differences in float64 (the
 * five-point rule [8(J(θ+ε) − J(θ−ε)) − (J(θ+2ε) − J(θ−2ε))] / 12ε, whose truncation error O(ε⁴)
 * lets ε be large enough that rounding stays near 1e-13), for every parameter and for a random non-zero carried-in
 * state. Relative error per entry: |a − n| / max(|a| + |n|, 1e-6), the smallest of the errors at
 * steps ε, ε/10, ε/100 (a ReLU kink near θ spoils the larger ones); the worst per tensor is reported. The
 * floor 1e-6 stands for the limit of float64: the rounding of J leaves ~1e-13 absolute error in the
 * difference quotient, so gradients below 1e-6 are in effect compared to an absolute 1e-12.
 * Dropout is off (the check needs a deterministic loss).
 */
export function gradcheck(config: ModelConfig, opts: GradcheckOptions): GradcheckResult[] {
  const { batch: B, seqLength: T, seed } = opts;
  const eps = opts.eps ?? 1e-3;
  const maxEntries = opts.maxEntries ?? 40;
  const rng = new Rng(seed);
  const model = createModel(config, opts.kernels ?? referenceKernels('f64'), rng);
  const V = config.vocabSize;
  const P = T * B;
  const x = new Int32Array(P).map(() => rng.int(V));
  const y = new Int32Array(P).map(() => rng.int(V));
  const state0 = model.newState(B);
  for (let j = 0; j < state0.length; j++) state0[j] = 0.5 * rng.normal();

  // analytic
  model.zeroGrad();
  model.lossAndGrad(x, y, T, B, state0.slice(), null);
  const analytic = model.params.map((p) => p.grad.slice());
  const dState0 = model.dState0.slice();

  // J(θ) by the inference path: mean −log ŷ[y]. A bidirectional model predicts the block's own
  // tokens x, reading y's last row as the character after the block (bidirectional.ts).
  const lp = new Float64Array(P);
  const bi = model.infill;
  const next = y.subarray((T - 1) * B, P);
  const bState = bi?.newBwdState(B);
  const loss = (s0: Vec): number => {
    const z = bi ? bi.infillLogits(x, next, T, B, s0.slice(), bState!.fill(0)) : model.logits(x, T, B, s0.slice());
    model.kernels.logProbs(P, V, z, bi ? x : y, lp);
    let s = 0;
    for (let p = 0; p < P; p++) s -= lp[p]!;
    return s / P;
  };

  const check = (name: string, data: Vec, grad: Vec): GradcheckResult => {
    const n = data.length;
    let idx: number[];
    if (n <= maxEntries) idx = Array.from({ length: n }, (_, i) => i);
    else {
      const set = new Set<number>();
      while (set.size < maxEntries) set.add(rng.int(n));
      idx = [...set];
    }
    let worst = 0;
    for (const i of idx) {
      const orig = data[i]!;
      const at = (d: number): number => {
        data[i] = orig + d;
        return loss(state0);
      };
      // five-point centred difference: J'(θ) + O(ε⁴)
      const numeric = (e: number): number => (8 * (at(e) - at(-e)) - (at(2 * e) - at(-2 * e))) / (12 * e);
      const a = grad[i]!;
      const relErr = (num: number): number => Math.abs(a - num) / Math.max(Math.abs(a) + Math.abs(num), FLOOR);
      let rel = relErr(numeric(eps));
      // a ReLU kink within 2ε spoils the difference quotient: then smaller steps decide
      for (const e of [eps / 10, eps / 100]) if (!(rel < 1e-7)) rel = Math.min(rel, relErr(numeric(e)));
      data[i] = orig;
      if (rel > worst || Number.isNaN(rel)) worst = Number.isNaN(rel) ? Infinity : rel;
    }
    return { name, maxRelErr: worst, checked: idx.length };
  };

  const results = model.params.map((p, k) => check(p.name, p.data, analytic[k]!));
  results.push(check('state0', state0, dState0));
  return results;
}
