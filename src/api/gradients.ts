import type { ModelConfig } from '../engine/config.js';
import { describeCell } from '../engine/config.js';
import { createModel } from '../engine/create.js';
import { assertFits } from '../engine/memory.js';
import { RnnError } from '../errors.js';
import { gradientReach, REACH_BATCH, type ReachOptions, type ReachResult } from '../inspect/reach.js';
import { GRADIENTS_OPTIONS, TRAIN_OPTIONS } from '../options.js';
import { defaultCorpusPath, readCorpus, splitCorpus } from '../tokenizer/corpus.js';
import { Vocab } from '../tokenizer/vocab.js';
import { Rng, randomSeed } from '../util/rng.js';
import { analysisText } from './analysis-text.js';
import type { Kernels } from '../engine/kernels/index.js';
import { getKernels } from './kernels.js';
import { loadModel } from './load.js';

export interface GradientsCall extends ReachOptions {
  /** Texts to read; none: the model's validation split (a fresh model: the bundled corpus's). */
  files: readonly string[];
  /** A trained model's file; absent: a fresh model of `shape`, initialised as `rnn train` would. */
  model?: string;
  shape?: Omit<ModelConfig, 'vocabSize'>;
  /** The fresh model's seed [random]. */
  seed?: number;
  threads?: number;
}

export interface GradientsResult extends ReachResult {
  /** The model in words: its file, or the fresh model's shape. */
  model: string;
  source: string;
  /** The fresh model's seed; null for a trained one. */
  seed: number | null;
}

/** How far back the gradient reaches in a model (inspect/reach.ts), as `rnn gradients` reports it. */
export async function gradients(call: GradientsCall): Promise<GradientsResult> {
  const reach = { maxDistance: call.maxDistance, positions: call.positions };
  if (call.model !== undefined) {
    const loaded = await loadModel(call.model, { threads: call.threads });
    try {
      assertReachFits(loaded.model.config, loaded.model.kernels, call.maxDistance);
      const text = await analysisText(loaded, call.files, 'rnn gradients --model m.json held-out.txt');
      return { ...gradientReach(loaded.model, text.ids, reach), model: loaded.path, source: text.source, seed: null };
    } finally {
      loaded.close();
    }
  }
  if (call.shape === undefined) {
    throw new RnnError('no model to look at', { expected: 'a model file, or the shape of a fresh model', got: 'neither', kind: 'usage' });
  }
  const seed = call.seed ?? randomSeed();
  const corpus = await readCorpus(call.files.length > 0 ? call.files : [defaultCorpusPath], { text: call.files.length > 0 });
  const vocab = Vocab.fromText(corpus.data, { eos: TRAIN_OPTIONS.eos.default }, corpus.name);
  const { ids } = vocab.encode(corpus.data, { start: true, source: corpus.name });
  const valFraction = TRAIN_OPTIONS.valFraction.default;
  const text = call.files.length > 0 ? ids : splitCorpus(ids, valFraction, 'tail', seed).val;
  const source = call.files.length > 0 ? corpus.name : `validation split of ${corpus.name} (last ${(valFraction * 100).toFixed(1)}%)`;
  const config: ModelConfig = { ...call.shape, vocabSize: vocab.size };
  const kernels = await getKernels({ threads: call.threads });
  try {
    assertReachFits(config, kernels, call.maxDistance);
    const model = createModel(config, kernels, new Rng(seed));
    const shape = `a fresh ${config.layers}×${config.hidden} ${describeCell(config)}`;
    return { ...gradientReach(model, text, reach), model: shape, source, seed };
  } finally {
    kernels.close?.();
  }
}

/** Refuses a model whose BPTT over K + 1 steps of REACH_BATCH streams would not fit the kernels' memory. */
function assertReachFits(config: ModelConfig, kernels: Kernels, maxDistance = GRADIENTS_OPTIONS.maxDistance.default): void {
  assertFits(config, { B: REACH_BATCH, T: maxDistance + 1, moments: 0, dropout: false }, kernels.memoryLimit, `what ${kernels.description} can hold`, '--max-distance');
}
