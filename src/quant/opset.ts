import { DataType, type ModelProto, type NodeProto } from '../onnx/onnx-proto.js';
import { ConfigError } from '../util/errors.js';
import { NameAllocator } from './names.js';

/**
 * Ops whose meaning (with the attributes and defaults hilbertq graphs use) is unchanged from
 * opset 13 to 21; newer versions only added types or optional inputs/attributes with
 * backward-compatible defaults (Pad 18/19, Resize 18/19, Reshape/Shape/Transpose/Identity 19/21).
 */
const UNCHANGED_UP_TO_21 = new Set([
  'Add', 'Mul', 'Sub', 'Div', 'Conv', 'MatMul', 'Gemm', 'Relu', 'Clip', 'Sigmoid', 'Softmax', 'Concat',
  'Resize', 'Pad', 'Slice', 'Reshape', 'Transpose', 'Shape', 'Identity', 'LayerNormalization', 'Squeeze',
  'Unsqueeze', 'Gather', 'ReduceSum', 'Cast', 'Flatten', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'QuantizeLinear', 'DequantizeLinear', 'Mod',
]);

/** Reductions whose `axes` moved from an attribute to an input in opset 18. */
const AXES_MOVED_IN_18 = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);

/** The IR version released with each opset (onnx docs/Versioning.md). */
function irVersion(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

export function defaultOpset(model: ModelProto): number {
  return model.opset_import.find((o) => !o.domain)?.version ?? 0;
}

/**
 * Raises the default-domain opset (e.g. to 21 for uint16 Q/DQ), rewriting what changed on the
 * way; refuses ops it does not know to be unchanged rather than guess.
 */
export function upgradeOpset(model: ModelProto, target: number): ModelProto {
  const from = defaultOpset(model);
  if (from >= target) return model;
  const names = new NameAllocator(model);
  const initializer = [...model.graph.initializer];
  const node = model.graph.node.map((n): NodeProto => {
    if (n.domain) return n;
    if (AXES_MOVED_IN_18.has(n.op_type) && from < 18) {
      const axes = n.attribute.find((a) => a.name === 'axes');
      if (!axes) return n;
      const axesName = names.take(`${n.name || n.op_type}/axes`);
      const values = (axes.ints ?? []).map(Number);
      const raw = new Uint8Array(values.length * 8);
      values.forEach((v, i) => new DataView(raw.buffer).setBigInt64(i * 8, BigInt(v), true));
      initializer.push({ name: axesName, dims: [values.length], data_type: DataType.INT64, raw_data: raw });
      return { ...n, input: [n.input[0], axesName], attribute: n.attribute.filter((a) => a !== axes) };
    }
    if (AXES_MOVED_IN_18.has(n.op_type) || UNCHANGED_UP_TO_21.has(n.op_type)) return n;
    throw new ConfigError('opset', target, `cannot move op ${n.op_type} (${n.name}) from opset ${from}; export the model at opset ${target}`);
  });
  return {
    ...model,
    ir_version: Math.max(model.ir_version ?? 0, irVersion(target)),
    opset_import: model.opset_import.map((o) => (o.domain ? o : { ...o, version: target })),
    graph: { ...model.graph, node, initializer },
  };
}

