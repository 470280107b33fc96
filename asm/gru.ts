// GRU timestep element-wise kernels (v128), the reference in src/engine/cells/gru.ts. Gate rows
// have stride G·H (G = 3: r, z, n; minimal G = 2: z, n); hPrev and hNew are (B, H). H % 4 == 0.
import { sigmoid4, tanh4 } from './pointwise';

const one = (): v128 => f32x4.splat(1);

/** r = σ(a_r), z = σ(a_z) in place; rh = r⊙h⟨t−1⟩. */
export function gru_forward_rz(B: i32, H: i32, gates: usize, hPrev: usize, rh: usize): void {
  const H4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const g0 = gates + <usize>b * 3 * H4;
    const o = <usize>b * H4;
    for (let j: usize = 0; j < H4; j += 16) {
      const r = sigmoid4(v128.load(g0 + j));
      v128.store(g0 + j, r);
      v128.store(g0 + H4 + j, sigmoid4(v128.load(g0 + H4 + j)));
      v128.store(rh + o + j, f32x4.mul(r, v128.load(hPrev + o + j)));
    }
  }
}

/** z (σ of it when zAct), n = tanh(a_n) in place; h⟨t⟩ = (1−z)⊙n + z⊙h⟨t−1⟩. */
export function gru_out(B: i32, H: i32, G: i32, zAct: i32, gates: usize, hPrev: usize, hNew: usize): void {
  const H4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const zr = gates + <usize>b * G * H4 + <usize>(G - 2) * H4;
    const nr = zr + H4;
    const o = <usize>b * H4;
    for (let j: usize = 0; j < H4; j += 16) {
      let z = v128.load(zr + j);
      if (zAct) z = sigmoid4(z);
      const n = tanh4(v128.load(nr + j));
      v128.store(zr + j, z);
      v128.store(nr + j, n);
      v128.store(hNew + o + j, f32x4.add(f32x4.mul(f32x4.sub(one(), z), n), f32x4.mul(z, v128.load(hPrev + o + j))));
    }
  }
}

/** dh = dH + dhNext; da_z = dh(h⟨t−1⟩−n)z(1−z); da_n = dh(1−z)(1−n²); dhNext := dh⊙z. */
export function gru_out_backward(B: i32, H: i32, G: i32, gates: usize, hPrev: usize, dH: usize, dhNext: usize, dGates: usize): void {
  const H4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const zr = gates + <usize>b * G * H4 + <usize>(G - 2) * H4;
    const dz = dGates + <usize>b * G * H4 + <usize>(G - 2) * H4;
    const o = <usize>b * H4;
    for (let j: usize = 0; j < H4; j += 16) {
      const z = v128.load(zr + j), n = v128.load(zr + H4 + j);
      const dh = f32x4.add(v128.load(dH + o + j), v128.load(dhNext + o + j));
      const omz = f32x4.sub(one(), z);
      v128.store(dz + j, f32x4.mul(f32x4.mul(f32x4.mul(dh, f32x4.sub(v128.load(hPrev + o + j), n)), z), omz));
      v128.store(dz + H4 + j, f32x4.mul(f32x4.mul(dh, omz), f32x4.sub(one(), f32x4.mul(n, n))));
      v128.store(dhNext + o + j, f32x4.mul(dh, z));
    }
  }
}

/** da_r = drh⊙h⟨t−1⟩⊙r(1−r); dhNext += drh⊙r. */
export function gru_backward_r(B: i32, H: i32, gates: usize, hPrev: usize, drh: usize, dhNext: usize, dGates: usize): void {
  const H4 = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const g0 = gates + <usize>b * 3 * H4;
    const d0 = dGates + <usize>b * 3 * H4;
    const o = <usize>b * H4;
    for (let j: usize = 0; j < H4; j += 16) {
      const r = v128.load(g0 + j);
      const d = v128.load(drh + o + j);
      v128.store(d0 + j, f32x4.mul(f32x4.mul(f32x4.mul(d, v128.load(hPrev + o + j)), r), f32x4.sub(one(), r)));
      v128.store(dhNext + o + j, f32x4.add(v128.load(dhNext + o + j), f32x4.mul(d, r)));
    }
  }
}
