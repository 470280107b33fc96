import { describe, expect, it } from 'vitest';
import { defaultModelConfig, type ModelConfig } from '../../../src/engine/config.ts';
import { wasmBinary } from '../../../src/engine/kernels/index.ts';
import { instantiateWasmKernels, type WasmKernels, type WasmVariant } from '../../../src/engine/kernels/wasm.ts';
import { WA } from '../../../src/engine/kernels/wasm-api.ts';
import { createWasmKernels, relaxedSimdSupported } from '../../../src/engine/kernels/wasm-node.ts';
import { modelBytes } from '../../../src/engine/memory.ts';
import { RnnError } from '../../../src/errors.ts';
import { twoSteps } from './two-steps.ts';

// The kernels on a memory of one fixed size, from the builds without shared memory (what a web page
// runs): the same bits as on the shared memory, and an arena that never grows past its size.

const single = (variant: WasmVariant, arenaBytes: number): Promise<WasmKernels> =>
  instantiateWasmKernels({ module: new WA.Module(wasmBinary(variant, 'single')), variant, memory: { shared: false, arenaBytes } });

const variants: WasmVariant[] = relaxedSimdSupported() ? ['relaxed', 'simd'] : ['simd'];
const T = 9, B = 5; // packed W_hh and whole-sequence recurrences (T ≥ 4, B ≥ 4)

describe('the WebAssembly kernels on a fixed, unshared memory', () => {
  for (const variant of variants) {
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      it(`${variant}, ${cell}: two training steps bit for bit as on the shared memory, within the estimate`, async () => {
        const config: ModelConfig = { ...defaultModelConfig, cell, hidden: 12, layers: 2, vocabSize: 11 };
        const shared = await createWasmKernels({ threads: 1, relaxed: variant === 'relaxed' });
        const arenaBytes = modelBytes(config, { B, T, moments: 0, dropout: false });
        const fixed = await single(variant, arenaBytes);
        expect(fixed.variant).toBe(shared.variant);
        expect(fixed.memoryLimit).toBeGreaterThanOrEqual(arenaBytes);
        const a = twoSteps(shared, config, T, B, 7), b = twoSteps(fixed, config, T, B, 7);
        shared.close();
        expect(b.loss).toBe(a.loss);
        for (const [p, g] of a.grads) expect(Array.from(b.grads.get(p)!), p).toEqual(Array.from(g));
        expect(Array.from(b.state)).toEqual(Array.from(a.state));
      });
    }
  }

  it('an allocation past the fixed size is an RnnError, and every view handed out stays attached', async () => {
    const k = await single('simd', 1 << 20);
    const first = k.alloc(1000);
    first[7] = 3;
    let err: unknown;
    try {
      k.alloc(k.memoryLimit / 4);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RnnError);
    expect((err as RnnError).message).toBe('out of WebAssembly memory');
    expect((err as RnnError).expected).toMatch(/^at most \d+ MB in all$/);
    expect(first.length).toBe(1000); // a grown unshared memory would have detached it (length 0)
    expect(first[7]).toBe(3);
    expect(k.alloc(1000).length).toBe(1000); // the refused allocation took nothing
  });

  it('a fixed memory past the 2 GiB of a WebAssembly memory is refused up front', async () => {
    await expect(single('simd', 2 ** 31)).rejects.toThrow(RnnError);
  });
});
