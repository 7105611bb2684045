import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { initialParamValues } from '../src/models/init.js';
import { exportOnnx } from '../src/onnx/export.js';
import { decodeModel, type ModelProto, type NodeProto, type TensorProto } from '../src/onnx/onnx-proto.js';
import { syntheticCalibration, type RenderedCalibration } from '../src/quant/calibration-data.js';
import { numericValues } from '../src/quant/tensors.js';

/** Helpers shared by the quant-*.test.ts files: tiny models, calibration and test pairs, graph lookups. */

export const TINY: Omit<ModelConfig, 'family' | 'head'> = { dims: 2, order: 3, margin: 0.1, maxDisp: 12, width: 0.25 };
export const HEIGHT = 32;
export const WIDTH = 64;
export const TEST_PAIR_SEED = 2_000_003;

const cache = new Map<string, Uint8Array>();

/** A float ONNX export of a randomly initialised tiny model (memoised per family/head/opset). */
export function tinyModel(family: 'unet' | 'vit', head: 'direct' | 'hilbert' = 'hilbert', opset = 17): Uint8Array {
  const key = `${family}-${head}-${opset}`;
  let bytes = cache.get(key);
  if (!bytes) {
    const graph = buildModelGraph({ ...TINY, family, head });
    // The self-contained graph (tail included): these tests check the quantizer op by op, Sigmoid too.
    bytes = exportOnnx(graph, initialParamValues(graph, 3), { opset, headTail: 'graph' });
    cache.set(key, bytes);
  }
  return bytes;
}

export function calibrationPairs(count: number, seed?: number): RenderedCalibration {
  return syntheticCalibration({ height: HEIGHT, width: WIDTH, maxDisp: TINY.maxDisp, count, seed });
}

/** Pairs of the held-out test seed, as NCHW tensors for runStereo / runQuantizedStereo. */
export function testInputs(count: number): { left: { data: Float32Array; dims: number[] }; right: { data: Float32Array; dims: number[] } }[] {
  const dims = [1, 3, HEIGHT, WIDTH];
  return calibrationPairs(count, TEST_PAIR_SEED).pairs().map((p) => ({
    left: { data: p.left, dims },
    right: { data: p.right, dims },
  }));
}

/** Graph lookups for assertions on decoded models. */
export class ModelView {
  readonly model: ModelProto;
  private readonly inits: Map<string, TensorProto>;
  private readonly producers = new Map<string, NodeProto>();

  constructor(bytes: Uint8Array) {
    this.model = decodeModel(bytes);
    this.inits = new Map(this.model.graph.initializer.map((t) => [t.name, t]));
    for (const n of this.model.graph.node) for (const o of n.output) this.producers.set(o, n);
  }

  get nodes(): NodeProto[] {
    return this.model.graph.node;
  }

  ops(type: string): NodeProto[] {
    return this.nodes.filter((n) => n.op_type === type);
  }

  opCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const n of this.nodes) counts[n.op_type] = (counts[n.op_type] ?? 0) + 1;
    return counts;
  }

  producer(value: string): NodeProto | undefined {
    return this.producers.get(value);
  }

  init(name: string): TensorProto {
    const t = this.inits.get(name);
    if (!t) throw new Error(`no initializer ${name}`);
    return t;
  }

  values(name: string): number[] {
    return numericValues(this.init(name));
  }

  metadata(): Record<string, string> {
    return Object.fromEntries((this.model.metadata_props ?? []).map((p) => [p.key, p.value]));
  }

  attr(node: NodeProto, name: string): number | undefined {
    return node.attribute.find((a) => a.name === name)?.i;
  }
}

export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
