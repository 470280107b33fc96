import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../src/engine/kernels/index.ts';
import type { Kernels } from '../../../src/engine/kernels/ops.ts';
import type { WasmKernels } from '../../../src/engine/kernels/wasm.ts';
import type { Param } from '../../../src/engine/types.ts';
import { clipGradients } from '../../../src/train/clip.ts';
import { createOptimizer } from '../../../src/train/optimizers.ts';
import { Rng } from '../../../src/util/rng.ts';
import { expectClose, wasmBuffers } from './wasm-buffers.ts';
import { FAST_BACKENDS } from './backends.ts';

// The fused GRU, skeleton (gather/scatter/column sums), loss, optimiser and clipping kernels
// against the TypeScript references.

for (const backend of FAST_BACKENDS) describe(backend.name, () => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await backend.create({ threads: 1 });
  });
  afterAll(() => k.close());

  const rng = new Rng(5);
  const { rand, copy } = wasmBuffers(() => k, rng);
  const close = expectClose;
  const js = referenceKernels('f32');
  /** The wasm backend's override of an op (not the reference it falls back to). */
  const f = <N extends keyof Kernels>(name: N): Kernels[N] => {
    expect(k[name]).not.toBe(js[name]);
    return k[name];
  };

  describe('fused GRU kernels', () => {
    it('cho: forward_rz, forward_n, backward_n, backward_r', () => {
      const fRz = f('gruForwardRz'), fN = f('gruForwardN');
      const bN = f('gruBackwardN'), bR = f('gruBackwardR');
      for (const [B, H] of [[1, 4], [3, 8], [32, 64]] as const) {
        const gOff = 3 * H, hOff = 2, rhOff = 1;
        const gates = rand(gOff + 3 * B * H), h = rand(hOff + 2 * B * H), rh = k.alloc(rhOff + B * H) as Float32Array;
        const [g2, h2, rh2] = [copy(gates), copy(h), copy(rh)];
        fRz(B, H, gates, gOff, h, hOff, rh, rhOff);
        js.gruForwardRz(B, H, g2, gOff, h2, hOff, rh2, rhOff);
        close(gates, g2, 3e-6);
        close(rh, rh2, 3e-6);
        fN(B, H, gates, gOff, h, hOff);
        js.gruForwardN(B, H, g2, gOff, h2, hOff);
        close(gates, g2, 3e-6);
        close(h, h2, 3e-6);
        const dH = rand(5 + B * H), dhNext = rand(B * H), dG = k.alloc(3 + 3 * B * H) as Float32Array;
        const [dhN2, dG2] = [copy(dhNext), copy(dG)];
        bN(B, H, gates, gOff, h, hOff, dH, 5, dhNext, dG, 3);
        js.gruBackwardN(B, H, gates, gOff, h, hOff, dH, 5, dhN2, dG2, 3);
        close(dG, dG2, 1e-5);
        close(dhNext, dhN2, 1e-5);
        const drh = rand(B * H);
        bR(B, H, gates, gOff, h, hOff, drh, dhNext, dG, 3);
        js.gruBackwardR(B, H, gates, gOff, h, hOff, drh, dhN2, dG2, 3);
        close(dG, dG2, 1e-5);
        close(dhNext, dhN2, 1e-5);
      }
    });

    it('minimal: forward and backward', () => {
      const fM = f('gruMinimalForward'), bM = f('gruMinimalBackward');
      const B = 5, H = 12;
      const gates = rand(2 * B * H), h = rand(2 * B * H);
      const [g2, h2] = [copy(gates), copy(h)];
      fM(B, H, gates, 0, h, 0);
      js.gruMinimalForward(B, H, g2, 0, h2, 0);
      close(gates, g2, 3e-6);
      close(h, h2, 3e-6);
      const dH = rand(B * H), dhNext = rand(B * H), dG = k.alloc(2 * B * H) as Float32Array;
      const [dhN2, dG2] = [copy(dhNext), copy(dG)];
      bM(B, H, gates, 0, h, 0, dH, 0, dhNext, dG, 0);
      js.gruMinimalBackward(B, H, gates, 0, h, 0, dH, 0, dhN2, dG2, 0);
      close(dG, dG2, 1e-5);
      close(dhNext, dhN2, 1e-5);
    });
  });

  describe('fused skeleton and loss kernels', () => {
    it('column_sums is bit-identical to the reference', () => {
      const cs = f('columnSums');
      for (const [P, n, ld, off] of [[1, 3, 3, 0], [37, 65, 70, 2], [256, 512, 512, 0]] as const) {
        const d = rand(off + P * ld), out = rand(n), out2 = copy(out);
        cs(d, off, ld, P, n, out);
        js.columnSums(d, off, ld, P, n, out2);
        expect(Array.from(out)).toEqual(Array.from(out2));
      }
    });

    it('gather_columns and scatter_columns are bit-identical to the reference (few and many positions)', () => {
      const g = f('gatherColumns'), s = f('scatterColumns');
      for (const [P, GH, I] of [[1, 8, 5], [25, 100, 65], [300, 128, 65], [100, 30, 7]] as const) {
        const W = rand(GH * I), bias = rand(GH);
        const tokens = new Int32Array(P).map(() => rng.int(I));
        const gates = k.alloc(P * GH) as Float32Array, gates2 = k.alloc(P * GH) as Float32Array;
        g(P, GH, I, W, tokens, bias, gates);
        js.gatherColumns(P, GH, I, W, tokens, bias, gates2);
        expect(Array.from(gates)).toEqual(Array.from(gates2));
        const dG = rand(P * GH), dW = rand(GH * I), dW2 = copy(dW);
        s(P, GH, I, dG, tokens, dW);
        js.scatterColumns(P, GH, I, dG, tokens, dW2);
        expect(Array.from(dW)).toEqual(Array.from(dW2));
      }
    });

    it('log_probs agrees with the reference and leaves the logits alone', () => {
      const lp = f('logProbs');
      for (const [N, V] of [[1, 3], [2048, 65]] as const) {
        const z = rand(N * V, 8), z2 = copy(z);
        const y = new Int32Array(N).map(() => rng.int(V));
        const out = new Float64Array(N), out2 = new Float64Array(N);
        lp(N, V, z, y, out);
        js.logProbs(N, V, z, y, out2);
        close(out, out2, 2e-5);
        expect(Array.from(z)).toEqual(Array.from(z2));
      }
    });
  });

  describe('optimiser and clipping on wasm buffers', () => {
    const params = (n: number, dtype: 'wasm' | 'plain'): Param[] => [5, 17, n].map((len, i) => {
      const d = dtype === 'wasm' ? k.alloc(len) as Float32Array : new Float32Array(len);
      const g = dtype === 'wasm' ? k.alloc(len) as Float32Array : new Float32Array(len);
      return { name: `p${i}`, shape: [len], data: d, grad: g };
    });
    function fill(ps: Param[], seed: number, scale: number): void {
      const r = new Rng(seed);
      for (const p of ps) for (let i = 0; i < p.data.length; i++) {
        p.data[i] = r.uniform() - 0.5;
        p.grad[i] = (r.uniform() - 0.5) * scale;
      }
    }

    for (const kind of ['adam', 'adagrad'] as const) {
      it(`${kind}: fused update agrees with the reference and keeps its moments in kernel memory`, () => {
        const fast = params(1001, 'wasm'), ref = params(1001, 'plain');
        const of = createOptimizer(kind, fast, k), or = createOptimizer(kind, ref, js);
        for (const m of of.moments().values()) expect(m.buffer).toBe(fast[0]!.data.buffer); // in kernel memory
        for (const m of or.moments().values()) expect(m.buffer).not.toBe(fast[0]!.data.buffer);
        for (let s = 0; s < 5; s++) {
          fill(fast, 10 + s, 2);
          fill(ref, 10 + s, 2);
          of.step(0.01);
          or.step(0.01);
        }
        for (let j = 0; j < fast.length; j++) close(fast[j]!.data, ref[j]!.data, 1e-6);
        for (const [name, m] of of.moments()) close(m, or.moments().get(name)!, 1e-5);
      });
    }

    it('clip by norm and by value agree with the reference', () => {
      for (const mode of ['norm', 'value'] as const) {
        const fast = params(1003, 'wasm'), ref = params(1003, 'plain');
        fill(fast, 3, 20);
        fill(ref, 3, 20);
        const a = clipGradients(fast, mode, 5, k), b = clipGradients(ref, mode, 5, js);
        expect(a.clipped).toBe(true);
        expect(b.clipped).toBe(true);
        expect(Math.abs(a.norm - b.norm)).toBeLessThan(1e-9 * b.norm);
        for (let j = 0; j < fast.length; j++) close(fast[j]!.grad, ref[j]!.grad, 1e-6);
        fill(fast, 4, 0.01);
        expect(clipGradients(fast, mode, 5, k).clipped).toBe(false);
      }
    });
  });

  describe('packed B (W_hh packed once per sequence)', () => {
    it('gemmPacked gives the same bits as gemm, on 1 and 2 threads (split by rows or columns)', async () => {
      const k2 = await backend.create({ threads: 2, parallelFlops: 0 });
      try {
        for (const kk of [k, k2]) {
          for (const [M, N, K, transB] of [[32, 512, 128, true], [37, 256, 256, false], [5, 1030, 300, false], [64, 2048, 512, true], [3, 24, 8, false], [40, 20, 16, true]] as const) {
            const rnd = (n: number): Float32Array => {
              const x = kk.alloc(n) as Float32Array;
              for (let i = 0; i < n; i++) x[i] = rng.uniform() * 2 - 1;
              return x;
            };
            const A = rnd(M * K), B = rnd(2 + N * K), C = rnd(M * N), C2 = kk.alloc(M * N) as Float32Array;
            C2.set(C);
            const ldb = transB ? K : N;
            const p = kk.packB!(transB, K, N, B, 2, ldb);
            kk.gemmPacked!(false, M, A, 0, K, p, 1, C, 0, N);
            kk.gemm(false, transB, M, N, K, A, 0, K, B, 2, ldb, 1, C2, 0, N);
            expect(Array.from(C)).toEqual(Array.from(C2));
          }
        }
      } finally {
        k2.close();
      }
    });
  });

  describe('gemmLater (GEMMs overlapped on a worker)', () => {
    it('gives the same bits as gemm, whether the worker or the caller runs the batch', async () => {
      const k2 = await backend.create({ threads: 2 });
      try {
        const M = 64, N = 96, K = 200;
        const rnd = (n: number): Float32Array => {
          const x = k2.alloc(n) as Float32Array;
          for (let i = 0; i < n; i++) x[i] = rng.uniform() * 2 - 1;
          return x;
        };
        const A = rnd(K * M), B = rnd(K * N), ref = rnd(M * N), C1 = k2.alloc(M * N) as Float32Array, C2 = k2.alloc(M * N) as Float32Array;
        C1.set(ref);
        C2.set(ref);
        k2.gemm(true, false, M, N, K, A, 0, M, B, 0, N, 1, ref, 0, N);
        for (let rep = 0; rep < 20; rep++) {
          C1.set(C2);
          // two batches back to back (the second waits for the first), then sync
          k2.gemmLater!([[true, false, M, N, K, A, 0, M, B, 0, N, 0, C1, 0, N]]);
          k2.gemmLater!([[true, false, M, N, K, A, 0, M, B, 0, N, 1, C1, 0, N], [true, false, M, N, K, A, 0, M, B, 0, N, 1, C1, 0, N]]);
          k2.sync!();
        }
        const expect3 = k2.alloc(M * N) as Float32Array;
        k2.gemm(true, false, M, N, K, A, 0, M, B, 0, N, 0, expect3, 0, N);
        k2.gemm(true, false, M, N, K, A, 0, M, B, 0, N, 1, expect3, 0, N);
        k2.gemm(true, false, M, N, K, A, 0, M, B, 0, N, 1, expect3, 0, N);
        expect(Array.from(C1)).toEqual(Array.from(expect3));
        // a chunked GEMM while a batch is outstanding runs on the caller; results unchanged
        k2.gemmLater!([[true, false, M, N, K, A, 0, M, B, 0, N, 0, C1, 0, N]]);
        const C3 = k2.alloc(M * N) as Float32Array;
        C3.set(C2);
        k2.gemm(true, false, M, N, K, A, 0, M, B, 0, N, 1, C3, 0, N);
        k2.sync!();
        expect(Array.from(C3)).toEqual(Array.from(ref));
      } finally {
        k2.close();
      }
    });
  });
});
