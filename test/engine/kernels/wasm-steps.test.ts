import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../../src/engine/config.ts';
import type { Kernels } from '../../../src/engine/kernels/ops.ts';
import type { WasmKernels } from '../../../src/engine/kernels/wasm.ts';
import { twoSteps, type TwoSteps } from './two-steps.ts';
import { FAST_BACKENDS } from './backends.ts';

// The whole-sequence recurrences (asm/steps.ts: every timestep at once, the batch's rows split
// over threads) against the same kernels run one timestep at a time.

for (const backend of FAST_BACKENDS) describe(backend.name, () => {
  let k1: WasmKernels;
  let k2: WasmKernels;
  beforeAll(async () => {
    k1 = await backend.create({ threads: 1 });
    k2 = await backend.create({ threads: 2 });
  });
  afterAll(() => {
    k1.close();
    k2.close();
  });

  const V = 13, T = 9;
  // B = 10: two blocks of rows on 2 threads (8 and 2); B = 2, H = 64: too few rows for a block per
  // thread, so a kernel set that takes so few rows (native) splits the forward by hidden units
  const blocks = [{ B: 10, H: 16 }, { B: 2, H: 64 }];
  const variants: [string, Partial<ModelConfig>][] = [
    ['rnn tanh', { cell: 'rnn' }],
    ['lstm', { cell: 'lstm' }],
    ['lstm layer-norm', { cell: 'lstm', layerNorm: true }],
    ['gru', { cell: 'gru' }],
    ['gru minimal', { cell: 'gru', minimal: true }],
  ];

  const STEPS = ['rnnTanhStepsForward', 'rnnTanhStepsBackward', 'lstmStepsForward', 'lstmStepsBackward', 'lnLstmStepsForward', 'lnLstmStepsBackward',
    'gruStepsForward', 'gruStepsBackward'] as const;

  /** k with its whole-sequence recurrences counted (calls taken), or removed (`off`). */
  function variant(k: Kernels, off: boolean): { kernels: Kernels; taken: () => number } {
    let taken = 0;
    const kernels: Kernels = { ...k };
    for (const name of STEPS) {
      const fn = k[name] as ((...args: unknown[]) => boolean) | undefined;
      kernels[name] = off || !fn ? undefined : ((...args: unknown[]) => (fn(...args) ? (taken++, true) : false)) as never;
    }
    return { kernels, taken: () => taken };
  }

  const run = (kernels: Kernels, cfg: Partial<ModelConfig>, B: number, H: number): TwoSteps => twoSteps(kernels, { hidden: H, layers: 2, vocabSize: V, ...cfg }, T, B, 3);

  describe('whole-sequence recurrences', () => {
    for (const [name, cfg] of variants) for (const { B, H } of blocks) {
      it(`${name}, B=${B} H=${H}: the same bits on 1 and 2 threads; the same forward as step by step`, (ctx) => {
        if (B < (k1.packRows ?? 4)) ctx.skip(); // this kernel set runs so few rows step by step
        const steps = variant(k1, true);
        const one = variant(k1, false), two = variant(k2, false);
        const ref = run(steps.kernels, cfg, B, H);
        const a = run(one.kernels, cfg, B, H), b = run(two.kernels, cfg, B, H);
        expect(one.taken()).toBeGreaterThan(0);
        expect(two.taken()).toBeGreaterThan(0);
        expect(b.loss).toBe(a.loss);
        expect(Array.from(b.state)).toEqual(Array.from(a.state));
        for (const [p, g] of a.grads) expect(Array.from(b.grads.get(p)!), p).toEqual(Array.from(g));
        // step by step: the same forward; the same gradients but for dW_hh, which step by step
        // accumulates in time chunks (another summation order)
        expect(a.loss).toBe(ref.loss);
        expect(Array.from(a.state)).toEqual(Array.from(ref.state));
        for (const [p, g] of ref.grads) {
          const got = a.grads.get(p)!;
          if (!p.includes('weight_hh')) expect(Array.from(got), p).toEqual(Array.from(g));
          else for (let i = 0; i < g.length; i++) expect(Math.abs(got[i]! - g[i]!), p).toBeLessThan(1e-5 * Math.max(1, Math.abs(g[i]!)));
        }
      });
    }
  });
});
