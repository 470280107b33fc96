import { Rng } from '../util/rng.js';
import { BidirectionalLanguageModel } from './bidirectional.js';
import type { ModelConfig } from './config.js';
import type { Kernels } from './kernels/ops.js';
import { referenceKernels } from './kernels/portable.js';
import type { LanguageModel } from './language-model.js';
import { RnnLanguageModel, validateModelConfig } from './model.js';

/**
 * A freshly initialised model (PyTorch init; forget-gate bias 1) for the configuration:
 * unidirectional (model.ts), or bidirectional (bidirectional.ts) when config.bidirectional.
 */
export function createModel(config: ModelConfig, kernels: Kernels, rng: Rng): LanguageModel {
  validateModelConfig(config);
  return config.bidirectional ? new BidirectionalLanguageModel(config, kernels, rng) : new RnnLanguageModel(config, kernels, rng);
}

/** The parameters a configuration has (names, shapes, in the model's order); validates the configuration. */
export function parameterLayout(config: ModelConfig): readonly { name: string; shape: readonly number[] }[] {
  return createModel(config, referenceKernels('f32'), new Rng(0)).params;
}
