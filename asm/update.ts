// Whole-buffer element-wise work outside the cells (v128): optimiser updates, gradient clipping,
// bias-gradient column sums and the one-hot input gather/scatter. Pointers are byte addresses;
// the JS side (src/engine/kernels/wasm-fused.ts) checks the arguments. Same formulas as the
// TypeScript references (src/train/optimizers.ts, src/train/clip.ts, src/engine/cells/cell.ts).

/** Adam: m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  w −= s·m/(√v/√c2 + ε)  (s = lr/c1). */
export function adam_update(n: i32, w: usize, g: usize, m: usize, v: usize, b1: f32, b2: f32, eps: f32, s: f32, sqrtC2: f32): void {
  const n4 = n & ~3;
  const B1 = f32x4.splat(b1), B2 = f32x4.splat(b2), A1 = f32x4.splat(1 - b1), A2 = f32x4.splat(1 - b2);
  const E = f32x4.splat(eps), S = f32x4.splat(s), R = f32x4.splat(sqrtC2);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(B1, v128.load(m + o)), f32x4.mul(A1, gi));
    const vi = f32x4.add(f32x4.mul(B2, v128.load(v + o)), f32x4.mul(f32x4.mul(A2, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const d = f32x4.div(f32x4.mul(S, mi), f32x4.add(f32x4.div(f32x4.sqrt(vi), R), E));
    v128.store(w + o, f32x4.sub(v128.load(w + o), d));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = b1 * load<f32>(m + o) + (1 - b1) * gi;
    const vi = b2 * load<f32>(v + o) + (1 - b2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, load<f32>(w + o) - (s * mi) / (Mathf.sqrt(vi) / sqrtC2 + eps));
  }
}

/** Adagrad: m += g²;  w −= lr·g/√(m + ε). */
export function adagrad_update(n: i32, w: usize, g: usize, m: usize, lr: f32, eps: f32): void {
  const n4 = n & ~3;
  const L = f32x4.splat(lr), E = f32x4.splat(eps);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(v128.load(m + o), f32x4.mul(gi, gi));
    v128.store(m + o, mi);
    v128.store(w + o, f32x4.sub(v128.load(w + o), f32x4.div(f32x4.mul(L, gi), f32x4.sqrt(f32x4.add(mi, E)))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = load<f32>(m + o) + gi * gi;
    store<f32>(m + o, mi);
    store<f32>(w + o, load<f32>(w + o) - (lr * gi) / Mathf.sqrt(mi + eps));
  }
}

/** Σ g² in float64 (two f64x2 accumulators, then a fixed reduction). */
export function sum_sq(n: i32, g: usize): f64 {
  const n4 = n & ~3;
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const x = v128.load(g + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(x);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1));
    s0 = f64x2.add(s0, f64x2.mul(lo, lo));
    s1 = f64x2.add(s1, f64x2.mul(hi, hi));
  }
  const t = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (let i = n4; i < n; i++) {
    const x = <f64>load<f32>(g + (<usize>i << 2));
    s += x * x;
  }
  return s;
}

/** g ← g·s. */
export function scale(n: i32, g: usize, s: f32): void {
  const n4 = n & ~3;
  const S = f32x4.splat(s);
  for (let i = 0; i < n4; i += 4) v128.store(g + (<usize>i << 2), f32x4.mul(v128.load(g + (<usize>i << 2)), S));
  for (let i = n4; i < n; i++) store<f32>(g + (<usize>i << 2), load<f32>(g + (<usize>i << 2)) * s);
}

/** g ← clamp(g, −c, c); returns 1 if anything changed. NaN stays NaN (as the reference). */
export function clip_value(n: i32, g: usize, c: f32): i32 {
  const n4 = n & ~3;
  const hi = f32x4.splat(c), lo = f32x4.splat(-c);
  let changed = i32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(g + o);
    const over = f32x4.gt(x, hi), under = f32x4.lt(x, lo);
    changed = v128.or(changed, v128.or(over, under));
    v128.store(g + o, v128.bitselect(hi, v128.bitselect(lo, x, under), over));
  }
  let any = v128.any_true(changed) ? 1 : 0;
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(g + o);
    if (x > c) { store<f32>(g + o, c); any = 1; } else if (x < -c) { store<f32>(g + o, -c); any = 1; }
  }
  return any;
}

/** out[j] += Σ_p d[p·ld + j] (j < n, p ascending: the reference's order). d at its offset. */
export function column_sums(P: i32, n: i32, d: usize, ld: i32, out: usize): void {
  const n4 = n & ~3;
  let j = 0;
  // 16 columns at a time in registers, rows ascending
  for (; j + 16 <= n; j += 16) {
    const oj = out + (<usize>j << 2);
    let s0 = v128.load(oj), s1 = v128.load(oj, 16), s2 = v128.load(oj, 32), s3 = v128.load(oj, 48);
    let r = d + (<usize>j << 2);
    for (let p = 0; p < P; p++) {
      s0 = f32x4.add(s0, v128.load(r)); s1 = f32x4.add(s1, v128.load(r, 16));
      s2 = f32x4.add(s2, v128.load(r, 32)); s3 = f32x4.add(s3, v128.load(r, 48));
      r += <usize>ld << 2;
    }
    v128.store(oj, s0); v128.store(oj, s1, 16); v128.store(oj, s2, 32); v128.store(oj, s3, 48);
  }
  for (; j < n4; j += 4) {
    const oj = out + (<usize>j << 2);
    let s0 = v128.load(oj);
    let r = d + (<usize>j << 2);
    for (let p = 0; p < P; p++) {
      s0 = f32x4.add(s0, v128.load(r));
      r += <usize>ld << 2;
    }
    v128.store(oj, s0);
  }
  for (; j < n; j++) {
    const oj = out + (<usize>j << 2);
    let s = load<f32>(oj);
    for (let p = 0; p < P; p++) s += load<f32>(d + ((<usize>p * ld + j) << 2));
    store<f32>(oj, s);
  }
}

/** dst (cols × rows) = srcᵀ, src (rows × cols), both dense. */
export function transpose(rows: i32, cols: i32, src: usize, dst: usize): void {
  const TB: i32 = 16;
  for (let i0 = 0; i0 < rows; i0 += TB) {
    const i1 = min(rows, i0 + TB);
    for (let j0 = 0; j0 < cols; j0 += TB) {
      const j1 = min(cols, j0 + TB);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) store<f32>(dst + ((<usize>j * rows + i) << 2), load<f32>(src + ((<usize>i * cols + j) << 2)));
      }
    }
  }
}

/** gates[p·n + j] = wT[tok[p]·n + j] + bias[j]: one-hot input projection from W_ihᵀ (I, n). */
export function gather_rows(P: i32, n: i32, wT: usize, tok: usize, bias: usize, gates: usize): void {
  const n4 = n & ~3;
  for (let p = 0; p < P; p++) {
    const src = wT + ((<usize>load<i32>(tok + (<usize>p << 2)) * n) << 2);
    const dst = gates + ((<usize>p * n) << 2);
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(src + o), v128.load(bias + o)));
    }
    for (let j = n4; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dst + o, load<f32>(src + o) + load<f32>(bias + o));
    }
  }
}

/** dwT[tok[p]·n + j] += dG[p·n + j], p ascending: the one-hot weight gradient on W_ihᵀ (I, n). */
export function scatter_rows(P: i32, n: i32, dG: usize, tok: usize, dwT: usize): void {
  const n4 = n & ~3;
  for (let p = 0; p < P; p++) {
    const dst = dwT + ((<usize>load<i32>(tok + (<usize>p << 2)) * n) << 2);
    const src = dG + ((<usize>p * n) << 2);
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
    for (let j = n4; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
}

/** gates[p·n + j] = W[j·I + tok[p]] + bias[j] straight from W_ih (n, I): for few positions. */
export function gather_cols(P: i32, n: i32, I: i32, w: usize, tok: usize, bias: usize, gates: usize): void {
  for (let p = 0; p < P; p++) {
    const src = w + (<usize>load<i32>(tok + (<usize>p << 2)) << 2);
    const dst = gates + ((<usize>p * n) << 2);
    for (let j = 0; j < n; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + ((<usize>j * I) << 2)) + load<f32>(bias + (<usize>j << 2)));
  }
}

/** dW[j·I + tok[p]] += dG[p·n + j] straight into dW_ih (n, I): for few positions. */
export function scatter_cols(P: i32, n: i32, I: i32, dG: usize, tok: usize, dw: usize): void {
  for (let p = 0; p < P; p++) {
    const dst = dw + (<usize>load<i32>(tok + (<usize>p << 2)) << 2);
    const src = dG + ((<usize>p * n) << 2);
    for (let j = 0; j < n; j++) {
      const q = dst + ((<usize>j * I) << 2);
      store<f32>(q, load<f32>(q) + load<f32>(src + (<usize>j << 2)));
    }
  }
}
