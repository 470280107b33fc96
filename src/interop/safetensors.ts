/**
 * safetensors, the weight format of the PyTorch ecosystem:
 *   u64 N (little-endian) · N bytes of JSON header · the data section
 * header = { "__metadata__"?: {string: string}, name: {dtype, shape, data_offsets: [begin, end]} },
 * offsets relative to the data section. rnn reads and writes float32 ("F32") tensors only.
 * Decoding checks every length and offset against the bytes it was given before reading any
 * data, and refuses overlapping or out-of-range tensors.
 */
import { RnnError } from '../errors.js';
import { isObject } from '../model-io/problem.js';
import { checkShape, type Tensor } from '../model-io/tensor.js';

export interface Safetensors {
  metadata: Record<string, string>;
  /** In the header's order. */
  tensors: Record<string, Tensor>;
}

/** A header larger than this is refused (the format's reference reader uses 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;
const F32 = 'F32';

/** The file's bytes: tensors in the given order, contiguous, the header padded with spaces to 8 bytes. */
export function encodeSafetensors(tensors: readonly { name: string; shape: readonly number[]; data: Float32Array }[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: F32, shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  if (json.length % 8 !== 0) json = Buffer.concat([json, Buffer.alloc(8 - (json.length % 8), 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    at += t.data.byteLength;
  }
  return out;
}

/** Parses and checks a safetensors file; `source` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, source: string): Safetensors {
  const bad = (what: string, expected: string, got: string, hint = 'the file is damaged or not a safetensors file'): RnnError =>
    new RnnError(`${source} is not a valid safetensors file: ${what}`, { expected, got, hint });
  if (bytes.length < 8) throw bad('too short for its header length', 'at least 8 bytes', `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw bad('the header length is wrong', `a header of at most ${Math.min(MAX_HEADER_BYTES, bytes.length - 8)} bytes (the file's size allows no more)`, `${declared} bytes`);
  }
  const N = Number(declared);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + N)));
  } catch (e) {
    throw bad('the header is not JSON', 'a UTF-8 JSON object after the 8-byte length', (e as Error).message);
  }
  if (!isObject(header)) throw bad('the header is not a JSON object', 'a JSON object', typeof header);
  const data = bytes.subarray(8 + N);
  const metadata: Record<string, string> = {};
  const tensors: Record<string, Tensor> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(entry)) throw bad('__metadata__ is not an object', 'an object of strings', typeof entry);
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw bad(`__metadata__.${k} is not a string`, 'string values', typeof v);
        metadata[k] = v;
      }
      continue;
    }
    if (!isObject(entry)) throw bad(`tensor ${name} has no description`, '{dtype, shape, data_offsets}', typeof entry);
    if (entry.dtype !== F32) throw bad(`tensor ${name} is ${String(entry.dtype)}`, 'F32 (float32) tensors', String(entry.dtype), 'convert the tensors to float32 before saving');
    const shape = entry.shape;
    if (!Array.isArray(shape)) throw bad(`tensor ${name} has no shape`, 'an array of sizes', typeof shape);
    const count = checkShape(shape, `tensor ${name}`);
    const o = entry.data_offsets;
    if (!Array.isArray(o) || o.length !== 2 || !o.every((x) => Number.isSafeInteger(x) && x >= 0) || o[1] < o[0]) {
      throw bad(`tensor ${name} has bad data_offsets`, '[begin, end] with 0 ≤ begin ≤ end', JSON.stringify(o));
    }
    const [begin, end] = o as [number, number];
    if (end - begin !== 4 * count) throw bad(`tensor ${name} has ${end - begin} bytes`, `${4 * count} bytes for shape [${shape.join(', ')}]`, `${end - begin}`);
    if (end > data.length) throw bad(`tensor ${name} runs past the end of the file (truncated?)`, `data_offsets within the ${data.length} bytes of data`, `[${begin}, ${end}]`);
    spans.push([begin, end, name]);
    const values = new Float32Array(count);
    const dv = new DataView(data.buffer, data.byteOffset + begin, end - begin);
    for (let i = 0; i < count; i++) values[i] = dv.getFloat32(4 * i, true);
    tensors[name] = { shape: shape as number[], data: values };
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < spans.length; k++) {
    if (spans[k][0] < spans[k - 1][1]) throw bad(`tensors ${spans[k - 1][2]} and ${spans[k][2]} overlap`, 'disjoint data_offsets', `[${spans[k - 1][0]}, ${spans[k - 1][1]}] and [${spans[k][0]}, ${spans[k][1]}]`);
  }
  return { metadata, tensors };
}
