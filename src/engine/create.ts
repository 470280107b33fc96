import type { Rng } from '../util/rng.js';
import { BidirectionalLanguageModel } from './bidirectional.js';
import type { ModelConfig } from './config.js';
import type { Kernels } from './kernels/ops.js';
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
