import type { DType, Vec } from '../types.js';

/**
 * The kernel contract: the one interface between the math (cells, model, loss, optimisers) and the
 * machine. Every op the math needs is a typed member; the TypeScript backend (js/) implements all of
 * them and is the reference every faster backend is tested against (and, in float64, the gradient
 * checks' backend). A faster backend is that backend with some members replaced (wasm.ts): an op
 * added here without a reference implementation, or an override whose name or signature is wrong,
 * does not compile. Only the whole-sequence recurrences (`*Steps*`) are optional: a backend that has
 * them may still decline a call (returning false), and the cell then runs its steps one at a time.
 *
 * Matrices are row-major flat buffers addressed as (buffer, offset, leading dimension); offsets are
 * in elements. Buffers a kernel works on come from that kernel set's `alloc`.
 */
export interface Kernels extends GemmOps, SkeletonOps, RnnOps, LstmOps, LnLstmOps, GruOps, LossOps, OptimOps {
  readonly name: string;
  /** What runs the math, in words: "WebAssembly SIMD, 2 threads". */
  readonly description: string;
  readonly dtype: DType;
  /** A zeroed buffer of n elements owned by this kernel set. */
  alloc(n: number): Vec;
  /** Bytes `alloc` can hand out in all (engine/memory.ts checks a model against it up front). */
  readonly memoryLimit: number;
  /** Release the kernel set's threads, if it has any (idempotent). */
  close?(): void;
}

// --- GEMM ---

export interface GemmOps {
  /**
   * C (M×N) = op(A) (M×K) · op(B) (K×N) + beta·C, where op(X) is X or Xᵀ.
   * A is stored M×K (lda ≥ K) or, with transA, K×M (lda ≥ M); likewise B.
   * beta is 0 (overwrite; C's old contents are ignored, even NaN) or 1 (accumulate).
   */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    A: Vec, aOff: number, lda: number,
    B: Vec, bOff: number, ldb: number,
    beta: 0 | 1,
    C: Vec, cOff: number, ldc: number,
  ): void;
  /**
   * Optional: pack op(B) (K×N) once for many GEMMs against it (W_hh over the timesteps of one
   * sequence). `into`, a handle from an earlier call, is reused when it is large enough. The
   * handle holds a copy: pack again after B changes.
   */
  packB?(transB: boolean, K: number, N: number, B: Vec, bOff: number, ldb: number, into?: PackedB): PackedB;
  /** Optional (with packB): C (M×N) = op(A)·B + beta·C for a packed B of the same K×N. Same bits as gemm (but for
   *  fewer than 4 rows of A against a transposed B, where gemm takes dot products). */
  gemmPacked?(transA: boolean, M: number, A: Vec, aOff: number, lda: number, packed: PackedB, beta: 0 | 1, C: Vec, cOff: number, ldc: number): void;
  /** Fewest batch rows from which a sequence packs W_hh (and runs the whole recurrences) [4]. */
  readonly packRows?: number;
  /**
   * Optional: run these GEMMs (in order) while the caller goes on, e.g. a layer's weight gradients
   * on another thread while the layer below backpropagates. Until `sync()`, the caller must not
   * touch their outputs nor write their inputs. The results have the same bits as gemm's.
   */
  gemmLater?(calls: readonly GemmCall[]): void;
  /** Wait for every gemmLater GEMM. */
  sync?(): void;
}

/** The arguments of one gemm call, in order. */
export type GemmCall = [
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Vec, aOff: number, lda: number, B: Vec, bOff: number, ldb: number, beta: 0 | 1, C: Vec, cOff: number, ldc: number,
];

/** A packed GEMM operand (opaque to callers). */
export interface PackedB {
  readonly K: number;
  readonly N: number;
}

// --- the skeleton every cell shares (cells/cell.ts) ---

export interface SkeletonOps {
  /** out[j] += Σ_p d[p·ld + off + j] for j < n, p < P: bias gradients over all positions. */
  columnSums(d: Vec, off: number, ld: number, P: number, n: number, out: Vec): void;
  /** gates[p·GH + j] = W[j·I + tokens[p]] + bias[j]: the one-hot input projection (columns of W_ih). */
  gatherColumns(P: number, GH: number, I: number, W: Vec, tokens: Int32Array, bias: Vec, gates: Vec): void;
  /** dW[j·I + tokens[p]] += dG[p·GH + j], p ascending: its weight gradient. */
  scatterColumns(P: number, GH: number, I: number, dG: Vec, tokens: Int32Array, dW: Vec): void;
}

// --- vanilla RNN (cells/rnn.ts); n = B·H elements of one timestep ---

/** h[hOff + j] = act(a[aOff + j]) */
export type RnnForward = (n: number, a: Vec, aOff: number, h: Vec, hOff: number) => void;
/** dA[dAOff + j] = (dH[dHOff + j] + dhNext[j]) · act'(a), computed from h */
export type RnnBackward = (n: number, h: Vec, hOff: number, dH: Vec, dHOff: number, dhNext: Vec, dA: Vec, dAOff: number) => void;
/** Every step of the forward / BPTT at once (whhT, whh: W_hh packed by the kernel set); false: declined. */
export type RnnStepsForward = (T: number, B: number, H: number, gates: Vec, hAll: Vec, whhT: PackedB | undefined) => boolean;
export type RnnStepsBackward = (
  T: number, B: number, H: number, hAll: Vec, dH: Vec, dHOff: number, dhNext: Vec, dGates: Vec, whh: PackedB | undefined,
) => boolean;

export interface RnnOps {
  rnnTanhForward: RnnForward;
  rnnTanhBackward: RnnBackward;
  rnnReluForward: RnnForward;
  rnnReluBackward: RnnBackward;
  rnnTanhStepsForward?: RnnStepsForward;
  rnnTanhStepsBackward?: RnnStepsBackward;
}

// --- LSTM (cells/lstm.ts); one timestep, B rows; the layouts are in that file ---

export type LstmForward = (
  B: number, H: number, gates: Vec, gOff: number, c: Vec, cOff: number, tanhC: Vec, tcOff: number,
  h: Vec, hOff: number, wci: Vec | null, wcf: Vec | null, wco: Vec | null,
) => void;
export type LstmBackward = (
  B: number, H: number, gates: Vec, gOff: number, c: Vec, cOff: number, tanhC: Vec, tcOff: number,
  dH: Vec, dHOff: number, dhNext: Vec, dcNext: Vec, dGates: Vec, dOff: number,
  wci: Vec | null, wcf: Vec | null, wco: Vec | null,
) => void;
export type LstmCoupledForward = (
  B: number, H: number, gates: Vec, gOff: number, c: Vec, cOff: number, tanhC: Vec, tcOff: number,
  h: Vec, hOff: number, wcf: Vec | null, wco: Vec | null,
) => void;
export type LstmCoupledBackward = (
  B: number, H: number, gates: Vec, gOff: number, c: Vec, cOff: number, tanhC: Vec, tcOff: number,
  dH: Vec, dHOff: number, dhNext: Vec, dcNext: Vec, dGates: Vec, dOff: number, wcf: Vec | null, wco: Vec | null,
) => void;
export type LstmStepsForward = (
  T: number, B: number, H: number, gates: Vec, cAll: Vec, tanhC: Vec, hAll: Vec, whhT: PackedB | undefined,
) => boolean;
export type LstmStepsBackward = (
  T: number, B: number, H: number, gates: Vec, cAll: Vec, tanhC: Vec, dH: Vec, dHOff: number,
  dhNext: Vec, dcNext: Vec, dGates: Vec, whh: PackedB | undefined,
) => boolean;

export interface LstmOps {
  lstmForward: LstmForward;
  lstmBackward: LstmBackward;
  lstmCoupledForward: LstmCoupledForward;
  lstmCoupledBackward: LstmCoupledBackward;
  lstmStepsForward?: LstmStepsForward;
  lstmStepsBackward?: LstmStepsBackward;
}

// --- layer normalisation and the layer-normalised LSTM (cells/ln-lstm.ts has the layouts) ---

/**
 * One timestep t of the layer-normalised LSTM over its B rows, every buffer addressed as that file
 * lays it out for step t (gates, hHat (T·B, 4H); cAll, hAll (T·B + B, H); cHat, tanhC, dZc (T·B, H);
 * rstdH, rstdC (T·B); norm = γ_hh (4H), γ_c (H), β_c (H)). The forward finds the raw recurrent
 * projection h⟨t−1⟩·W_hhᵀ in hHat and normalises it there; the backward's dhNext, dcNext are (B, H).
 */
export type LnLstmForward = (
  t: number, B: number, H: number, gates: Vec, hHat: Vec, rstdH: Vec, cAll: Vec, cHat: Vec, rstdC: Vec, tanhC: Vec, hAll: Vec, norm: Vec,
) => void;
export type LnLstmBackward = (
  t: number, B: number, H: number, gates: Vec, hHat: Vec, rstdH: Vec, cAll: Vec, cHat: Vec, rstdC: Vec, tanhC: Vec, norm: Vec,
  dH: Vec, dHOff: number, dhNext: Vec, dcNext: Vec, dGates: Vec, dGh: Vec, dZc: Vec,
) => void;
/** Every step of the forward / BPTT at once: the per-step GEMM against the packed W_hh, then the op above. */
export type LnLstmStepsForward = (
  T: number, B: number, H: number, gates: Vec, hHat: Vec, rstdH: Vec, cAll: Vec, cHat: Vec, rstdC: Vec, tanhC: Vec, hAll: Vec, norm: Vec,
  whhT: PackedB | undefined,
) => boolean;
export type LnLstmStepsBackward = (
  T: number, B: number, H: number, gates: Vec, hHat: Vec, rstdH: Vec, cAll: Vec, cHat: Vec, rstdC: Vec, tanhC: Vec, norm: Vec,
  dH: Vec, dHOff: number, dhNext: Vec, dcNext: Vec, dGates: Vec, dGh: Vec, dZc: Vec, whh: PackedB | undefined,
) => boolean;

export interface LnLstmOps {
  /** For each of P rows of n: z := ẑ = (z − mean)/√(var + ε) in place, rstd[p] := 1/√(var + ε), y := γ⊙ẑ + β. */
  layerNormForward(P: number, n: number, z: Vec, rstd: Vec, gain: Vec, bias: Vec, y: Vec): void;
  /** For each of P rows of n: dz := ∂J/∂z from dy = ∂J/∂y of the forward above (given ẑ and rstd). */
  layerNormBackward(P: number, n: number, dy: Vec, zHat: Vec, rstd: Vec, gain: Vec, dz: Vec): void;
  /** out[j] += Σ_p a[p·n + j]·b[p·n + j], p ascending: a gain's gradient over all positions. */
  columnDots(P: number, n: number, a: Vec, b: Vec, out: Vec): void;
  /**
   * a⟨t⟩ += γ_hh⊙ĥ (ĥ: the normalised h⟨t−1⟩·W_hhᵀ, into hHat); i f g o activated in place;
   * c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g;  ĉ into cHat;  tanhC = tanh(γ_c⊙ĉ + β_c);  h⟨t⟩ = o⊙tanhC
   */
  lnLstmForward: LnLstmForward;
  /**
   * From dh = dH⟨t⟩ + dhNext: dZc = ∂J/∂(γ_c⊙ĉ + β_c), dGates = ∂J/∂a⟨t⟩, dcNext := ∂J/∂c⟨t−1⟩, and
   * dGh = ∂J/∂(h⟨t−1⟩·W_hhᵀ) (the caller then sets dhNext = dGh·W_hh).
   */
  lnLstmBackward: LnLstmBackward;
  lnLstmStepsForward?: LnLstmStepsForward;
  lnLstmStepsBackward?: LnLstmStepsBackward;
}

// --- GRU (cells/gru.ts); one timestep, B rows; the layouts are in that file ---

export type GruForwardRz = (B: number, H: number, gates: Vec, gOff: number, h: Vec, hOff: number, rh: Vec, rhOff: number) => void;
export type GruForwardN = (B: number, H: number, gates: Vec, gOff: number, h: Vec, hOff: number) => void;
export type GruBackwardN = (
  B: number, H: number, gates: Vec, gOff: number, h: Vec, hOff: number, dH: Vec, dHOff: number, dhNext: Vec, dGates: Vec, dOff: number,
) => void;
export type GruBackwardR = (
  B: number, H: number, gates: Vec, gOff: number, h: Vec, hOff: number, drh: Vec, dhNext: Vec, dGates: Vec, dOff: number,
) => void;
export type GruResetAfterForward = (
  B: number, H: number, gates: Vec, gOff: number, hh: Vec, bhh: Vec, hn: Vec, hnOff: number, h: Vec, hOff: number,
) => void;
export type GruResetAfterBackward = (
  B: number, H: number, gates: Vec, gOff: number, hn: Vec, hnOff: number, h: Vec, hOff: number, dH: Vec, dHOff: number,
  dhNext: Vec, dGates: Vec, dOff: number, dHH: Vec, dHHOff: number,
) => void;
export type GruStepsForward = (
  T: number, B: number, H: number, G: number, gates: Vec, hAll: Vec, rh: Vec | null, whAT: PackedB | undefined, whNT: PackedB | undefined,
) => boolean;
export type GruStepsBackward = (
  T: number, B: number, H: number, G: number, gates: Vec, hAll: Vec, dH: Vec, dHOff: number, dhNext: Vec, drh: Vec | null, dGates: Vec,
  whA: PackedB | undefined, whN: PackedB | undefined,
) => boolean;

export interface GruOps {
  gruForwardRz: GruForwardRz;
  gruForwardN: GruForwardN;
  gruBackwardN: GruBackwardN;
  gruBackwardR: GruBackwardR;
  gruResetAfterForward: GruResetAfterForward;
  gruResetAfterBackward: GruResetAfterBackward;
  gruMinimalForward: GruForwardN;
  gruMinimalBackward: GruBackwardN;
  gruStepsForward?: GruStepsForward;
  gruStepsBackward?: GruStepsBackward;
}

// --- loss (loss.ts): N positions of V logits ---

export interface LossOps {
  /** J = (1/N) Σ_p −ln softmax(z_p)[y_p]; writes dlogits = (ŷ − onehot(y))/N (may be logits itself). */
  softmaxXent(N: number, V: number, logits: Vec, y: Int32Array, dlogits: Vec): number;
  /** out[p] = ln softmax(z_p)[y_p] in float64 (evaluation and scoring); logits untouched. */
  logProbs(N: number, V: number, logits: Vec, y: Int32Array, out: Float64Array): void;
}

// --- optimisers and clipping (train/optimizers.ts, train/clip.ts): whole tensors ---

export interface OptimOps {
  /** v = μ·v + g;  w −= lr·v */
  sgdUpdate(w: Vec, g: Vec, v: Float32Array, lr: number, mu: number): void;
  /** m += g²;  w −= lr·g/√(m + ε) */
  adagradUpdate(w: Vec, g: Vec, m: Float32Array, lr: number, eps: number): void;
  /** m = α·m + (1−α)·g²;  w −= lr·g/(√m + ε) */
  rmspropUpdate(w: Vec, g: Vec, m: Float32Array, lr: number, alpha: number, eps: number): void;
  /** m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  w −= stepSize·m/(√v/√c2 + ε) */
  adamUpdate(w: Vec, g: Vec, m: Float32Array, v: Float32Array, b1: number, b2: number, eps: number, stepSize: number, sqrtC2: number): void;
  /** Σ g², accumulated in float64 (NaN if any entry is). */
  sumSq(g: Vec): number;
  /** g ← s·g */
  scale(g: Vec, s: number): void;
  /** g ← clamp(g, −c, c); whether anything changed. */
  clipValue(g: Vec, c: number): boolean;
}
