import type { ActivationFakeQuant, FakeQuantPlan } from '../models/fake-quant.js';
import type { ModelGraph } from '../models/ir.js';
import { DataType, type ModelProto } from '../onnx/onnx-proto.js';
import { GraphIndex } from './graph-index.js';
import { numericValues } from './tensors.js';

const ACTIVATION_RANGES: Partial<Record<number, { qmin: number; qmax: number }>> = {
  [DataType.UINT8]: { qmin: 0, qmax: 255 },
  [DataType.UINT16]: { qmin: 0, qmax: 65535 },
};

/**
 * What a QDQ model rounds, in the IR's names, for quantization-aware training of `graph`: every
 * QuantizeLinear's scale and zero point, keyed by the IR value it rounds, and the parameters
 * stored as int8 codes. The export names ONNX values after IR nodes; the one exception is the
 * output conv, renamed `output` when the quantizer strips the head's tail, found here by its
 * weight.
 */
export function fakeQuantPlan(model: ModelProto, graph: ModelGraph, source: string): FakeQuantPlan {
  const index = new GraphIndex(model);
  const irValues = new Set(graph.nodes.map((n) => n.name));
  const irParams = new Set(graph.params.map((p) => p.name));
  const activations: Record<string, ActivationFakeQuant> = {};
  const weights: string[] = [];
  let weightQmax = 0;
  for (const node of index.nodes) {
    if (node.op_type === 'DequantizeLinear') {
      const codes = index.initializer(node.input[0]);
      const param = node.output[0].replace(/\/dequantized$/, '');
      if (codes?.data_type !== DataType.INT8 || !irParams.has(param)) continue;
      weights.push(param);
      for (const c of numericValues(codes)) weightQmax = Math.max(weightQmax, Math.abs(c));
      // Per channel: a 1-D scale (one entry for a one-channel conv). w8a8-pt's scalar scales come
      // with ops lowered into parts the training graph does not have (the input normalisation,
      // the stacked matching cost): its rounding cannot be simulated here.
      const scale = index.initializer(node.input[1]);
      if ((scale?.dims ?? []).length !== 1) throw new Error(`${source}: rounds ${param} per tensor; read a plan off a w8a8 or w8a16 model, not w8a8-pt`);
      continue;
    }
    if (node.op_type !== 'QuantizeLinear') continue;
    const value = irValueOf(index, node.input[0], irValues, graph);
    const scale = index.initializer(node.input[1]);
    const zeroPoint = index.initializer(node.input[2] ?? '');
    const range = zeroPoint ? ACTIVATION_RANGES[zeroPoint.data_type] : undefined;
    if (!scale || !zeroPoint || !range || numericValues(scale).length !== 1) {
      throw new Error(`${source}: QuantizeLinear of ${node.input[0]} is not per-tensor uint8/uint16 with constant parameters`);
    }
    if (value === null) throw new Error(`${source}: rounds ${node.input[0]}, which is no value of ${graph.name}; was it quantized from this model?`);
    activations[value] = { scale: numericValues(scale)[0], zeroPoint: numericValues(zeroPoint)[0], ...range };
  }
  if (Object.keys(activations).length === 0) throw new Error(`${source}: holds no QuantizeLinear; pass a quantized model (hilbertq quantize)`);
  return { source, activations, weights, weightQmax: weights.length > 0 ? weightQmax : 127 };
}

/** The IR value an ONNX value stands for: the same name, or the conv whose weight produced it. */
function irValueOf(index: GraphIndex, name: string, irValues: ReadonlySet<string>, graph: ModelGraph): string | null {
  if (irValues.has(name)) return name;
  const producer = index.producer(name);
  if (producer?.op_type !== 'Conv') return null;
  const weight = producer.input[1].replace(/\/dequantized$/, '');
  const conv = graph.nodes.find((n) => n.op === 'conv2d' && n.inputs[1] === weight);
  return conv?.name ?? null;
}
