/** `rnn export` and `rnn import`: a model file to and from the formats other tools read. */
import { readFileSync, statSync } from 'node:fs';
import { RnnError } from '../errors.js';
import { onnxModel } from '../interop/onnx/export.js';
import { modelOfSafetensors, safetensorsOfModel } from '../interop/model-safetensors.js';
import { loadModelFile, MAX_FILE_BYTES, type ModelFile } from '../model-io/index.js';

export const EXPORT_FORMATS = ['safetensors', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The file name extension of each format. */
export const EXTENSIONS: Record<ExportFormat, string> = { safetensors: '.safetensors', onnx: '.onnx' };

/** The bytes of a model file in another format. */
export function exportModel(path: string, format: ExportFormat): Uint8Array {
  const file = loadModelFile(path);
  return format === 'onnx' ? onnxModel(file) : safetensorsOfModel(file);
}

/** Raw float32 weights are 3/4 of their base64 text: larger files would not fit a model file. */
const MAX_IMPORT_BYTES = Math.floor((MAX_FILE_BYTES * 3) / 4);

/** The model file a safetensors file holds (written by `rnn export` or rnn_torch.save). */
export function importModel(path: string): ModelFile {
  let bytes: Uint8Array;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new RnnError(`${path} is a directory`, { expected: 'a .safetensors file', got: 'a directory', kind: 'usage' });
    if (st.size > MAX_IMPORT_BYTES) throw new RnnError(`${path} is too large to import`, { expected: `at most ${MAX_IMPORT_BYTES} bytes`, got: `${st.size} bytes`, hint: 'a model this large does not fit one rnn model file' });
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof RnnError) throw e;
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RnnError(missing ? `file not found: ${path}` : `cannot read ${path}`, {
      got: missing ? 'no such file' : (e as Error).message, hint: 'check the path', kind: missing ? 'usage' : 'user', cause: e,
    });
  }
  return modelOfSafetensors(bytes, path);
}
