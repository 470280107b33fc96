import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../../../src/engine/kernels/index.ts';
import { NATIVE_FNS, type NativeAddon, type NativeContext } from '../../../src/engine/kernels/native.ts';
import { WA } from '../../../src/engine/kernels/wasm-api.ts';
import { Rng } from '../../../src/util/rng.ts';
import { NATIVE_MISSING } from './backends.ts';

// The native addon's boundary: every address range a call touches is checked against the memory
// before a kernel runs, so that a bad call throws a RangeError instead of crashing the process.
// (The kernels' results are tested with the WebAssembly ones: wasm*.test.ts run on both backends.)

const PAGE = 65536;

function context(addon: NativeAddon, pages: number, threads = 1): { ctx: NativeContext; bytes: number; f32: Float32Array } {
  const memory = new WA.Memory({ initial: pages, maximum: 1024, shared: true });
  const ctx = addon.create(new Uint8Array(memory.buffer), threads);
  return { ctx, bytes: pages * PAGE, f32: new Float32Array(memory.buffer) };
}

const call = (ctx: NativeContext, name: (typeof NATIVE_FNS)[number], args: number[]): unknown =>
  (ctx[name] as (...a: number[]) => unknown)(...args);

const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k);

/** Arguments for each export that are all in bounds in a memory of `bytes` (sizes 8, H 8, T 2, one row; two for a per-row 1/σ). */
function validArgs(name: (typeof NATIVE_FNS)[number]): number[] {
  const p = 4096; // every buffer at 4096 + k·8192: far apart, all inside 128 kB
  const at = (k: number): number => p + k * 8192;
  switch (name) {
    case 'gemm': return [0, 0, 4, 4, 4, at(0), 4, at(1), 4, 0, at(2), 4, 0, 0];
    case 'packedFloats': return [8, 8];
    case 'pack_b': return [0, 8, 8, at(0), 8, at(1)];
    case 'lstm_forward': return [1, 8, at(0), at(1), at(2), at(3), at(4)];
    case 'lstm_backward': return [1, 8, at(0), at(1), at(2), at(3), at(4), at(5), at(6)];
    case 'layer_norm_forward': return [2, 8, at(0), at(1), at(2), at(3), at(4)];
    case 'layer_norm_backward': return [2, 8, at(0), at(1), at(2), at(3), at(4)];
    case 'column_dots': return [2, 8, at(0), at(1), at(2)];
    case 'ln_lstm_forward': return [2, 8, ...range(10).map(at)];
    case 'ln_lstm_backward': return [2, 8, ...range(14).map(at)];
    case 'tanh_forward': return [8, at(0), at(1)];
    case 'tanh_backward': return [8, at(0), at(1), at(2), at(3)];
    case 'gru_forward_rz': return [1, 8, at(0), at(1), at(2)];
    case 'gru_out': return [1, 8, 3, 0, at(0), at(1), at(2)];
    case 'gru_out_backward': return [1, 8, 3, at(0), at(1), at(2), at(3), at(4)];
    case 'gru_backward_r': return [1, 8, at(0), at(1), at(2), at(3), at(4)];
    case 'softmax_xent': return [2, 8, at(0), at(1), at(2)];
    case 'log_probs': return [2, 8, at(0), at(1), at(2)];
    case 'adam_update': return [8, at(0), at(1), at(2), at(3), 0.9, 0.999, 1e-8, 0.01, 1];
    case 'adagrad_update': return [8, at(0), at(1), at(2), 0.1, 1e-8];
    case 'rnn_tanh_steps_forward': return [2, 1, 1, 8, at(0), at(1), at(2), 0];
    case 'rnn_tanh_steps_backward': return [2, 1, 1, 8, at(0), at(1), at(2), at(3), at(4), 0];
    case 'lstm_steps_forward': return [2, 1, 1, 8, at(0), at(1), at(2), at(3), at(4), 0];
    case 'lstm_steps_backward': return [2, 1, 1, 8, at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), 0];
    case 'ln_lstm_steps_forward': return [2, 1, 1, 8, ...range(10).map(at), 0];
    case 'ln_lstm_steps_backward': return [2, 1, 1, 8, ...range(15).map(at), 0];
    case 'gru_steps_forward': return [2, 1, 1, 8, 3, at(0), at(1), at(2), at(3), at(4), 0];
    case 'gru_steps_backward': return [2, 1, 1, 8, 3, at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), 0];
  }
}

/** Positions of the byte-address arguments among validArgs (the ones ≥ 4096). */
const addressSlots = (args: number[]): number[] => args.flatMap((v, i) => (Number.isInteger(v) && v >= 4096 ? [i] : []));

describe.skipIf(NATIVE_MISSING !== null)(`native kernels at their boundary${NATIVE_MISSING ? ` (skipped: native kernels ${NATIVE_MISSING})` : ''}`, () => {
  const addon = (nativeAddon() as { addon: NativeAddon }).addon;

  it('says what it was built for', () => {
    expect(['AVX-512', 'AVX2', 'NEON', 'SSE2']).toContain(addon.isa);
    expect(addon.vectorBits).toBeGreaterThanOrEqual(128);
  });

  it('every export runs on arguments in bounds, and throws a RangeError for any address moved past the end', () => {
    const { ctx, bytes, f32 } = context(addon, 3); // 192 kB, the arguments use the first 128 kB
    for (const name of NATIVE_FNS) {
      const args = validArgs(name);
      f32.fill(0); // targets 0, weights 0
      expect(() => call(ctx, name, args), name).not.toThrow();
      for (const slot of addressSlots(args)) {
        for (const bad of [bytes - 4, bytes, 2 ** 31 - 4, -4, args[slot]! + 2]) {
          const moved = args.slice();
          moved[slot] = bad;
          expect(() => call(ctx, name, moved), `${name} argument ${slot} = ${bad}`).toThrow(RangeError);
        }
      }
    }
    ctx.close();
  });

  it('sizes, strides and targets out of range throw too', () => {
    const { ctx, f32 } = context(addon, 2);
    const bad: [(typeof NATIVE_FNS)[number], number[]][] = [
      ['gemm', [0, 0, 4, 4, 4, 4096, 3, 12288, 4, 0, 20480, 4, 0, 0]], // lda < K
      ['gemm', [0, 0, 4000, 4000, 4, 4096, 4, 12288, 4000, 0, 20480, 4000, 0, 0]], // C does not fit
      ['gemm', [0, 2, 4, 4, 4, 4096, 4, 12288, 4, 0, 20480, 4, 0, 3]], // col0 not a panel's start
      ['gemm', [0, 3, 4, 4, 4, 4096, 4, 12288, 4, 0, 20480, 4, 0, 0]], // transB 3
      ['gemm', [0, 0, -1, 4, 4, 4096, 4, 12288, 4, 0, 20480, 4, 0, 0]], // a negative size
      ['gru_out', [1, 8, 4, 0, 4096, 12288, 20480]], // G = 4
      ['lstm_steps_forward', [2, 1, 2, 8, 4096, 12288, 20480, 28672, 36864, 0]], // more rows than the batch
      ['tanh_forward', [2 ** 40, 4096, 12288]], // a size past 2³¹
    ];
    for (const [name, args] of bad) expect(() => call(ctx, name, args), `${name}(${args.join(', ')})`).toThrow(RangeError);
    // a target outside the vocabulary is read as an index: refused
    new Int32Array(f32.buffer, 12288, 2).set([1, 8]);
    expect(() => call(ctx, 'softmax_xent', [2, 8, 4096, 12288, 20480])).toThrow(/target outside the vocabulary/);
    expect(() => (ctx.gemm as unknown as (...a: unknown[]) => void)('x', 0, 4, 4, 4)).toThrow(RangeError);
    ctx.close();
    expect(() => call(ctx, 'tanh_forward', [8, 4096, 12288])).toThrow(/closed/);
  });

  it('survives random arguments: each call runs in bounds or throws a RangeError (fuzz, 1 and 2 threads)', () => {
    for (const threads of [1, 2]) {
      const { ctx, bytes, f32 } = context(addon, 2, threads);
      const rng = new Rng(threads);
      const pick = (): number => {
        const u = rng.uniform();
        if (u < 0.3) return Math.floor(rng.uniform() * 9); // small sizes and flags
        if (u < 0.5) return Math.floor(rng.uniform() * 300);
        if (u < 0.8) return 4 * Math.floor(rng.uniform() * (bytes / 4 + 64)); // addresses, some past the end
        if (u < 0.9) return -Math.floor(rng.uniform() * 100);
        return Math.floor(rng.uniform() * 2 ** 33);
      };
      let ran = 0, refused = 0;
      for (let i = 0; i < 10_000; i++) {
        const name = NATIVE_FNS[i % NATIVE_FNS.length]!;
        if (i % 50 === 0) f32.fill(0);
        const args = validArgs(name).map((v) => (rng.uniform() < 0.5 ? pick() : v));
        try {
          call(ctx, name, args);
          ran++;
        } catch (e) {
          expect(e, `${name}(${args.join(', ')})`).toBeInstanceOf(RangeError);
          refused++;
        }
      }
      expect(ran).toBeGreaterThan(100);
      expect(refused).toBeGreaterThan(100);
      ctx.close();
    }
  });
});
