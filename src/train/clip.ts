import type { CLIP_MODES } from '../options.js';
import type { Kernels } from '../engine/kernels/ops.js';
import type { Param } from '../engine/types.js';

export type ClipMode = (typeof CLIP_MODES)[number];

export interface ClipResult {
  /** Global L2 norm of the gradient before clipping. */
  norm: number;
  /** Whether clipping changed anything. */
  clipped: boolean;
}

/** ‖g‖ = √(Σ g²) over every parameter's gradient, accumulated in float64. */
export function gradNorm(params: readonly Param[], kernels: Kernels): number {
  let s = 0;
  for (const p of params) s += kernels.sumSq(p.grad);
  return Math.sqrt(s);
}

/**
 * norm: if ‖g‖ > c then g ← g·c/‖g‖ (rescaling the whole gradient vector);
 * value: g ← clamp(g, −c, c) (min-char-rnn). c ≤ 0 or ∞ disables clipping.
 */
export function clipGradients(params: readonly Param[], mode: ClipMode, c: number, kernels: Kernels): ClipResult {
  const norm = gradNorm(params, kernels);
  if (!(c > 0) || !Number.isFinite(c)) return { norm, clipped: false };
  if (mode === 'norm') {
    if (!(norm > c)) return { norm, clipped: false };
    for (const p of params) kernels.scale(p.grad, c / norm);
    return { norm, clipped: true };
  }
  let clipped = false;
  for (const p of params) clipped = kernels.clipValue(p.grad, c) || clipped;
  return { norm, clipped };
}
