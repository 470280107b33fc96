import type { Param } from '../engine/types.js';

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
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  }
  return Math.sqrt(s);
}

/**
 * norm: if ‖g‖ > c then g ← g·c/‖g‖ (the notes' rescaling);
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
      for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
    return { norm, clipped: true };
  }
  let clipped = false;
  for (const p of params) {
    const g = p.grad;
    for (let i = 0; i < g.length; i++) {
      if (g[i] > c) { g[i] = c; clipped = true; } else if (g[i] < -c) { g[i] = -c; clipped = true; }
    }
  }
  return { norm, clipped };
}
