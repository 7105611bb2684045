import { DataType, type ModelProto, type NodeProto, type TensorProto } from '../onnx/onnx-proto.js';

/**
 * Read-only lookups over an ONNX graph: who produces and who consumes each value, which values
 * are initializers, and each value's element type (the quantizer only touches float tensors).
 */
export class GraphIndex {
  readonly nodes: readonly NodeProto[];
  private readonly initializers = new Map<string, TensorProto>();
  private readonly producers = new Map<string, NodeProto>();
  private readonly consumerMap = new Map<string, NodeProto[]>();
  private readonly inputs: Set<string>;
  private readonly outputs: Set<string>;
  private readonly elemTypes = new Map<string, number>();
  private readonly names = new Map<NodeProto, string>();

  constructor(readonly model: ModelProto) {
    const g = model.graph;
    this.nodes = g.node;
    for (const t of g.initializer) this.initializers.set(t.name, t);
    this.inputs = new Set(g.input.map((i) => i.name).filter((n) => !this.initializers.has(n)));
    this.outputs = new Set(g.output.map((o) => o.name));
    for (const i of g.input) this.elemTypes.set(i.name, i.type?.tensor_type?.elem_type ?? DataType.FLOAT);
    for (const t of g.initializer) this.elemTypes.set(t.name, t.data_type);
    g.node.forEach((node, i) => {
      this.names.set(node, node.name || `${node.op_type}_${i}`);
      for (const out of node.output) if (out) this.producers.set(out, node);
      for (const input of node.input) {
        if (!input) continue;
        const list = this.consumerMap.get(input) ?? [];
        if (!list.includes(node)) list.push(node);
        this.consumerMap.set(input, list);
      }
      const type = outputElemType(node, (name) => this.elemTypes.get(name));
      for (const out of node.output) if (out) this.elemTypes.set(out, type);
    });
  }

  nodeName(node: NodeProto): string {
    return this.names.get(node) ?? node.name;
  }

  initializer(name: string): TensorProto | undefined {
    return this.initializers.get(name);
  }

  producer(name: string): NodeProto | undefined {
    return this.producers.get(name);
  }

  consumers(name: string): readonly NodeProto[] {
    return this.consumerMap.get(name) ?? [];
  }

  isGraphInput(name: string): boolean {
    return this.inputs.has(name);
  }

  isGraphOutput(name: string): boolean {
    return this.outputs.has(name);
  }

  graphInputs(): string[] {
    return [...this.inputs];
  }

  graphOutputs(): string[] {
    return [...this.outputs];
  }

  isFloat(name: string): boolean {
    return name !== '' && this.elemTypes.get(name) === DataType.FLOAT;
  }

  /** The constant float value of a scalar initializer (Clip bounds), or undefined. */
  scalarInitializer(name: string | undefined): number | undefined {
    const t = name ? this.initializers.get(name) : undefined;
    if (!t || t.data_type !== DataType.FLOAT || (t.dims ?? []).reduce((a, b) => a * b, 1) !== 1) return undefined;
    const raw = t.raw_data;
    if (raw && raw.byteLength === 4) return new DataView(raw.buffer, raw.byteOffset, 4).getFloat32(0, true);
    return (t as TensorProto & { float_data?: number[] }).float_data?.[0];
  }

  attribute(node: NodeProto, name: string): NodeProto['attribute'][number] | undefined {
    return node.attribute.find((a) => a.name === name);
  }
}

/** Enough type inference for hilbertq graphs: shape arithmetic is int64, everything else follows its first input. */
function outputElemType(node: NodeProto, typeOf: (name: string) => number | undefined): number {
  switch (node.op_type) {
    case 'Shape':
    case 'Size':
    case 'ArgMax':
    case 'ArgMin':
    case 'NonZero':
      return DataType.INT64;
    case 'Cast': {
      const to = node.attribute.find((a) => a.name === 'to')?.i;
      return to ?? DataType.FLOAT;
    }
    default: {
      const first = node.input.find((i) => i !== '');
      return (first !== undefined ? typeOf(first) : undefined) ?? DataType.FLOAT;
    }
  }
}
