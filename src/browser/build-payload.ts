import { wasmBinary, type WasmVariant } from '../engine/kernels/index.js';
import { encodeTensors, type ModelFile } from '../model-io/index.js';
import type { SamplerPayload } from './payload.js';

/** A page's sampler for the model of `file` (from loadModelFile): its parts as in the file, and the single-thread kernels. */
export function samplerPayload(file: Pick<ModelFile, 'config' | 'vocab' | 'params'>): SamplerPayload {
  const base64 = (variant: WasmVariant): string => Buffer.from(wasmBinary(variant, 'single')).toString('base64');
  return {
    config: file.config,
    vocab: file.vocab.toJSON(),
    params: encodeTensors(file.params),
    wasm: { relaxed: base64('relaxed'), simd: base64('simd') },
  };
}
