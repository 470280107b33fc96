/**
 * What a web page needs to sample from a model, as JSON: built in Node (build-payload.ts), read by
 * the page's bundle (page-sampler.ts). Types only: both sides import this file.
 */
import type { ModelConfig } from '../engine/config.js';
import type { WasmVariant } from '../engine/kernels/portable.js';
import type { TensorJSON } from '../model-io/tensor.js';
import type { VocabJSON } from '../tokenizer/vocab.js';

export interface SamplerPayload {
  config: ModelConfig;
  vocab: VocabJSON;
  /** The parameters as in the model file: base64 of little-endian float32, in the model's order. */
  params: Record<string, TensorJSON>;
  /** base64 of the kernels built for a memory that is not shared (dist/wasm/kernels-<variant>-single.wasm). */
  wasm: Record<WasmVariant, string>;
}
