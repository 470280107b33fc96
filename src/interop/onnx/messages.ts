/**
 * The ONNX messages an exported model uses, as typed objects, and their protobuf encoding. Field
 * numbers are those of onnx/onnx.proto (proto2; every repeated field written unpacked, which every
 * protobuf parser reads).
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  name: string;
  dims: readonly number[];
  dataType: DataType;
  /** The elements, row-major, little-endian. */
  rawData: Uint8Array;
  docString?: string;
}

/** A node attribute: exactly one kind of value. */
export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'strings'; value: readonly string[] }
  | { kind: 'graph'; value: GraphProto };

export interface AttributeProto {
  name: string;
  value: AttributeValue;
}

export interface NodeProto {
  opType: string;
  name: string;
  /** Value names; '' for an optional input left out. */
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: readonly AttributeProto[];
  docString?: string;
}

/** A dimension: a fixed size or a symbolic name such as "T". */
export type Dim = number | string;

export interface ValueInfoProto {
  name: string;
  elemType: DataType;
  shape: readonly Dim[];
  docString?: string;
}

export interface GraphProto {
  name: string;
  nodes: readonly NodeProto[];
  initializers: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
  docString?: string;
}

export interface OperatorSetIdProto {
  domain: string;
  version: number;
}

export interface StringStringEntryProto {
  key: string;
  value: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImport: readonly OperatorSetIdProto[];
  producerName: string;
  producerVersion?: string;
  docString?: string;
  graph: GraphProto;
  metadataProps: readonly StringStringEntryProto[];
}

function writeTensor(w: ProtoWriter, t: TensorProto): void {
  w.repeated(t.dims, (w, d) => w.int(1, d)) // dims
    .int(2, t.dataType) // data_type
    .string(8, t.name) // name
    .bytes(9, t.rawData) // raw_data
    .string(12, t.docString); // doc_string
}

function writeAttribute(w: ProtoWriter, a: AttributeProto): void {
  w.string(1, a.name); // name
  const v = a.value;
  switch (v.kind) {
    case 'float': w.int(20, AttributeType.FLOAT).float(2, v.value); break; // type, f
    case 'int': w.int(20, AttributeType.INT).int(3, v.value); break; // type, i
    case 'string': w.int(20, AttributeType.STRING).string(4, v.value); break; // type, s
    case 'floats': w.int(20, AttributeType.FLOATS).repeated(v.value, (w, x) => w.float(7, x)); break; // type, floats
    case 'ints': w.int(20, AttributeType.INTS).repeated(v.value, (w, x) => w.int(8, x)); break; // type, ints
    case 'strings': w.int(20, AttributeType.STRINGS).repeated(v.value, (w, x) => w.string(9, x)); break; // type, strings
    case 'graph': w.int(20, AttributeType.GRAPH).message(6, v.value, writeGraph); break; // type, g (a Scan's body)
  }
}

function writeNode(w: ProtoWriter, n: NodeProto): void {
  w.repeated(n.inputs, (w, s) => w.string(1, s)) // input
    .repeated(n.outputs, (w, s) => w.string(2, s)) // output
    .string(3, n.name) // name
    .string(4, n.opType) // op_type
    .repeated(n.attributes, (w, a) => w.message(5, a, writeAttribute)) // attribute
    .string(6, n.docString); // doc_string
}

function writeDim(w: ProtoWriter, d: Dim): void {
  if (typeof d === 'number') w.int(1, d); // dim_value
  else w.string(2, d); // dim_param
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoProto): void {
  w.string(1, v.name) // name
    .message(2, v, (w, v) => // type: TypeProto
      w.message(1, v, (w, v) => // tensor_type: TypeProto.Tensor
        w.int(1, v.elemType) // elem_type
          .message(2, v.shape, (w, shape) => w.repeated(shape, (w, d) => w.message(1, d, writeDim))))) // shape: TensorShapeProto.dim
    .string(3, v.docString); // doc_string
}

function writeGraph(w: ProtoWriter, g: GraphProto): void {
  w.repeated(g.nodes, (w, n) => w.message(1, n, writeNode)) // node
    .string(2, g.name) // name
    .repeated(g.initializers, (w, t) => w.message(5, t, writeTensor)) // initializer
    .string(10, g.docString) // doc_string
    .repeated(g.inputs, (w, v) => w.message(11, v, writeValueInfo)) // input
    .repeated(g.outputs, (w, v) => w.message(12, v, writeValueInfo)); // output
}

/** The protobuf bytes of a ModelProto: what an .onnx file holds. */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, m.irVersion) // ir_version
    .string(2, m.producerName) // producer_name
    .string(3, m.producerVersion) // producer_version
    .string(6, m.docString) // doc_string
    .message(7, m.graph, writeGraph) // graph
    .repeated(m.opsetImport, (w, o) => w.message(8, o, (w, o) => w.string(1, o.domain).int(2, o.version))) // opset_import
    .repeated(m.metadataProps, (w, e) => w.message(14, e, (w, e) => w.string(1, e.key).string(2, e.value))); // metadata_props
  return w.finish();
}
