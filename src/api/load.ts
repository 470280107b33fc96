import { RnnError } from '../errors.js';
import type { LanguageModel } from '../engine/language-model.js';
import { assertFits } from '../engine/memory.js';
import { createModel } from '../engine/create.js';
import { loadModelFile, loadParamsInto, type ModelFile } from '../model-io/index.js';
import type { Vocab } from '../tokenizer/vocab.js';
import { Rng } from '../util/rng.js';
import { getKernels, type KernelChoice } from './kernels.js';

/** The largest block sampling, scoring and evaluation run by default. */
const INFERENCE = { B: 32, T: 128, moments: 0, dropout: false };

export interface LoadedModel {
  path: string;
  model: LanguageModel;
  vocab: Vocab;
  file: ModelFile;
  /** What runs the math, in words (the kernel set's description). */
  kernels: string;
  /** Release the kernels' worker threads. */
  close(): void;
}

/** Reads, validates and builds a model from its file (the library's `loadModel`). */
export async function loadModel(path: string, choice: KernelChoice = {}): Promise<LoadedModel> {
  const file = loadModelFile(path);
  if (file.vocab.size !== file.config.vocabSize) {
    throw new RnnError(`invalid model file ${path}: the vocabulary does not fit the configuration`, {
      expected: `${file.config.vocabSize} ids`, got: `${file.vocab.size}`, hint: 'the file is damaged; retrain',
    });
  }
  const kernels = await getKernels(choice);
  try {
    assertFits(file.config, INFERENCE, kernels.memoryLimit, `what ${kernels.description} can hold`);
    const model = createModel(file.config, kernels, new Rng(0));
    loadParamsInto(file.params, model.params, path);
    return { path, model, vocab: file.vocab, file, kernels: kernels.description, close: () => kernels.close?.() };
  } catch (e) {
    kernels.close?.();
    throw e;
  }
}
