import type { Tensor } from '../model-io/tensor.js';
import { key, problem } from '../model-io/problem.js';
import type { SamplerPayload } from './payload.js';

/** The bytes of base64 text (atob: a page has no Buffer). */
export function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The payload's parameters as float32 tensors, read little-endian whatever the machine's byte order. */
export function decodeParams(params: SamplerPayload['params']): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(params)) {
    const bytes = base64Bytes(t.data);
    const n = t.shape.reduce((a, d) => a * d, 1);
    if (t.dtype !== 'float32' || bytes.byteLength !== 4 * n) {
      throw problem(`params${key(name)}`, `${4 * n} bytes of float32 for shape [${t.shape.join(', ')}]`, `${bytes.byteLength} bytes of ${t.dtype}`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, true);
    out[name] = { shape: [...t.shape], data };
  }
  return out;
}
