import type { DType, Vec } from '../types.js';

/**
 * The one interface between the math (cells, model, loss) and the machine. The plain TypeScript
 * kernels (`js.ts`) are the reference and serve float64 gradient checks; a WebAssembly SIMD
 * implementation with worker threads replaces them without touching the cells.
 *
 * All matrices are row-major flat buffers addressed as (buffer, offset, leading dimension).
 * Buffers a kernel works on must come from that kernel set's `alloc` (a WebAssembly kernel set
 * hands out views into its linear memory).
 */
export interface Kernels {
  readonly name: string;
  readonly dtype: DType;
  /** A zeroed buffer of n elements owned by this kernel set. */
  alloc(n: number): Vec;
  /** Bytes `alloc` can hand out in all (engine/memory.ts checks a model against it up front). */
  readonly memoryLimit: number;
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
   * Fused element-wise work that a fast kernel set may provide; each cell looks its entry up
   * once and falls back to its own reference implementation. Names and signatures are defined
   * next to the reference implementations in the cells and in loss.ts.
   */
  readonly fused: Readonly<Record<string, (...args: never[]) => unknown>>;
  /**
   * Optional: pack op(B) (K×N) once for many GEMMs against it (W_hh over the timesteps of one
   * sequence). `into`, a handle from an earlier call, is reused when it is large enough. The
   * handle holds a copy: pack again after B changes.
   */
  packB?(transB: boolean, K: number, N: number, B: Vec, bOff: number, ldb: number, into?: PackedB): PackedB;
  /** Optional (with packB): C (M×N) = op(A)·B + beta·C for a packed B of the same K×N. Same bits as gemm. */
  gemmPacked?(transA: boolean, M: number, A: Vec, aOff: number, lda: number, packed: PackedB, beta: 0 | 1, C: Vec, cOff: number, ldc: number): void;
  /**
   * Optional: run these GEMMs (in order) while the caller goes on, e.g. a layer's weight gradients
   * on another thread while the layer below backpropagates. Until `sync()`, the caller must not
   * touch their outputs nor write their inputs. The results have the same bits as gemm's.
   */
  gemmLater?(calls: readonly GemmCall[]): void;
  /** Wait for every gemmLater GEMM. */
  sync?(): void;
}

/** The arguments of one Kernels.gemm call, in order. */
export type GemmCall = [
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Vec, aOff: number, lda: number, B: Vec, bOff: number, ldb: number, beta: 0 | 1, C: Vec, cOff: number, ldc: number,
];

/** A packed GEMM operand (opaque to callers). */
export interface PackedB {
  readonly K: number;
  readonly N: number;
}

/**
 * Which kernel set handed out a buffer (fast kernel sets register their memory here), so that code
 * that only sees Params — the optimiser, gradient clipping — can find the fused ops for them.
 */
const owners = new WeakMap<object, Kernels>();
export function registerBuffer(buffer: ArrayBufferLike, kernels: Kernels): void {
  owners.set(buffer, kernels);
}
export function kernelsOf(x: Vec): Kernels | undefined {
  return owners.get(x.buffer);
}
