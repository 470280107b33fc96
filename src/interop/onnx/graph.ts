/**
 * Builds one ONNX graph: constant tensors (initializers), nodes in topological order (the order
 * they are added), and the graph's inputs and outputs. Node and value names are made unique here.
 */
import { DataType, type AttributeValue, type Dim, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from './messages.js';

/** Attribute values, by kind. */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  strings: (value: readonly string[]): AttributeValue => ({ kind: 'strings', value }),
  graph: (value: GraphProto): AttributeValue => ({ kind: 'graph', value }),
};

/** Little-endian bytes of float32 or int64 elements. */
function littleEndian(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((x, k) => view.setFloat32(4 * k, x, true));
  else data.forEach((x, k) => view.setBigInt64(8 * k, x, true));
  return out;
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly taken = new Set<string>();

  /** `nodePrefix` starts every node's name (a subgraph's nodes apart from its graph's). */
  constructor(private readonly nodePrefix = '') {}

  /** `base`, or `base_2`, `base_3`, … if taken. */
  private unique(base: string): string {
    let name = base;
    for (let k = 2; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** A float32 constant of these dims; returns its value name. */
  floats(name: string, dims: readonly number[], data: Float32Array, docString?: string): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new RangeError(`${name}: ${data.length} floats for dims [${dims.join(', ')}]`);
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [...dims], dataType: DataType.FLOAT, rawData: littleEndian(data), docString });
    return unique;
  }

  /** An int64 constant (a 1-D list, or a scalar with dims []). */
  int64s(name: string, values: readonly (number | bigint)[], dims: readonly number[] = [values.length]): string {
    const unique = this.unique(name);
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push({ name: unique, dims: [...dims], dataType: DataType.INT64, rawData: littleEndian(data) });
    return unique;
  }

  /**
   * Adds a node; `outputs` are the names wanted for its outputs (made unique; '' leaves an
   * optional output out). Returns the output names.
   */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, AttributeValue> = {}, docString?: string): string[] {
    const names = outputs.map((o) => (o === '' ? '' : this.unique(o)));
    this.nodes.push({
      opType,
      name: this.unique(`${this.nodePrefix}${opType}_${this.nodes.length}`),
      inputs,
      outputs: names,
      attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
      docString,
    });
    return names;
  }

  /** A node with one output; returns its name. */
  op(opType: string, inputs: readonly string[], output: string, attributes: Record<string, AttributeValue> = {}, docString?: string): string {
    return this.node(opType, inputs, [output], attributes, docString)[0]!;
  }

  /** A graph input; returns its name (which must be free). */
  input(name: string, elemType: DataType, shape: readonly Dim[], docString: string): string {
    if (this.taken.has(name)) throw new RangeError(`graph input ${name} is taken`);
    this.taken.add(name);
    this.inputs.push({ name, elemType, shape, docString });
    return name;
  }

  /** Declares a value already produced by a node as a graph output. */
  output(name: string, elemType: DataType, shape: readonly Dim[], docString: string): void {
    if (!this.taken.has(name)) throw new RangeError(`graph output ${name} is not produced`);
    this.outputs.push({ name, elemType, shape, docString });
  }

  graph(name: string, docString: string): GraphProto {
    return { name, docString, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }
}
