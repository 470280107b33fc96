import type { Vec } from '../types.js';
import type { Kernels, PackedB } from './ops.js';

/**
 * One GEMM operand used at every timestep of a sequence (a block of W_hh, as op(B) K×N): packed
 * once per forward or backward pass when the kernel set can (`use`), else passed to gemm as is.
 */
export class FixedB {
  private handle: PackedB | undefined;
  private on = false;

  constructor(
    private readonly kernels: Kernels, private readonly transB: boolean, readonly K: number, readonly N: number,
    private readonly B: Vec, private readonly bOff: number, private readonly ldb: number,
  ) {}

  /** Pack the operand's current values for a T×B block, if worth it (call after every change of B, before the steps). */
  prepare(T: number, B: number): void {
    const k = this.kernels;
    this.on = packWorthIt(k, T, B) && k.packB !== undefined && k.gemmPacked !== undefined;
    if (this.on) this.handle = k.packB!(this.transB, this.K, this.N, this.B, this.bOff, this.ldb, this.handle);
  }

  /** The packed operand, when prepare packed it. */
  get packed(): PackedB | undefined {
    return this.on ? this.handle : undefined;
  }

  /** C (M×N) = A (M×K)·op(B) + beta·C */
  gemm(M: number, A: Vec, aOff: number, lda: number, beta: 0 | 1, C: Vec, cOff: number, ldc: number): void {
    if (this.on) this.kernels.gemmPacked!(false, M, A, aOff, lda, this.handle!, beta, C, cOff, ldc);
    else this.kernels.gemm(false, this.transB, M, this.N, this.K, A, aOff, lda, this.B, this.bOff, this.ldb, beta, C, cOff, ldc);
  }
}

/** Whether a T×B block is worth packing W_hh for: several steps of at least the kernel set's packRows rows [4]. */
const packWorthIt = (k: Kernels, T: number, B: number): boolean => T >= 4 && B >= (k.packRows ?? 4);
