/**
 * A protobuf reader for the ONNX tests, independent of the exporter's writer: the fields of a
 * message as (field number, wire type, value), enough to read back a ModelProto's top fields.
 */
export type Field = { field: number; wire: 0; value: bigint } | { field: number; wire: 2; value: Uint8Array } | { field: number; wire: 5; value: number };

export function readFields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[p++];
      if (b === undefined) throw new Error('truncated varint');
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (p < bytes.length) {
    const key = Number(varint());
    const field = key >> 3, wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 2) {
      const n = Number(varint());
      if (p + n > bytes.length) throw new Error('truncated bytes');
      out.push({ field, wire, value: bytes.subarray(p, p + n) });
      p += n;
    } else if (wire === 5) {
      out.push({ field, wire, value: new DataView(bytes.buffer, bytes.byteOffset + p, 4).getFloat32(0, true) });
      p += 4;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Length-delimited fields with this number. */
export function messages(fields: Field[], field: number): Uint8Array[] {
  return fields.flatMap((f) => (f.field === field && f.wire === 2 ? [f.value] : []));
}

/** ModelProto's metadata_props (14) as a map, ir_version (1) and opset_import (8) versions. */
export function modelHeader(bytes: Uint8Array): { irVersion: bigint; opsets: bigint[]; metadata: Map<string, string> } {
  const top = readFields(bytes);
  const ir = top.find((f) => f.field === 1 && f.wire === 0);
  const opsets = messages(top, 8).map((m) => {
    const v = readFields(m).find((f) => f.field === 2);
    return v?.wire === 0 ? v.value : -1n;
  });
  const metadata = new Map(messages(top, 14).map((m) => {
    const kv = readFields(m);
    return [text(messages(kv, 1)[0]!), text(messages(kv, 2)[0]!)] as const;
  }));
  return { irVersion: ir?.wire === 0 ? ir.value : -1n, opsets, metadata };
}
