import { checkFormatVersion, METADATA_KEYS } from '../onnx/metadata.js';
import { floatValues, tensorSize } from '../onnx/initializers.js';
import { DataType, decodeModel, type ModelProto, type TensorProto } from '../onnx/onnx-proto.js';
import { FileFormatError } from '../util/errors.js';
import { QUANT_METADATA_KEYS } from './metadata.js';

const QDQ_OPS = new Set(['QuantizeLinear', 'DequantizeLinear', 'QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger']);

/**
 * Decodes a float hilbertq model and checks that the quantizer can take it: a stereo graph
 * (float `left`, `right` -> `output`) exported by hilbertq, not quantized yet. Every failure is
 * one FileFormatError naming `source`.
 */
export function readFloatModel(bytes: Uint8Array, source: string): ModelProto {
  if (bytes.length === 0) throw new FileFormatError(source, 'is empty (0 bytes), not an ONNX model');
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new FileFormatError(source, `is not an ONNX model (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`);
  }
  const graph = model.graph;
  if (!graph || graph.node.length === 0) throw new FileFormatError(source, 'is not an ONNX model (no graph nodes)');
  const meta = new Map((model.metadata_props ?? []).map((p) => [p.key, p.value]));
  checkFormatVersion(source, Object.fromEntries(meta));
  if (meta.has(QUANT_METADATA_KEYS.scheme) || graph.node.some((n) => QDQ_OPS.has(n.op_type))) {
    const scheme = meta.get(QUANT_METADATA_KEYS.scheme);
    throw new FileFormatError(source, `is already quantized${scheme ? ` (${scheme})` : ''}; quantize the float model`);
  }
  if (!meta.has(METADATA_KEYS.stride)) {
    throw new FileFormatError(source, `has no hilbertq metadata (${METADATA_KEYS.stride}); export it with \`hilbertq export\``);
  }
  for (const name of ['left', 'right']) {
    const input = graph.input.find((i) => i.name === name);
    if (input?.type?.tensor_type?.elem_type !== DataType.FLOAT) throw new FileFormatError(source, `has no float32 input "${name}"`);
  }
  const output = graph.output.find((o) => o.name === 'output');
  if (output?.type?.tensor_type?.elem_type !== DataType.FLOAT) throw new FileFormatError(source, 'has no float32 output "output"');
  checkFloatWeights(graph.initializer, source);
  return model;
}

/**
 * Every float initializer holds its values in the model, all finite. A weight kept in an external
 * data file reads as empty here (and crashed the quantizer); a NaN weight quantized to codes with
 * a NaN scale and came out as a finite, wrong model without a word.
 */
function checkFloatWeights(initializers: readonly TensorProto[], source: string): void {
  for (const init of initializers) {
    if (init.data_type !== DataType.FLOAT) continue;
    const stored = (init.raw_data?.byteLength ?? 0) > 0 || ((init as { float_data?: number[] }).float_data?.length ?? 0) > 0;
    if (!stored && tensorSize(init) > 0) {
      throw new FileFormatError(source, `keeps the weights of ${init.name} outside the model (external data), which quantize does not read; export the model with \`hilbertq export\``);
    }
    let values: Float32Array;
    try {
      values = floatValues(init);
    } catch (err) {
      throw new FileFormatError(source, (err instanceof Error ? err.message : String(err)).split('\n')[0]);
    }
    if (!values.every(Number.isFinite)) throw new FileFormatError(source, `initializer ${init.name} holds NaN or infinite weights`);
  }
}
