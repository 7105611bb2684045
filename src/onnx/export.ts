import type { ModelGraph, NodeOf, OpType } from '../models/ir.js';
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
   * How the matching cost is lowered. 'band-matmul' (default): one batched MatMul over blocks of each row, the
   * fastest form in float (and in the w8a8 CPU scheme, which leaves it in float).
   * 'grouped-conv': shifted views and a 1x1 convolution for the channel mean, every op with an
   * integer kernel, for fully integer graphs (see emitters.ts).
   */
  matchingCost?: MatchingCostForm;
}

export type MatchingCostForm = 'band-matmul' | 'grouped-conv';

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

export function buildOnnxModel(graph: ModelGraph, values: ReadonlyMap<string, Float32Array>, opts: ExportOptions = {}): ModelProto {
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < DEFAULT_OPSET || opset > MAX_OPSET) {
    throw new ConfigError('opset', opset, `expected an integer in ${DEFAULT_OPSET}..${MAX_OPSET}`);
  }
  if (graph.nodes.some((n) => n.name === OUTPUT_NAME && n.name !== graph.output)) {
    throw new Error(`node ${OUTPUT_NAME} is not the graph output; the name is reserved for it`);
  }
  const ctx = new EmitContext(graph, values, opset, opts.matchingCost ?? 'band-matmul');
  for (const node of graph.nodes) {
    const emit = ONNX_EMITTERS[node.op] as OnnxEmitter<OpType>;
    emit(node as NodeOf<OpType>, ctx);
  }
  if (ctx.input(graph.output) !== OUTPUT_NAME) ctx.emit('Identity', [ctx.input(graph.output)], OUTPUT_NAME);

  return {
    ir_version: irVersion(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'hilbertq',
    doc_string: `hilbertq ${graph.name}: stereo pair (RGB in [0, 1], NCHW) -> ${graph.outputChannels}-channel sigmoid output`,
    graph: {
      name: graph.name,
      node: ctx.nodes,
      initializer: ctx.initializers,
      input: graph.inputs.map((i) => mapValueInfo(i.name, i.channels)),
      output: [mapValueInfo(OUTPUT_NAME, graph.outputChannels)],
    },
    metadata_props: exportMetadata(graph, opts.metadata),
  };
}

function mapValueInfo(name: string, channels: number): ValueInfoProto {
  const dim: DimProto[] = [{ dim_param: DIMS.batch }, { dim_value: channels }, { dim_param: DIMS.height }, { dim_param: DIMS.width }];
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } } };
}

/** The IR version released with each opset (onnx docs/Versioning.md), as onnx.checker expects. */
function irVersion(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}
