// Fused element-wise kernels (v128): LSTM and tanh-RNN timestep forward/backward, softmax
// cross-entropy. Pointers are byte addresses; the JS side (src/engine/kernels/wasm-fused.ts)
// checks the arguments and converts element offsets. Same formulas as the reference cells.

import { madd } from './simd'; // relaxed builds: fused multiply-add in the polynomials

// tanh as Eigen's float rational approximation x·P(x²)/Q(x²), |x| clamped to 7.905 (a few ulp).
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const lim = f32x4.splat(7.90531110763549805);
  x = f32x4.min(f32x4.max(x, f32x4.neg(lim)), lim);
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = madd(p, x2, f32x4.splat(2.00018790482477e-13));
  p = madd(p, x2, f32x4.splat(-8.60467152213735e-11));
  p = madd(p, x2, f32x4.splat(5.12229709037114e-08));
  p = madd(p, x2, f32x4.splat(1.48572235717979e-05));
  p = madd(p, x2, f32x4.splat(6.37261928875436e-04));
  p = madd(p, x2, f32x4.splat(4.89352455891786e-03));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(1.19825839466702e-06);
  q = madd(q, x2, f32x4.splat(1.18534705686654e-04));
  q = madd(q, x2, f32x4.splat(2.26843463243900e-03));
  q = madd(q, x2, f32x4.splat(4.89352518554385e-03));
  return f32x4.div(p, q);
}

// σ(x) = ½ + ½·tanh(x/2)
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const h = f32x4.splat(0.5);
  return f32x4.add(h, f32x4.mul(h, tanh4(f32x4.mul(h, x))));
}

// e^x for x ≤ 0 region and beyond: 2^(x·log2e) = 2^n · 2^f, f ∈ [−½, ½], degree-6 polynomial.
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const t = f32x4.mul(x, f32x4.splat(1.44269504088896341));
  const n = f32x4.nearest(t);
  const f = f32x4.sub(t, n);
  let p = f32x4.splat(1.535336188319500e-4);
  p = madd(p, f, f32x4.splat(1.339887440266574e-3));
  p = madd(p, f, f32x4.splat(9.618437357674640e-3));
  p = madd(p, f, f32x4.splat(5.550332471162809e-2));
  p = madd(p, f, f32x4.splat(2.402264791363012e-1));
  p = madd(p, f, f32x4.splat(6.931472028550421e-1));
  p = madd(p, f, f32x4.splat(1.0));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

const one = (): v128 => f32x4.splat(1);

/** LSTM timestep forward (gate order i f g o, rows of stride 4H). H % 4 == 0. */
export function lstm_forward(B: i32, H: i32, gates: usize, cPrev: usize, cNew: usize, tanhC: usize, h: usize): void {
  const rowB = <usize>(4 * H) << 2;
  const H4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const g0 = gates + <usize>b * rowB;
    const o = <usize>b * H4;
    for (let j: usize = 0; j < H4; j += 16) {
      const gi = g0 + j;
      const i = sigmoid4(v128.load(gi));
      const f = sigmoid4(v128.load(gi + H4));
      const g = tanh4(v128.load(gi + 2 * H4));
      const cp = v128.load(cPrev + o + j);
      const ct = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g)); // c = f⊙c_prev + i⊙g
      const og = sigmoid4(v128.load(gi + 3 * H4));
      const tc = tanh4(ct);
      v128.store(gi, i);
      v128.store(gi + H4, f);
      v128.store(gi + 2 * H4, g);
      v128.store(gi + 3 * H4, og);
      v128.store(cNew + o + j, ct);
      v128.store(tanhC + o + j, tc);
      v128.store(h + o + j, f32x4.mul(og, tc)); // h = o⊙tanh(c)
    }
  }
}

/** LSTM timestep backward; dcNext (B, H) is read as ∂J/∂c⟨t⟩ and overwritten with ∂J/∂c⟨t−1⟩. */
export function lstm_backward(
  B: i32, H: i32, gates: usize, cPrev: usize, tanhC: usize, dH: usize, dhNext: usize, dcNext: usize, dGates: usize,
): void {
  const rowB = <usize>(4 * H) << 2;
  const H4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const g0 = gates + <usize>b * rowB;
    const d0 = dGates + <usize>b * rowB;
    const o = <usize>b * H4;
    for (let j: usize = 0; j < H4; j += 16) {
      const i = v128.load(g0 + j), f = v128.load(g0 + H4 + j), g = v128.load(g0 + 2 * H4 + j), og = v128.load(g0 + 3 * H4 + j);
      const cp = v128.load(cPrev + o + j);
      const tc = v128.load(tanhC + o + j);
      const dh = f32x4.add(v128.load(dH + o + j), v128.load(dhNext + o + j));
      const dao = f32x4.mul(f32x4.mul(f32x4.mul(dh, tc), og), f32x4.sub(one(), og));
      const dc = f32x4.add(v128.load(dcNext + o + j), f32x4.mul(f32x4.mul(dh, og), f32x4.sub(one(), f32x4.mul(tc, tc))));
      const dai = f32x4.mul(f32x4.mul(f32x4.mul(dc, g), i), f32x4.sub(one(), i));
      const daf = f32x4.mul(f32x4.mul(f32x4.mul(dc, cp), f), f32x4.sub(one(), f));
      const dag = f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one(), f32x4.mul(g, g)));
      v128.store(d0 + j, dai);
      v128.store(d0 + H4 + j, daf);
      v128.store(d0 + 2 * H4 + j, dag);
      v128.store(d0 + 3 * H4 + j, dao);
      v128.store(dcNext + o + j, f32x4.mul(dc, f));
    }
  }
}

/** h = tanh(a) over n elements (n % 4 == 0). */
export function tanh_forward(n: i32, a: usize, h: usize): void {
  const n4 = <usize>n << 2;
  for (let j: usize = 0; j < n4; j += 16) v128.store(h + j, tanh4(v128.load(a + j)));
}

/** dA = (dH + dhNext)·(1 − h²) over n elements (n % 4 == 0). */
export function tanh_backward(n: i32, h: usize, dH: usize, dhNext: usize, dA: usize): void {
  const n4 = <usize>n << 2;
  for (let j: usize = 0; j < n4; j += 16) {
    const hv = v128.load(h + j);
    v128.store(dA + j, f32x4.mul(f32x4.add(v128.load(dH + j), v128.load(dhNext + j)), f32x4.sub(one(), f32x4.mul(hv, hv))));
  }
}

/** max of the row z[0..V), four lanes at a time. */
// @ts-ignore: decorator
@inline function rowMax(z: usize, V: i32): f32 {
  const V4 = V & ~3;
  let mv = f32x4.splat(-Infinity);
  let v = 0;
  for (; v < V4; v += 4) mv = f32x4.max(mv, v128.load(z + (<usize>v << 2)));
  let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; v < V; v++) m = max(m, load<f32>(z + (<usize>v << 2)));
  return m;
}

/**
 * Softmax cross-entropy over N rows of V logits (row stride V): writes dlogits = (ŷ − onehot(y))/N
 * (may alias logits) and returns Σ_p −log ŷ_p[y_p] (the caller divides by N). y: i32 targets.
 */
export function softmax_xent(N: i32, V: i32, logits: usize, y: usize, dlogits: usize): f64 {
  let loss: f64 = 0;
  const inv: f32 = 1 / <f32>N;
  const V4 = V & ~3;
  for (let p = 0; p < N; p++) {
    const z = logits + (<usize>p * V << 2);
    const d = dlogits + (<usize>p * V << 2);
    const t = load<i32>(y + (<usize>p << 2));
    const zt = load<f32>(z + (<usize>t << 2)); // before d (which may alias z) is written
    const m = rowMax(z, V);
    let v = 0;
    // exp and sum
    const ms = f32x4.splat(m);
    let sv = f32x4.splat(0);
    for (v = 0; v < V4; v += 4) {
      const e = exp4(f32x4.sub(v128.load(z + (<usize>v << 2)), ms));
      v128.store(d + (<usize>v << 2), e);
      sv = f32x4.add(sv, e);
    }
    let s = (f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1)) + (f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3));
    for (; v < V; v++) {
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(z + (<usize>v << 2)) - m)), 0);
      store<f32>(d + (<usize>v << 2), e);
      s += e;
    }
    const lse = <f64>m + Math.log(<f64>s);
    loss += lse - <f64>zt;
    const sc = f32x4.splat(inv / s);
    for (v = 0; v < V4; v += 4) v128.store(d + (<usize>v << 2), f32x4.mul(v128.load(d + (<usize>v << 2)), sc));
    for (; v < V; v++) store<f32>(d + (<usize>v << 2), load<f32>(d + (<usize>v << 2)) * (inv / s));
    store<f32>(d + (<usize>t << 2), load<f32>(d + (<usize>t << 2)) - inv);
  }
  return loss;
}

/** out[p] = log ŷ_p[y_p] = z_p[y_p] − logsumexp(z_p) (float64 out), logits untouched. */
export function log_probs(N: i32, V: i32, logits: usize, y: usize, out: usize): void {
  const V4 = V & ~3;
  for (let p = 0; p < N; p++) {
    const z = logits + (<usize>p * V << 2);
    const m = rowMax(z, V);
    let v = 0;
    const ms = f32x4.splat(m);
    let sv = f32x4.splat(0);
    for (v = 0; v < V4; v += 4) sv = f32x4.add(sv, exp4(f32x4.sub(v128.load(z + (<usize>v << 2)), ms)));
    let s = (f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1)) + (f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3));
    for (; v < V; v++) s += f32x4.extract_lane(exp4(f32x4.splat(load<f32>(z + (<usize>v << 2)) - m)), 0);
    const t = load<i32>(y + (<usize>p << 2));
    store<f64>(out + (<usize>p << 3), <f64>load<f32>(z + (<usize>t << 2)) - (<f64>m + Math.log(<f64>s)));
  }
}
