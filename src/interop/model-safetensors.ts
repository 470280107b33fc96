/**
 * An rnn model as one safetensors file, both ways. The tensors are the model file's parameters
 * under their torch.nn names (rnn.weight_ih_l0, …, out.weight, out.bias), float32; `__metadata__`
 * holds what else the model file holds, as JSON strings:
 *   format "rnn-model", version "1", config, vocab (the tokenizer), training (corpus, history, …).
 * Import validates exactly what loading a model file validates, then writes the parameters in the
 * model's own order: a file that rnn exported imports to the same model file, byte for byte.
 */
import { parameterLayout } from '../engine/create.js';
import { RnnError } from '../errors.js';
import { checkParams, encodeTensors, FORMAT, VERSION, validateModelFile, type ModelFile } from '../model-io/index.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** The metadata keys that carry the model file's JSON fields. */
const FIELDS = ['config', 'vocab', 'training'] as const;

/** The safetensors bytes of a model file (a checkpoint's weights; its trainer state stays behind). */
export function safetensorsOfModel(file: ModelFile): Uint8Array {
  const metadata = {
    format: FORMAT,
    version: String(VERSION),
    config: JSON.stringify(file.config),
    vocab: JSON.stringify(file.vocab.toJSON()),
    training: JSON.stringify(file.training),
  };
  return encodeSafetensors(Object.entries(file.params).map(([name, t]) => ({ name, shape: t.shape, data: t.data })), metadata);
}

/** The model file a safetensors file holds; `source` names it in errors. */
export function modelOfSafetensors(bytes: Uint8Array, source: string): ModelFile {
  const { metadata, tensors } = decodeSafetensors(bytes, source);
  const hint = 'rnn imports the files that `rnn export --format safetensors` and rnn_torch.save write: their metadata carries the vocabulary and the configuration';
  if (metadata.format !== FORMAT) {
    throw new RnnError(`${source} is not an rnn model: its metadata has no "format": "${FORMAT}"`, {
      expected: `__metadata__ with format "${FORMAT}", config, vocab and training`,
      got: Object.keys(metadata).length === 0 ? 'no metadata' : `metadata keys ${Object.keys(metadata).join(', ')}`,
      hint,
    });
  }
  const json: Record<string, unknown> = { format: FORMAT, version: Number(metadata.version) };
  for (const k of FIELDS) {
    const text = metadata[k];
    if (text === undefined) throw new RnnError(`${source} has no ${k === 'vocab' ? 'vocabulary' : k} in its metadata`, { expected: `__metadata__.${k} (JSON)`, got: 'nothing', hint });
    try {
      json[k] = JSON.parse(text);
    } catch (e) {
      throw new RnnError(`${source}: __metadata__.${k} is not JSON`, { expected: 'a JSON text', got: (e as Error).message, hint });
    }
  }
  json.params = encodeTensors(tensors);
  let file: ModelFile;
  let expected: ReturnType<typeof parameterLayout>;
  try {
    file = validateModelFile(json);
    expected = parameterLayout(file.config); // the engine's own names, shapes and order for this configuration
  } catch (e) {
    if (e instanceof RnnError) throw new RnnError(`invalid model in ${source}: ${e.message}`, { expected: e.expected, got: e.got, hint: e.hint, cause: e });
    throw e;
  }
  checkParams(file.params, expected, source, 'the tensors need the names and shapes rnn gives this configuration (rnn_torch.save writes them so)');
  file.params = Object.fromEntries(expected.map((p) => [p.name, file.params[p.name]!]));
  return file;
}
