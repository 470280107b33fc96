import { kernelsOf } from '../engine/kernels/kernels.js';
import type { ClipValue, Scale, SumSq } from '../engine/kernels/wasm-fused.js';
import type { Param, Vec } from '../engine/types.js';

/** A fused op of the kernel set that owns g, if it has one. */
function fusedFor<F>(g: Vec, name: string): F | undefined {
  return (kernelsOf(g)?.fused as Record<string, unknown> | undefined)?.[name] as F | undefined;
}

export type ClipMode = 'norm' | 'value';

export interface ClipResult {
  /** Global L2 norm of the gradient before clipping. */
  norm: number;
  /** Whether clipping changed anything. */
  clipped: boolean;
}

/** ‖g‖ = √(Σ g²) over every parameter's gradient, accumulated in float64. */
export function gradNorm(params: Param[]): number {
  let s = 0;
  for (const p of params) {
    const g = p.grad;
    const fast = fusedFor<SumSq>(g, 'sum_sq')?.(g) ?? -1;
    if (fast >= 0 || Number.isNaN(fast)) {
      s += fast;
      continue;
    }
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  }
  return Math.sqrt(s);
}

/**
 * norm: if ‖g‖ > c then g ← g·c/‖g‖ (rescaling the whole gradient vector);
 * value: g ← clamp(g, −c, c) (min-char-rnn). c ≤ 0 or ∞ disables clipping.
 */
export function clipGradients(params: Param[], mode: ClipMode, c: number): ClipResult {
  const norm = gradNorm(params);
  if (!(c > 0) || !Number.isFinite(c)) return { norm, clipped: false };
  if (mode === 'norm') {
    if (!(norm > c)) return { norm, clipped: false };
    const scale = c / norm;
    for (const p of params) {
      const g = p.grad;
      if (fusedFor<Scale>(g, 'scale')?.(g, scale)) continue;
      for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
    return { norm, clipped: true };
  }
  let clipped = false;
  for (const p of params) {
    const g = p.grad;
    const fast = fusedFor<ClipValue>(g, 'clip_value')?.(g, c);
    if (fast != null) {
      clipped ||= fast;
      continue;
    }
    for (let i = 0; i < g.length; i++) {
      if (g[i] > c) { g[i] = c; clipped = true; } else if (g[i] < -c) { g[i] = -c; clipped = true; }
    }
  }
  return { norm, clipped };
}
