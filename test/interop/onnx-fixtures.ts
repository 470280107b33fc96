/**
 * For the ONNX tests: model files with random weights for any configuration (each with the
 * float64 engine model that computes rnn's own figures from the same float32 weights), and
 * onnxruntime-node when it is installed (it is not a dependency: CI installs it with --no-save).
 */
import { defaultModelConfig, type ModelConfig } from '../../src/engine/config.ts';
import { createModel } from '../../src/engine/create.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import type { LanguageModel } from '../../src/engine/language-model.ts';
import { FORMAT, tensorsOf, VERSION, type ModelFile } from '../../src/model-io/index.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { Rng } from '../../src/util/rng.ts';

/** ~50 characters, with a 'z' the vocabulary lacks (<UNK>) and a line end (<EOS>). */
export const TEXT = 'the quick brown fox jumps over a lazy dog\nand sat.';
export const vocab = Vocab.fromText(TEXT.replace(/z/g, ''), { eos: 'line' });

/** The ids rnn reads TEXT as: <EOS> first, <EOS> last. */
export function textIds(text = TEXT): Int32Array {
  return Int32Array.from(vocab.encode(text, { end: true }).ids);
}

/**
 * A model file of the configuration with weights U(−scale, scale) rounded to float32, and the
 * engine's float64 model holding exactly those weights.
 */
export function randomModel(over: Partial<ModelConfig>, seed: number, scale = 0.6): { file: ModelFile; model: LanguageModel } {
  const config: ModelConfig = { ...defaultModelConfig, hidden: 5, layers: 2, dropout: 0.25, ...over, vocabSize: vocab.size };
  const model = createModel(config, referenceKernels('f64'), new Rng(seed));
  const rng = new Rng(seed + 1000);
  for (const p of model.params) for (let j = 0; j < p.data.length; j++) p.data[j] = Math.fround((2 * rng.uniform() - 1) * scale);
  const file: ModelFile = {
    format: FORMAT, version: VERSION, config, vocab, params: tensorsOf(model.params),
    training: {
      corpus: { name: 'fox.txt', bytes: TEXT.length, chars: TEXT.length, sha256: 'ab'.repeat(32) },
      split: { valFraction: 0.05, trainTokens: 48, valTokens: 2, mode: 'tail' },
      seed, steps: 0, epochs: 0, options: {}, history: [], bestValLoss: null,
    },
  };
  return { file, model };
}

/** What the tests use of onnxruntime-node (typed here: the package is not always installed). */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
export interface Ort {
  readonly InferenceSession: { create(model: Uint8Array): Promise<OrtSession> };
  readonly Tensor: new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => OrtTensor;
}

/** onnxruntime-node, or null (with the reason) when it cannot be loaded. */
export async function loadOrt(): Promise<{ ort: Ort | null; reason: string }> {
  const name = 'onnxruntime-node'; // a variable: no types needed when the package is absent
  try {
    const m = (await import(name)) as { default?: Ort } & Partial<Ort>;
    const ort = m.InferenceSession ? (m as Ort) : m.default;
    return ort ? { ort, reason: '' } : { ort: null, reason: 'onnxruntime-node has no InferenceSession' };
  } catch (e) {
    return { ort: null, reason: (e as Error).message.split('\n')[0]! };
  }
}

/** Float data of an output tensor. */
export function floats(t: OrtTensor | undefined): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new Error('expected a float32 tensor');
  return t.data;
}
