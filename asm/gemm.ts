// WebAssembly SIMD GEMM (AssemblyScript). C (M×N) = op(A) (M×K) · op(B) (K×N) + beta·C.
// All pointers are byte addresses into the (shared, imported) linear memory; leading dimensions
// are in elements. Goto-style blocking: B packed into KC×NR panels, A into MR×KC panels, and a
// register-blocked MR×NR micro-kernel (4×8: V8 issues a block's loads before its FMAs, so the 4 splats
// + 2 B vectors + 8 accumulators must fit the 15 usable xmm registers; 6×8 spills). Every element of C is summed over k in a fixed order
// (k blocks ascending, k ascending inside a block), whatever the tile or thread it lands in.

import { madd } from './simd';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 120; // multiple of MR
const NC: i32 = 1024; // multiple of NR

/** Bytes of scratch one thread needs: packed A (MC×KC), packed B (KC×NC) and an edge tile. */
export function scratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

// @ts-ignore: decorator
@inline function ldA(a: usize, lda: i32, transA: i32, i: i32, k: i32): f32 {
  return transA ? load<f32>(a + ((<usize>k * lda + i) << 2)) : load<f32>(a + ((<usize>i * lda + k) << 2));
}

/** Pack op(A)[i0:i0+mc, p0:p0+kc] into MR-row panels: panel r holds, for each k, MR values. */
function packA(transA: i32, a: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let r = 0; r < mc; r += MR) {
    const rows = min(MR, mc - r);
    if (!transA && rows == MR) {
      const a0 = a + ((<usize>(i0 + r) * lda + p0) << 2);
      const st = <usize>lda << 2;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        // 4 rows × 4 k, transposed 4×4 with shuffles into 4 k-steps of MR values
        const q = a0 + (<usize>k << 2);
        const x0 = v128.load(q), x1 = v128.load(q + st), x2 = v128.load(q + 2 * st), x3 = v128.load(q + 3 * st);
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(dst, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
        v128.store(dst, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
        v128.store(dst, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
        dst += 4 * (MR << 2);
      }
      for (; k < kc; k++) {
        const s = a0 + (<usize>k << 2);
        store<f32>(dst, load<f32>(s));
        store<f32>(dst, load<f32>(s + st), 4);
        store<f32>(dst, load<f32>(s + 2 * st), 8);
        store<f32>(dst, load<f32>(s + 3 * st), 12);
        dst += MR << 2;
      }
    } else if (transA && rows == MR) {
      for (let k = 0; k < kc; k++) {
        const s = a + ((<usize>(p0 + k) * lda + i0 + r) << 2);
        v128.store(dst, v128.load(s));
        dst += MR << 2;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let ii = 0; ii < MR; ii++) {
          store<f32>(dst + (ii << 2), ii < rows ? ldA(a, lda, transA, i0 + r + ii, p0 + k) : 0);
        }
        dst += MR << 2;
      }
    }
  }
}

/** Pack op(B)[p0:p0+kc, j0:j0+nc] into NR-column panels: panel s holds, for each k, NR values. */
function packB(transB: i32, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let s = 0; s < nc; s += NR) {
    const cols = min(NR, nc - s);
    if (!transB && cols == NR) {
      let src = b + ((<usize>p0 * ldb + j0 + s) << 2);
      const st = <usize>ldb << 2;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += st;
        dst += NR << 2;
      }
    } else if (transB && cols == NR) {
      // B stored N×K: 8 rows of B, transposed 4×4 at a time with shuffles.
      const st = <usize>ldb << 2;
      const r0 = b + ((<usize>(j0 + s) * ldb + p0) << 2);
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const src = r0 + (<usize>k << 2);
        for (let h = 0; h < 2; h++) {
          const q = src + <usize>h * 4 * st;
          const x0 = v128.load(q), x1 = v128.load(q + st), x2 = v128.load(q + 2 * st), x3 = v128.load(q + 3 * st);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5); // a0 b0 a1 b1
          const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7); // a2 b2 a3 b3
          const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          const d = dst + (<usize>h << 4);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
          v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
          v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
        }
        dst += 4 * (NR << 2);
      }
      for (; k < kc; k++) {
        const src = r0 + (<usize>k << 2);
        for (let jj = 0; jj < NR; jj++) store<f32>(dst + (jj << 2), load<f32>(src + <usize>jj * st));
        dst += NR << 2;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let jj = 0; jj < NR; jj++) {
          let v: f32 = 0;
          if (jj < cols) {
            v = transB
              ? load<f32>(b + ((<usize>(j0 + s + jj) * ldb + p0 + k) << 2))
              : load<f32>(b + ((<usize>(p0 + k) * ldb + j0 + s + jj) << 2));
          }
          store<f32>(dst + (jj << 2), v);
        }
        dst += NR << 2;
      }
    }
  }
}

// @ts-ignore: decorator
@inline function out2(c: usize, x0: v128, x1: v128, acc: i32): void {
  if (acc) {
    x0 = f32x4.add(v128.load(c), x0);
    x1 = f32x4.add(v128.load(c, 16), x1);
  }
  v128.store(c, x0);
  v128.store(c, x1, 16);
}

/** The MR×NR micro-kernel: C tile (ldc in bytes) = [C +] Apanel · Bpanel over kc. */
function kernel(kc: i32, pa: usize, pb: usize, c: usize, ldcB: usize, acc: i32): void {
  const z = f32x4.splat(0);
  let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
  let c30 = z, c31 = z;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += MR << 2;
    pb += NR << 2;
  }
  out2(c, c00, c01, acc); c += ldcB;
  out2(c, c10, c11, acc); c += ldcB;
  out2(c, c20, c21, acc); c += ldcB;
  out2(c, c30, c31, acc);
}

/** An edge tile (mr < MR or nr < NR): the micro-kernel into `tile`, then its mr×nr corner into C. */
// @ts-ignore: decorator
@inline function edgeKernel(kc: i32, pa: usize, pb: usize, tile: usize, cp: usize, ldcB: usize, mr: i32, nr: i32, acc: i32): void {
  kernel(kc, pa, pb, tile, NR << 2, 0);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const q = cp + (<usize>i * ldcB) + (<usize>j << 2);
      const t = load<f32>(tile + ((i * NR + j) << 2));
      store<f32>(q, acc ? load<f32>(q) + t : t);
    }
  }
}

/** Packed path. scratch: scratchBytes() bytes, 16-byte aligned. */
function gemmPacked(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: i32, c: usize, ldc: i32, scratch: usize,
): void {
  const pA = scratch;
  const pB = scratch + <usize>(MC * KC * 4);
  const tile = pB + <usize>(KC * NC * 4);
  const ldcB = <usize>ldc << 2;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const acc = pc > 0 || beta != 0 ? 1 : 0;
      packB(transB, b, ldb, pc, kc, jc, nc, pB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(transA, a, lda, ic, mc, pc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = pB + <usize>jr * kc * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = pA + <usize>ir * kc * 4;
            const cp = c + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            if (mr == MR && nr == NR) {
              kernel(kc, pa, pb, cp, ldcB, acc);
            } else {
              edgeKernel(kc, pa, pb, tile, cp, ldcB, mr, nr, acc);
            }
          }
        }
      }
    }
    // K == 0: C = beta·C
    if (K == 0 && beta == 0) {
      for (let i = 0; i < M; i++) for (let j = 0; j < nc; j++) store<f32>(c + <usize>i * ldcB + (<usize>(jc + j) << 2), 0);
    }
  }
}

/** Elements of a prepacked op(B) (K×N): per block of NC columns, per KC block, kc × (nc rounded up to NR). */
export function packedFloats(K: i32, N: i32): i32 {
  return K * (((N + NR - 1) / NR) * NR);
}

/** Pack all of op(B) (K×N) into dst (packedFloats(K, N) floats) in the order gemmPre reads it. */
export function pack_b(transB: i32, K: i32, N: i32, b: usize, ldb: i32, dst: usize): void {
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    const ncPad = ((nc + NR - 1) / NR) * NR;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(transB, b, ldb, pc, kc, jc, nc, dst + ((<usize>jc * K + <usize>pc * ncPad) << 2));
    }
  }
}

/**
 * gemmPacked with B already packed by pack_b (bp; the full op(B) is K×Nfull): computes the columns
 * [col0, col0 + N) of op(A)·op(B) into C (c points at column col0). col0 is a multiple of NR. The
 * same blocks, micro-kernel and summation order as gemmPacked, so the same bits.
 */
function gemmPre(
  transA: i32, M: i32, N: i32, K: i32, a: usize, lda: i32, bp: usize, Nfull: i32, col0: i32,
  beta: i32, c: usize, ldc: i32, scratch: usize,
): void {
  const pA = scratch;
  const tile = scratch + <usize>((MC * KC + KC * NC) * 4);
  const ldcB = <usize>ldc << 2;
  const jEnd = col0 + N;
  let j0 = col0;
  while (j0 < jEnd) {
    const blk = j0 - j0 % NC;
    const ncB = min(NC, Nfull - blk);
    const ncPad = ((ncB + NR - 1) / NR) * NR;
    const hi = min(jEnd, blk + NC);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const acc = pc > 0 || beta != 0 ? 1 : 0;
      const pB = bp + ((<usize>blk * K + <usize>pc * ncPad) << 2);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(transA, a, lda, ic, mc, pc, kc, pA);
        for (let jr = j0; jr < hi; jr += NR) {
          const nr = min(NR, hi - jr);
          const pb = pB + <usize>(jr - blk) * kc * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = pA + <usize>ir * kc * 4;
            const cp = c + ((<usize>(ic + ir) * ldc + (jr - col0)) << 2);
            if (mr == MR && nr == NR) {
              kernel(kc, pa, pb, cp, ldcB, acc);
            } else {
              edgeKernel(kc, pa, pb, tile, cp, ldcB, mr, nr, acc);
            }
          }
        }
      }
    }
    j0 = hi;
  }
}

/** Few rows (e.g. batch-1 sampling): stream B directly, no packing. One row of C at a time. */
function gemmRows(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: i32, c: usize, ldc: i32,
): void {
  const z = f32x4.splat(0);
  for (let i = 0; i < M; i++) {
    const crow = c + (<usize>i * ldc << 2);
    if (!transB) {
      // c[j] = sum_k a[k] · B[k, j]: 16 columns at a time, k ascending.
      let j = 0;
      for (; j + 16 <= N; j += 16) {
        let s0 = z, s1 = z, s2 = z, s3 = z;
        let bp = b + (<usize>j << 2);
        for (let k = 0; k < K; k++) {
          const av = f32x4.splat(ldA(a, lda, transA, i, k));
          s0 = madd(av, v128.load(bp), s0);
          s1 = madd(av, v128.load(bp, 16), s1);
          s2 = madd(av, v128.load(bp, 32), s2);
          s3 = madd(av, v128.load(bp, 48), s3);
          bp += <usize>ldb << 2;
        }
        const q = crow + (<usize>j << 2);
        if (beta) {
          s0 = f32x4.add(v128.load(q), s0); s1 = f32x4.add(v128.load(q, 16), s1);
          s2 = f32x4.add(v128.load(q, 32), s2); s3 = f32x4.add(v128.load(q, 48), s3);
        }
        v128.store(q, s0); v128.store(q, s1, 16); v128.store(q, s2, 32); v128.store(q, s3, 48);
      }
      for (; j + 4 <= N; j += 4) {
        let s0 = z;
        let bp = b + (<usize>j << 2);
        for (let k = 0; k < K; k++) {
          s0 = madd(f32x4.splat(ldA(a, lda, transA, i, k)), v128.load(bp), s0);
          bp += <usize>ldb << 2;
        }
        const q = crow + (<usize>j << 2);
        if (beta) s0 = f32x4.add(v128.load(q), s0);
        v128.store(q, s0);
      }
      for (; j < N; j++) {
        let s: f32 = 0;
        for (let k = 0; k < K; k++) s += ldA(a, lda, transA, i, k) * load<f32>(b + ((<usize>k * ldb + j) << 2));
        const q = crow + (<usize>j << 2);
        store<f32>(q, beta ? load<f32>(q) + s : s);
      }
    } else {
      // c[j] = dot(a row, B row j): 4 rows of B at a time, 4-lane partial sums then a fixed reduction.
      if (transA) {
        // gather the row of op(A) into the packed edge area is not available here: scalar k loop
        for (let j = 0; j < N; j++) {
          let s: f32 = 0;
          const bp = b + (<usize>j * ldb << 2);
          for (let k = 0; k < K; k++) s += ldA(a, lda, 1, i, k) * load<f32>(bp + (<usize>k << 2));
          const q = crow + (<usize>j << 2);
          store<f32>(q, beta ? load<f32>(q) + s : s);
        }
        continue;
      }
      const ap = a + (<usize>i * lda << 2);
      let j = 0;
      for (; j < N; j += 4) {
        const nb = min(4, N - j);
        const b0 = b + (<usize>j * ldb << 2);
        const st = <usize>ldb << 2;
        const b1 = nb > 1 ? b0 + st : b0;
        const b2 = nb > 2 ? b0 + 2 * st : b0;
        const b3 = nb > 3 ? b0 + 3 * st : b0;
        let s0 = z, s1 = z, s2 = z, s3 = z;
        let k = 0;
        for (; k + 4 <= K; k += 4) {
          const o = <usize>k << 2;
          const av = v128.load(ap + o);
          s0 = madd(av, v128.load(b0 + o), s0);
          s1 = madd(av, v128.load(b1 + o), s1);
          s2 = madd(av, v128.load(b2 + o), s2);
          s3 = madd(av, v128.load(b3 + o), s3);
        }
        // reduce: lanes (0+2)+(1+3) for each, via two shuffled adds
        const u0 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 1, 4, 5), v128.shuffle<f32>(s0, s1, 2, 3, 6, 7));
        const u1 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 1, 4, 5), v128.shuffle<f32>(s2, s3, 2, 3, 6, 7));
        let r = f32x4.add(v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), v128.shuffle<f32>(u0, u1, 1, 3, 5, 7));
        for (; k < K; k++) {
          const av = f32x4.splat(load<f32>(ap + (<usize>k << 2)));
          const o = <usize>k << 2;
          const bv = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(b0 + o)),
            1, load<f32>(b1 + o)), 2, load<f32>(b2 + o)), 3, load<f32>(b3 + o));
          r = madd(av, bv, r);
        }
        const q = crow + (<usize>j << 2);
        for (let jj = 0; jj < nb; jj++) {
          let s: f32 = 0;
          if (jj == 0) s = f32x4.extract_lane(r, 0);
          else if (jj == 1) s = f32x4.extract_lane(r, 1);
          else if (jj == 2) s = f32x4.extract_lane(r, 2);
          else s = f32x4.extract_lane(r, 3);
          const qq = q + (<usize>jj << 2);
          store<f32>(qq, beta ? load<f32>(qq) + s : s);
        }
      }
    }
  }
}

/** Rows of C below which the unpacked row path is used. */
const ROWS_PATH: i32 = 4;

/**
 * transB = 2: b is a prepacked op(B) (pack_b) of ldb = Nfull columns, and C's columns start at
 * col0 of it (K > 0). Otherwise col0 is ignored.
 */
export function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: i32, c: usize, ldc: i32, scratch: usize, col0: i32,
): void {
  if (M <= 0 || N <= 0) return;
  if (transB == 2) gemmPre(transA, M, N, K, a, lda, b, ldb, col0, beta, c, ldc, scratch);
  else if (M < ROWS_PATH) gemmRows(transA, transB, M, N, K, a, lda, b, ldb, beta, c, ldc);
  else gemmPacked(transA, transB, M, N, K, a, lda, b, ldb, beta, c, ldc, scratch);
}
