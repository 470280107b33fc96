/**
 * Protocol Buffers wire encoding, just what the ONNX messages need: a field is its key
 * (field number << 3 | wire type) followed by its value:
 *   wire type 0 (varint)            base-128, least significant group first; negative int64 as
 *                                   its 64-bit two's complement (10 bytes)
 *   wire type 5 (fixed32)           4 bytes little-endian (float)
 *   wire type 2 (length-delimited)  a varint byte count, then the bytes (strings, bytes, messages)
 * A message is the concatenation of its fields; fields left undefined are not written.
 */

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();

/** Collects the bytes of one message; `finish` returns them. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    this.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }

  /** A varint of an integer in [−2⁶³, 2⁶³) (a JS number must be a safe integer). */
  private varint(value: number | bigint): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
    let v = BigInt.asUintN(64, BigInt(value)); // two's complement for negatives
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.scratch.push(v === 0n ? low : low | 0x80);
    } while (v !== 0n);
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** int64 / int32 / enum field (wire type 0). */
  int(field: number, value: number | bigint | undefined): this {
    if (value === undefined) return this;
    this.key(field, VARINT);
    this.varint(value);
    return this;
  }

  /** float field (wire type 5). */
  float(field: number, value: number | undefined): this {
    if (value === undefined) return this;
    this.key(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  /** bytes field (wire type 2). */
  bytes(field: number, value: Uint8Array | undefined): this {
    if (value === undefined) return this;
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.flushScratch();
    this.push(value);
    return this;
  }

  /** string field: its UTF-8 bytes. */
  string(field: number, value: string | undefined): this {
    return value === undefined ? this : this.bytes(field, utf8.encode(value));
  }

  /** Embedded message field: `write` fills a writer of its own. */
  message<M>(field: number, value: M | undefined, write: (w: ProtoWriter, m: M) => void): this {
    if (value === undefined) return this;
    const inner = new ProtoWriter();
    write(inner, value);
    return this.bytes(field, inner.finish());
  }

  /** Each element as a field of its own (proto2 `repeated`, unpacked). */
  repeated<T>(values: readonly T[] | undefined, each: (w: this, v: T) => void): this {
    for (const v of values ?? []) each(this, v);
    return this;
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
