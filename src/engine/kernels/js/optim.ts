import type { OptimOps } from '../ops.js';

/** The optimisers' updates and the clipping ops (train/optimizers.ts, train/clip.ts), tensor by tensor. */
export const optim: OptimOps = {
  sgdUpdate(w, g, v, lr, mu) {
    for (let i = 0; i < w.length; i++) {
      v[i] = mu * v[i] + g[i]; //                   v = μ·v + g
      w[i] -= lr * v[i];
    }
  },
  adagradUpdate(w, g, m, lr, eps) {
    for (let i = 0; i < w.length; i++) {
      m[i] += g[i] * g[i]; //                        m += g²
      w[i] -= (lr * g[i]) / Math.sqrt(m[i] + eps);
    }
  },
  rmspropUpdate(w, g, m, lr, a, eps) {
    for (let i = 0; i < w.length; i++) {
      m[i] = a * m[i] + (1 - a) * g[i] * g[i]; //   m = α·m + (1−α)·g²
      w[i] -= (lr * g[i]) / (Math.sqrt(m[i]) + eps);
    }
  },
  adamUpdate(w, g, m, v, b1, b2, eps, stepSize, sqrtC2) {
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      m[i] = b1 * m[i] + (1 - b1) * gi; //           m = β1·m + (1−β1)·g
      v[i] = b2 * v[i] + (1 - b2) * gi * gi; //      v = β2·v + (1−β2)·g²
      w[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtC2 + eps);
    }
  },
  sumSq(g) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    return s;
  },
  scale(g, s) {
    for (let i = 0; i < g.length; i++) g[i] *= s;
  },
  clipValue(g, c) {
    let clipped = false;
    for (let i = 0; i < g.length; i++) {
      if (g[i] > c) { g[i] = c; clipped = true; } else if (g[i] < -c) { g[i] = -c; clipped = true; }
    }
    return clipped;
  },
};
