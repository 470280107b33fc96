// Layer normalisation over rows, the gains' gradients, and the layer-normalised LSTM's timestep
// (v128): the reference's formulas (src/engine/kernels/js/ln-lstm.ts; layouts in ops.ts there),
// op for op. Row widths are multiples of 4; pointers are byte addresses, each at its first row.
import { madd } from './simd';
import { sigmoid4, tanh4 } from './pointwise';

const EPS: f32 = 1e-5; // LN_EPS of the reference

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** z[0…n) := (z − mean)/√(var + ε) in place; returns 1/√(var + ε). */
// @ts-ignore: decorator
@inline function normalise(z: usize, n: i32): f32 {
  const nb = <usize>n << 2;
  let s = f32x4.splat(0);
  for (let j: usize = 0; j < nb; j += 16) s = f32x4.add(s, v128.load(z + j));
  const m = f32x4.splat(hsum(s) / <f32>n);
  let v = f32x4.splat(0);
  for (let j: usize = 0; j < nb; j += 16) {
    const d = f32x4.sub(v128.load(z + j), m);
    v = madd(d, d, v);
  }
  const rstd: f32 = 1 / Mathf.sqrt(hsum(v) / <f32>n + EPS);
  const r = f32x4.splat(rstd);
  for (let j: usize = 0; j < nb; j += 16) v128.store(z + j, f32x4.mul(f32x4.sub(v128.load(z + j), m), r));
  return rstd;
}

/** dz := rstd·(dz − mean dz − ẑ·mean(dz⊙ẑ)) in place over n: ∂J/∂z from ∂J/∂ẑ. */
// @ts-ignore: decorator
@inline function normalise_backward(dz: usize, zHat: usize, n: i32, rstd: f32): void {
  const nb = <usize>n << 2;
  let s1 = f32x4.splat(0), s2 = f32x4.splat(0);
  for (let j: usize = 0; j < nb; j += 16) {
    const d = v128.load(dz + j);
    s1 = f32x4.add(s1, d);
    s2 = madd(d, v128.load(zHat + j), s2);
  }
  const m1 = f32x4.splat(hsum(s1) / <f32>n), m2 = f32x4.splat(hsum(s2) / <f32>n), r = f32x4.splat(rstd);
  for (let j: usize = 0; j < nb; j += 16) {
    v128.store(dz + j, f32x4.mul(r, f32x4.sub(f32x4.sub(v128.load(dz + j), m1), f32x4.mul(v128.load(zHat + j), m2))));
  }
}

/** Each of P rows of n: z := ẑ, rstd[p] := 1/σ, y := γ⊙ẑ + β. */
export function layer_norm_forward(P: i32, n: i32, z: usize, rstd: usize, gain: usize, bias: usize, y: usize): void {
  const nb = <usize>n << 2;
  for (let p = 0; p < P; p++) {
    const zr = z + <usize>p * nb, yr = y + <usize>p * nb;
    store<f32>(rstd + (<usize>p << 2), normalise(zr, n));
    for (let j: usize = 0; j < nb; j += 16) v128.store(yr + j, madd(v128.load(gain + j), v128.load(zr + j), v128.load(bias + j)));
  }
}

/** Each of P rows of n: dz := LN'(dy⊙γ). */
export function layer_norm_backward(P: i32, n: i32, dy: usize, zHat: usize, rstd: usize, gain: usize, dz: usize): void {
  const nb = <usize>n << 2;
  for (let p = 0; p < P; p++) {
    const o = <usize>p * nb;
    for (let j: usize = 0; j < nb; j += 16) v128.store(dz + o + j, f32x4.mul(v128.load(dy + o + j), v128.load(gain + j)));
    normalise_backward(dz + o, zHat + o, n, load<f32>(rstd + (<usize>p << 2)));
  }
}

/** out[j] += Σ_p a[p·n + j]·b[p·n + j], p ascending; 16 columns (a cache line of each) per pass, then 4. */
export function column_dots(P: i32, n: i32, a: usize, b: usize, out: usize): void {
  const nb = <usize>n << 2;
  let j: usize = 0;
  for (; j + 64 <= nb; j += 64) {
    let s0 = v128.load(out + j), s1 = v128.load(out + j, 16), s2 = v128.load(out + j, 32), s3 = v128.load(out + j, 48);
    for (let p = 0; p < P; p++) {
      const x = a + <usize>p * nb + j, y = b + <usize>p * nb + j;
      s0 = madd(v128.load(x), v128.load(y), s0);
      s1 = madd(v128.load(x, 16), v128.load(y, 16), s1);
      s2 = madd(v128.load(x, 32), v128.load(y, 32), s2);
      s3 = madd(v128.load(x, 48), v128.load(y, 48), s3);
    }
    v128.store(out + j, s0); v128.store(out + j, s1, 16); v128.store(out + j, s2, 32); v128.store(out + j, s3, 48);
  }
  for (; j < nb; j += 16) {
    let s = v128.load(out + j);
    for (let p = 0; p < P; p++) s = madd(v128.load(a + <usize>p * nb + j), v128.load(b + <usize>p * nb + j), s);
    v128.store(out + j, s);
  }
}

/**
 * One timestep over `rows` rows: a += γ_hh⊙LN(raw in hHat); i f g o; c⟨t⟩ = f⊙c⟨t−1⟩ + i⊙g;
 * ĉ = LN(c⟨t⟩); tanhC = tanh(γ_c⊙ĉ + β_c); h⟨t⟩ = o⊙tanhC.   norm = γ_hh (4H), γ_c (H), β_c (H)
 */
export function ln_lstm_forward(
  rows: i32, H: i32, gates: usize, hHat: usize, rstdH: usize, cPrev: usize, cNew: usize, cHat: usize, rstdC: usize,
  tanhC: usize, h: usize, norm: usize,
): void {
  const rowB = <usize>(4 * H) << 2, H4 = <usize>H << 2;
  const gC = norm + rowB, bC = gC + H4;
  for (let b = 0; b < rows; b++) {
    const a = gates + <usize>b * rowB, hh = hHat + <usize>b * rowB, o = <usize>b * H4;
    store<f32>(rstdH + (<usize>b << 2), normalise(hh, 4 * H));
    for (let j: usize = 0; j < rowB; j += 16) v128.store(a + j, madd(v128.load(norm + j), v128.load(hh + j), v128.load(a + j)));
    for (let j: usize = 0; j < H4; j += 16) {
      const i = sigmoid4(v128.load(a + j)), f = sigmoid4(v128.load(a + H4 + j)), g = tanh4(v128.load(a + 2 * H4 + j)), og = sigmoid4(v128.load(a + 3 * H4 + j));
      v128.store(a + j, i); v128.store(a + H4 + j, f); v128.store(a + 2 * H4 + j, g); v128.store(a + 3 * H4 + j, og);
      const c = f32x4.add(f32x4.mul(f, v128.load(cPrev + o + j)), f32x4.mul(i, g)); // c = f⊙c_prev + i⊙g
      v128.store(cNew + o + j, c);
      v128.store(cHat + o + j, c);
    }
    store<f32>(rstdC + (<usize>b << 2), normalise(cHat + o, H));
    for (let j: usize = 0; j < H4; j += 16) {
      const th = tanh4(madd(v128.load(gC + j), v128.load(cHat + o + j), v128.load(bC + j)));
      v128.store(tanhC + o + j, th);
      v128.store(h + o + j, f32x4.mul(v128.load(a + 3 * H4 + j), th)); // h = o⊙tanh(γ_c⊙ĉ + β_c)
    }
  }
}

/**
 * One timestep of BPTT over `rows` rows, from dh = dH + dhNext: dZc, dGates, dcNext := ∂J/∂c⟨t−1⟩,
 * dGh = LN'(da⊙γ_hh). ∂J/∂ĉ is parked in the i block of dGates until da_i overwrites it.
 */
export function ln_lstm_backward(
  rows: i32, H: i32, gates: usize, hHat: usize, rstdH: usize, cPrev: usize, cHat: usize, rstdC: usize, tanhC: usize, norm: usize,
  dH: usize, dhNext: usize, dcNext: usize, dGates: usize, dGh: usize, dZc: usize,
): void {
  const rowB = <usize>(4 * H) << 2, H4 = <usize>H << 2;
  const gC = norm + rowB;
  const one = f32x4.splat(1);
  for (let b = 0; b < rows; b++) {
    const g0 = gates + <usize>b * rowB, d0 = dGates + <usize>b * rowB, e0 = dGh + <usize>b * rowB, o = <usize>b * H4;
    for (let j: usize = 0; j < H4; j += 16) {
      const dh = f32x4.add(v128.load(dH + o + j), v128.load(dhNext + o + j));
      const og = v128.load(g0 + 3 * H4 + j), th = v128.load(tanhC + o + j);
      v128.store(d0 + 3 * H4 + j, f32x4.mul(f32x4.mul(f32x4.mul(dh, th), og), f32x4.sub(one, og)));
      const dz = f32x4.mul(f32x4.mul(dh, og), f32x4.sub(one, f32x4.mul(th, th)));
      v128.store(dZc + o + j, dz);
      v128.store(d0 + j, f32x4.mul(dz, v128.load(gC + j)));
    }
    normalise_backward(d0, cHat + o, H, load<f32>(rstdC + (<usize>b << 2)));
    for (let j: usize = 0; j < H4; j += 16) {
      const i = v128.load(g0 + j), f = v128.load(g0 + H4 + j), g = v128.load(g0 + 2 * H4 + j);
      const dc = f32x4.add(v128.load(d0 + j), v128.load(dcNext + o + j));
      v128.store(d0 + j, f32x4.mul(f32x4.mul(f32x4.mul(dc, g), i), f32x4.sub(one, i)));
      v128.store(d0 + H4 + j, f32x4.mul(f32x4.mul(f32x4.mul(dc, v128.load(cPrev + o + j)), f), f32x4.sub(one, f)));
      v128.store(d0 + 2 * H4 + j, f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(dcNext + o + j, f32x4.mul(dc, f));
    }
    for (let j: usize = 0; j < rowB; j += 16) v128.store(e0 + j, f32x4.mul(v128.load(d0 + j), v128.load(norm + j)));
    normalise_backward(e0, hHat + <usize>b * rowB, 4 * H, load<f32>(rstdH + (<usize>b << 2)));
  }
}
