/**
 * Tensors in the model file: {shape, dtype, data} with data = base64 of the little-endian bytes.
 * Decoding checks the shape and the byte count implied by the base64 text against each other
 * before allocating anything, and refuses non-finite values. Encoding then decoding is
 * bit-identical (bytes are copied, never converted: -0 and subnormals survive).
 */
import { endianness } from 'node:os';
import { problem } from './problem.js';

export type TensorDType = 'float32' | 'float64';
export type TensorData = Float32Array | Float64Array;

export interface Tensor<D extends TensorData = Float32Array> {
  shape: number[];
  data: D;
}

export interface TensorJSON {
  shape: number[];
  dtype: TensorDType;
  data: string;
}

/** At most 8 dimensions and 2^28 elements (1 GiB of float32) per tensor. */
export const MAX_RANK = 8;
export const MAX_ELEMENTS = 2 ** 28;

const LITTLE_ENDIAN = endianness() === 'LE';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesOf(data: TensorData): Uint8Array {
  const bytes = new Uint8Array(data.byteLength);
  if (LITTLE_ENDIAN) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } else {
    const view = new DataView(bytes.buffer);
    const w = data.BYTES_PER_ELEMENT;
    for (let i = 0; i < data.length; i++) {
      if (w === 4) view.setFloat32(i * 4, data[i], true);
      else view.setFloat64(i * 8, data[i], true);
    }
  }
  return bytes;
}

/** The JSON form of a tensor. */
export function encodeTensor(shape: readonly number[], data: TensorData): TensorJSON {
  const dtype: TensorDType = data instanceof Float64Array ? 'float64' : 'float32';
  return { shape: [...shape], dtype, data: Buffer.from(bytesOf(data)).toString('base64') };
}

/** The JSON form of named tensors, in order. */
export function encodeTensors(tensors: Record<string, Tensor<TensorData>>): Record<string, TensorJSON> {
  const out: Record<string, TensorJSON> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = encodeTensor(t.shape, t.data);
  return out;
}

/** Checks a shape: an array of 1..8 positive integers with at most MAX_ELEMENTS elements. Returns the element count. */
export function checkShape(shape: unknown, where: string): number {
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > MAX_RANK) {
    throw problem(`${where}.shape`, `an array of 1 to ${MAX_RANK} positive integers`, shape);
  }
  let n = 1;
  for (let k = 0; k < shape.length; k++) {
    const d = shape[k];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1) {
      throw problem(`${where}.shape[${k}]`, 'a positive integer', d);
    }
    n *= d;
    if (n > MAX_ELEMENTS) throw problem(`${where}.shape`, `at most ${MAX_ELEMENTS} elements`, `[${shape.join(', ')}]`);
  }
  return n;
}

/**
 * Decodes and validates a tensor read from JSON. `dtypes` lists the accepted dtypes.
 * Throws an RnnError naming the field.
 */
export function decodeTensor(json: unknown, where: string, dtypes: readonly TensorDType[] = ['float32']): Tensor<TensorData> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw problem(where, 'an object {shape, dtype, data}', json);
  const o = json as Record<string, unknown>;
  const n = checkShape(o.shape, where);
  if (!dtypes.includes(o.dtype as TensorDType)) throw problem(`${where}.dtype`, dtypes.map((d) => `"${d}"`).join(' or '), o.dtype);
  const width = o.dtype === 'float64' ? 8 : 4;
  const text = o.data;
  if (typeof text !== 'string') throw problem(`${where}.data`, 'a base64 string', text);
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw problem(`${where}.data`, 'base64 text (A–Z a–z 0–9 + /, = padding, length a multiple of 4)', `${text.length} characters that are not`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const byteLength = (text.length / 4) * 3 - padding;
  if (byteLength !== n * width) {
    throw problem(`${where}.data`, `${n * width} bytes (${n} × ${o.dtype} for shape [${(o.shape as number[]).join(', ')}])`, `${byteLength} bytes`);
  }
  const bytes = Buffer.from(text, 'base64');
  const data = width === 8 ? new Float64Array(n) : new Float32Array(n);
  if (LITTLE_ENDIAN) {
    new Uint8Array(data.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) data[i] = width === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(data[i])) throw problem(`${where}.data[${i}]`, 'a finite number', String(data[i]));
  }
  return { shape: [...(o.shape as number[])], data };
}
