import { createModel } from '../engine/create.js';
import type { LanguageModel } from '../engine/language-model.js';
import { modelBytes } from '../engine/memory.js';
import { loadParamsInto } from '../model-io/params.js';
import { sample, type SampleOptions } from '../sample/sample.js';
import { Vocab } from '../tokenizer/vocab.js';
import { randomSeed, Rng } from '../util/rng.js';
import { decodeParams } from './decode.js';
import { pageKernels } from './page-kernels.js';
import type { SamplerPayload } from './payload.js';

/** The name on globalThis under which the bundle (dist/browser/sampler.js) puts `SamplerGlobal`. */
export const SAMPLER_GLOBAL = 'rnnSampler';

export interface SamplerGlobal {
  create(payload: SamplerPayload): Promise<PageSampler>;
}

/** `rnn sample`'s options of the same names, with its defaults. */
export type PageSampleOptions = Pick<SampleOptions, 'prime' | 'temperature' | 'topK' | 'topP' | 'seed' | 'length'>;

export interface PageSample {
  /** What `rnn sample` prints (the prime first), less the newline it adds after an unended last line. */
  text: string;
  /** The seed drawn with: the given one, or the random one chosen. */
  seed: number;
  /** What `rnn sample` warns of (prime characters not in the vocabulary). */
  warnings: readonly string[];
}

export interface PageSampler {
  /** What runs the math, in words. */
  readonly kernels: string;
  sample(options: PageSampleOptions): Promise<PageSample>;
  /** The model's logits for the character after `prime` at a sequence's start, by vocabulary id: the bits `rnn` computes. */
  logits(prime?: string): Promise<Float32Array>;
}

/** Room for the rounding of every allocation to 64 bytes, which the estimate leaves out. */
const ARENA_MARGIN = 1 << 20;

/**
 * The sampler of a page: `rnn sample` on the engine, with the kernels the page runs. Each call
 * gets a fresh kernel set and model, sized for its first block: a WebAssembly memory is fixed and
 * its arena never frees, and every run allocates its own state.
 */
export async function createSampler(payload: SamplerPayload): Promise<PageSampler> {
  const { config } = payload;
  const vocab = Vocab.fromJSON(payload.vocab, 'vocab');
  const params = decodeParams(payload.params);
  const kernels = await pageKernels(payload.wasm);
  /** `use` on a fresh model whose largest block is T positions of one stream. */
  async function withModel<R>(T: number, use: (model: LanguageModel) => R): Promise<R> {
    const k = await kernels.create(modelBytes(config, { B: 1, T, moments: 0, dropout: false }) + ARENA_MARGIN);
    try {
      const model = createModel(config, k, new Rng(0));
      loadParamsInto(params, model.params, 'the page');
      return use(model);
    } finally {
      k.close?.();
    }
  }
  /** <EOS> and the prime's ids: the first block of a sequence, the largest block sampling feeds. */
  const start = (prime = ''): Int32Array => Int32Array.from(vocab.encode(prime, { start: true }).ids);
  return {
    kernels: kernels.description,
    sample: ({ prime, temperature, topK, topP, seed = randomSeed(), length }) => withModel(start(prime).length, (model) => {
      const run = sample(model, vocab, { prime, temperature, topK, topP, seed, length });
      return { text: run.text, seed, warnings: run.warnings };
    }),
    logits: (prime) => {
      const x = start(prime), T = x.length, V = config.vocabSize;
      return withModel(T, (model) => Float32Array.from(model.logits(x, T, 1, model.newState(1)).subarray((T - 1) * V, T * V)));
    },
  };
}
