import { defaultModelConfig, type ModelConfig } from '../../../src/engine/config.ts';
import type { Kernels } from '../../../src/engine/kernels/ops.ts';
import { RnnLanguageModel } from '../../../src/engine/model.ts';
import { Rng } from '../../../src/util/rng.ts';

export interface TwoSteps {
  loss: number;
  /** Each parameter's gradient, by name, in the model's order. */
  grads: Map<string, Float32Array>;
  /** The carried state after both steps. */
  state: Float32Array;
}

/**
 * A model of `config` (over the defaults) on `kernels`, seeded with `seed`: two training steps on
 * one random T×B block (the second from the state the first carried), gradients zeroed before each.
 */
export function twoSteps(kernels: Kernels, config: Partial<ModelConfig> & { vocabSize: number }, T: number, B: number, seed: number): TwoSteps {
  const cfg: ModelConfig = { ...defaultModelConfig, ...config };
  const V = cfg.vocabSize;
  const m = new RnnLanguageModel(cfg, kernels, new Rng(seed));
  const r = new Rng(seed + 1);
  const x = new Int32Array(T * B).map(() => r.int(V)), y = new Int32Array(T * B).map(() => r.int(V));
  const state = m.newState(B);
  let loss = 0;
  for (let s = 0; s < 2; s++) {
    m.zeroGrad();
    loss = m.lossAndGrad(x, y, T, B, state, null);
  }
  return { loss, grads: new Map(m.params.map((p) => [p.name, Float32Array.from(p.grad)])), state: Float32Array.from(state) };
}
