import type { ModelGraph, NodeOf, OpType } from '../models/ir.js';
import { HEAD_TAIL, withoutHeadTail } from '../models/heads.js';
import { ConfigError } from '../util/errors.js';
import { EmitContext, OUTPUT_NAME } from './emit-context.js';
import { ONNX_EMITTERS, type OnnxEmitter } from './emitters.js';
import { exportMetadata } from './metadata.js';
import { DataType, encodeModel, type DimProto, type ModelProto, type ValueInfoProto } from './onnx-proto.js';

export interface ExportOptions {
  /** ONNX opset of the default domain; 17 (LayerNormalization) up to MAX_OPSET. */
  opset?: number;
  /** Extra `metadata_props` entries (e.g. the quantizer's output scale and zero point). */
  metadata?: Record<string, string>;
  /**
   * How the matching cost is lowered. 'band-matmul' (default): one batched MatMul over blocks of
   * each row, the SSD's norms added as maps, each quantizable with its own scale.
   * 'band-matmul-folded': the same with the norms as two more channels of the MatMul's operands,
   * for graphs that run the cost in float between integer ops (the w8a8 and w8a16 schemes: 0.2-0.3
   * ms less there for the unet; in an fp32 graph no faster); quantized as it is, its operands
   * would share one scale between features and squared norms.
   * 'grouped-conv': shifted views and a 1x1 convolution for the channel mean, every op with an
   * integer kernel, for fully integer graphs (see emitters.ts).
   */
  matchingCost?: MatchingCostForm;
  /**
   * Where the head's parameter-free tail (bilinear x2, sigmoid) runs. 'graph' (default): in the
   * ONNX graph, whose output is then the head's output at input resolution. 'decoder': the graph
   * ends at the logits, at half resolution, and hilbertq's decoder applies the tail
   * (src/infer/head-tail.ts); the metadata says so (HEAD_TAIL_KEY), so every hilbertq runtime
   * reads such a file alike. The quantizer moves it to the decoder for 8-bit activations, where
   * the decoder runs it on the codes 0.4 ms faster than the graph for a 4-channel head at
   * 128x256; on floats ORT's kernels are faster than hilbertq's JS tail.
   */
  headTail?: HeadTailPlace;
}

export type HeadTailPlace = 'graph' | 'decoder';
export const HEAD_TAIL_PLACES: readonly HeadTailPlace[] = ['graph', 'decoder'];

export type MatchingCostForm = 'band-matmul' | 'band-matmul-folded' | 'grouped-conv';

export const DEFAULT_OPSET = 17;
export const MAX_OPSET = 21;

/** Symbolic input dims: any batch and any H, W that are multiples of the graph's stride. */
const DIMS = { batch: 'N', height: 'H', width: 'W' } as const;

/**
 * Lowers an IR graph plus its parameter values to an ONNX ModelProto (NCHW float32, dynamic
 * N, H, W) and returns the serialized bytes. Parameters are float32 initializers; conv kernels
 * are transposed HWIO -> OIHW.
 */
export function exportOnnx(graph: ModelGraph, values: ReadonlyMap<string, Float32Array>, opts: ExportOptions = {}): Uint8Array {
  return encodeModel(buildOnnxModel(graph, values, opts));
}

export function buildOnnxModel(model: ModelGraph, values: ReadonlyMap<string, Float32Array>, opts: ExportOptions = {}): ModelProto {
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < DEFAULT_OPSET || opset > MAX_OPSET) {
    throw new ConfigError('opset', opset, `expected an integer in ${DEFAULT_OPSET}..${MAX_OPSET}`);
  }
  // The graph up to the head's logits when the decoder applies the tail; the metadata names it.
  const cut = opts.headTail === 'decoder' ? withoutHeadTail(model) : null;
  if (opts.headTail === 'decoder' && !cut) throw new ConfigError('headTail', 'decoder', `graph ${model.name} does not end in the head's bilinear x2 and sigmoid`);
  const tailInDecoder = cut !== null;
  const graph = cut ?? model;
  if (graph.nodes.some((n) => n.name === OUTPUT_NAME && n.name !== graph.output)) {
    throw new Error(`node ${OUTPUT_NAME} is not the graph output; the name is reserved for it`);
  }
  const ctx = new EmitContext(graph, values, opset, opts.matchingCost ?? 'band-matmul');
  for (const node of graph.nodes) {
    const emit = ONNX_EMITTERS[node.op] as OnnxEmitter<OpType>;
    emit(node as NodeOf<OpType>, ctx);
  }
  if (ctx.input(graph.output) !== OUTPUT_NAME) ctx.emit('Identity', [ctx.input(graph.output)], OUTPUT_NAME);

  const produces = tailInDecoder ? `head logits at 1/2 resolution (then ${HEAD_TAIL})` : 'sigmoid output';
  return {
    ir_version: irVersion(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'hilbertq',
    doc_string: `hilbertq ${model.name}: stereo pair (RGB in [0, 1], NCHW) -> ${model.outputChannels}-channel ${produces}`,
    graph: {
      name: model.name,
      node: ctx.nodes,
      initializer: ctx.initializers,
      input: model.inputs.map((i) => mapValueInfo(i.name, i.channels, DIMS.height, DIMS.width)),
      output: [tailInDecoder ? mapValueInfo(OUTPUT_NAME, model.outputChannels, 'H/2', 'W/2') : mapValueInfo(OUTPUT_NAME, model.outputChannels, DIMS.height, DIMS.width)],
    },
    metadata_props: exportMetadata(model, opts.metadata, tailInDecoder ? HEAD_TAIL : undefined),
  };
}

function mapValueInfo(name: string, channels: number, height: string, width: string): ValueInfoProto {
  const dim: DimProto[] = [{ dim_param: DIMS.batch }, { dim_value: channels }, { dim_param: height }, { dim_param: width }];
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } } };
}

/** The IR version released with each opset (onnx docs/Versioning.md), as onnx.checker expects. */
function irVersion(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}
