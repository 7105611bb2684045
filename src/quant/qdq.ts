import { AttributeType, DataType, type ModelProto, type NodeProto, type TensorProto } from '../onnx/onnx-proto.js';
import { NameAllocator } from './names.js';
import type { BiasRequest, QuantPlan } from './plan.js';
import { activationQParams, quantizeBias, quantizeValue, quantizeWeight, type QParams, type Range } from './qparams.js';
import { floatValues, makeTensor } from './tensors.js';

/** What the rewrite needs besides the plan: each calibrated tensor's range. */
export interface QdqInputs {
  model: ModelProto;
  plan: QuantPlan;
  ranges: ReadonlyMap<string, Range>;
}

export interface QdqResult {
  model: ModelProto;
  /** Scale and zero point of every quantized activation (shared ones resolved), by tensor name. */
  params: Map<string, QParams & { range: Range }>;
  /** int32 bias values that had to be clipped (bias / (input_scale * weight_scale) beyond int32). */
  clippedBiasValues: number;
}

/**
 * Rewrites a float graph into QDQ format from a finished plan: QuantizeLinear + DequantizeLinear
 * after every quantized activation, quantized initializers + DequantizeLinear for weights,
 * biases and constants, folded activations removed. The graph output's QuantizeLinear writes
 * the output itself, so the model returns codes.
 */
export function emitQdq({ model, plan, ranges }: QdqInputs): QdqResult {
  return new QdqEmitter(model, plan, ranges).run();
}

class QdqEmitter {
  private readonly names: NameAllocator;
  private readonly act: QuantPlan['scheme']['activation'];
  private readonly params = new Map<string, QParams & { range: Range }>();
  private readonly paramInits = new Map<string, { scale: string; zeroPoint: string }>();
  private readonly initializers: TensorProto[];
  private readonly prologue: NodeProto[] = [];
  /** Float value -> the DequantizeLinear output its consumers read instead. */
  private readonly replaced = new Map<string, string>();
  private readonly weightScales = new Map<string, Float32Array>();
  private clipped = 0;

  constructor(
    private readonly model: ModelProto,
    private readonly plan: QuantPlan,
    private readonly ranges: ReadonlyMap<string, Range>,
  ) {
    this.names = new NameAllocator(model);
    this.act = plan.scheme.activation;
    this.initializers = [...model.graph.initializer];
  }

  run(): QdqResult {
    for (const name of this.plan.activations.keys()) this.resolveParams(name);
    for (const [name, { axis }] of this.plan.weights) this.emitWeight(name, axis);
    const biasOutputs = new Map<NodeProto, string>();
    for (const request of this.plan.biases) biasOutputs.set(request.node, this.emitBias(request));
    for (const [name, source] of this.plan.activations) if (source.kind === 'constant') this.emitConstant(name);
    const { body, quantizedOutputs } = this.rewriteNodes(biasOutputs);

    const used = new Set([...this.prologue, ...body].flatMap((n) => n.input));
    const out: ModelProto = {
      ...this.model,
      graph: {
        ...this.model.graph,
        node: [...this.prologue, ...body],
        initializer: this.initializers.filter((t) => used.has(t.name)),
        output: this.model.graph.output.map((o) =>
          quantizedOutputs.has(o.name) ? { ...o, type: { tensor_type: { ...o.type.tensor_type, elem_type: this.act.onnxType } } } : o,
        ),
      },
    };
    return { model: out, params: this.params, clippedBiasValues: this.clipped };
  }

  /**
   * The graph's nodes in order, each followed by the Q/DQ of its quantized outputs; folded
   * activations dropped, their producers writing the activation's output instead.
   */
  private rewriteNodes(biasOutputs: ReadonlyMap<NodeProto, string>): { body: NodeProto[]; quantizedOutputs: Set<string> } {
    const graph = this.plan.graph;
    const takenOver = new Map<NodeProto, string>();
    for (const [activation, producer] of this.plan.folded) takenOver.set(producer, activation.output[0]);
    const body: NodeProto[] = [];
    const quantizedOutputs = new Set<string>();
    for (const input of graph.graphInputs()) if (this.plan.activations.has(input)) body.push(...this.quantizeActivation(input, input));
    for (const node of graph.nodes) {
      if (this.plan.folded.has(node)) continue;
      const outputs = node.output.map((o, i) => (i === 0 && takenOver.has(node) ? (takenOver.get(node) as string) : o));
      // A quantized graph output is written by its QuantizeLinear; the op writes a float value beside it.
      const written = outputs.map((o) => {
        if (!graph.isGraphOutput(o) || !this.plan.activations.has(o)) return o;
        quantizedOutputs.add(o);
        return this.names.take(`${o}/float`);
      });
      // Graph order is topological, so every input's DequantizeLinear is already in place. A
      // float node keeps reading float constants as they are, even where a quantized node
      // shares the initializer.
      const keepsFloatConstants = !this.plan.handled.has(node);
      const inputs = node.input.map((i) => (keepsFloatConstants && graph.initializer(i) ? i : (this.replaced.get(i) ?? i)));
      const bias = biasOutputs.get(node);
      if (bias) inputs[2] = bias;
      body.push({ ...node, input: inputs, output: written });
      outputs.forEach((o, i) => {
        if (this.plan.activations.has(o)) body.push(...this.quantizeActivation(o, written[i]));
      });
    }
    return { body, quantizedOutputs };
  }

  /** Scale and zero point of an activation: calibrated, fixed, a constant's own values, or its root's. */
  private resolveParams(name: string): QParams & { range: Range } {
    const hit = this.params.get(name);
    if (hit) return hit;
    const source = this.plan.activations.get(name);
    let range: Range;
    if (source?.kind === 'shared') {
      const root = this.resolveParams(this.plan.rootOf(name));
      this.params.set(name, root);
      return root;
    } else if (source?.kind === 'fixed') {
      range = source.range;
    } else if (source?.kind === 'constant') {
      const values = floatValues(this.plan.graph.initializer(name) as TensorProto);
      range = values.reduce((r, v) => ({ min: Math.min(r.min, v), max: Math.max(r.max, v) }), { min: Infinity, max: -Infinity });
    } else {
      const calibrated = this.ranges.get(name);
      if (!calibrated) throw new Error(`no calibration range for ${name}`);
      range = calibrated;
    }
    const p = { ...activationQParams(range, this.act.qmin, this.act.qmax), range };
    this.params.set(name, p);
    return p;
  }

  /** One scale/zero-point initializer pair per distinct parameter set, so tensors that share params share initializers. */
  private paramInitializers(name: string): { scale: string; zeroPoint: string } {
    const root = this.plan.activations.has(name) ? this.plan.rootOf(name) : name;
    const hit = this.paramInits.get(root);
    if (hit) return hit;
    const p = this.resolveParams(root);
    const scale = this.names.take(`${root}/scale`);
    const zeroPoint = this.names.take(`${root}/zero_point`);
    this.initializers.push(makeTensor(scale, DataType.FLOAT, [], [p.scale]), makeTensor(zeroPoint, this.act.onnxType, [], [p.zeroPoint]));
    const names = { scale, zeroPoint };
    this.paramInits.set(root, names);
    return names;
  }

  /** Q (and DQ, unless the value is a graph output nobody inside reads) after the value `name`, written as `source`. */
  private quantizeActivation(name: string, source: string): NodeProto[] {
    const { scale, zeroPoint } = this.paramInitializers(name);
    const isOutput = this.plan.graph.isGraphOutput(name) && !this.plan.graph.isGraphInput(name);
    const quantized = isOutput ? name : this.names.take(`${name}/quantized`);
    const nodes = [qdqNode('QuantizeLinear', this.names.take(`${name}/QuantizeLinear`), [source, scale, zeroPoint], quantized)];
    const readInside = this.plan.graph.consumers(name).some((c) => !this.plan.folded.has(c));
    if (isOutput && !readInside) return nodes;
    const dequantized = this.names.take(`${name}/dequantized`);
    nodes.push(qdqNode('DequantizeLinear', this.names.take(`${name}/DequantizeLinear`), [quantized, scale, zeroPoint], dequantized));
    this.replaced.set(name, dequantized);
    return nodes;
  }

  private emitWeight(name: string, axis: number | null): void {
    const t = this.plan.graph.initializer(name) as TensorProto;
    const dims = (t.dims ?? []).map(Number);
    const q = quantizeWeight(floatValues(t), dims, axis, this.plan.scheme.weightQmax);
    this.weightScales.set(name, q.scales);
    const shape = axis === null ? [] : [q.scales.length];
    this.emitDequantized(name, makeTensor(this.names.take(`${name}/quantized`), DataType.INT8, dims, q.values), {
      scale: makeTensor(this.names.take(`${name}/scale`), DataType.FLOAT, shape, q.scales),
      zeroPoint: makeTensor(this.names.take(`${name}/zero_point`), DataType.INT8, shape, new Int8Array(q.scales.length)),
      axis,
    });
  }

  private emitBias({ node, bias, input, weight }: BiasRequest): string {
    const t = this.plan.graph.initializer(bias) as TensorProto;
    const weightScales = this.weightScales.get(weight);
    if (!weightScales) throw new Error(`bias ${bias}: weight ${weight} was not quantized`);
    const q = quantizeBias(floatValues(t), this.resolveParams(this.plan.resolve(input)).scale, weightScales);
    this.clipped += q.clipped;
    const base = `${bias}/${this.plan.graph.nodeName(node)}`;
    const shape = q.scales.length > 1 ? [q.scales.length] : [];
    return this.emitDequantized(bias, makeTensor(this.names.take(`${base}/quantized`), DataType.INT32, (t.dims ?? []).map(Number), q.values), {
      scale: makeTensor(this.names.take(`${base}/scale`), DataType.FLOAT, shape, q.scales),
      zeroPoint: makeTensor(this.names.take(`${base}/zero_point`), DataType.INT32, shape, new Int32Array(q.scales.length)),
      axis: q.scales.length > 1 ? 0 : null,
    }, false);
  }

  private emitConstant(name: string): void {
    const t = this.plan.graph.initializer(name) as TensorProto;
    const p = this.resolveParams(name);
    const codes = Array.from(floatValues(t), (v) => quantizeValue(v, p, this.act.qmin, this.act.qmax));
    const { scale, zeroPoint } = this.paramInitializers(name);
    const quantized = makeTensor(this.names.take(`${name}/quantized`), this.act.onnxType, (t.dims ?? []).map(Number), codes);
    this.initializers.push(quantized);
    const dequantized = this.names.take(`${name}/dequantized`);
    this.prologue.push(qdqNode('DequantizeLinear', this.names.take(`${name}/DequantizeLinear`), [quantized.name, scale, zeroPoint], dequantized));
    this.replaced.set(name, dequantized);
  }

  /** Adds a quantized initializer and its DequantizeLinear; `replaceEverywhere` = false for per-node biases. */
  private emitDequantized(
    name: string,
    quantized: TensorProto,
    p: { scale: TensorProto; zeroPoint: TensorProto; axis: number | null },
    replaceEverywhere = true,
  ): string {
    this.initializers.push(quantized, p.scale, p.zeroPoint);
    const dequantized = this.names.take(`${quantized.name.replace(/\/quantized$/, '')}/dequantized`);
    const node = qdqNode('DequantizeLinear', this.names.take(`${quantized.name}/DequantizeLinear`), [quantized.name, p.scale.name, p.zeroPoint.name], dequantized);
    if (p.axis !== null) node.attribute.push({ name: 'axis', type: AttributeType.INT, i: p.axis });
    this.prologue.push(node);
    if (replaceEverywhere) this.replaced.set(name, dequantized);
    return dequantized;
  }
}

function qdqNode(op: 'QuantizeLinear' | 'DequantizeLinear', name: string, inputs: string[], output: string): NodeProto {
  return { name, op_type: op, input: inputs, output: [output], attribute: [] };
}
