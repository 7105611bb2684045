import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initialParamValues } from './init.js';
import type { GraphNode, ModelGraph, NodeOf, OpType } from './ir.js';
import type { ModelConfig } from './model.js';
import { fakeQuantActivation, fakeQuantWeight, type FakeQuantPlan } from './fake-quant.js';
import { manifestGraph } from './manifest-graph.js';
import { TFJS_OPS, type TfjsOp } from './tfjs-ops.js';
import { encodeWeights, MANIFEST_FILE, readWeightsDir, writeWeightsDir } from './weights-io.js';

/**
 * Runs IR graphs with tfjs (training and float reference inference).
 *
 * Layout: the IR describes maps as NCHW; here maps live in NHWC end to end (tfjs-wasm convs
 * are NHWC). `runGraph` takes and returns NHWC unless `layout: 'NCHW'` asks for a transpose
 * at the boundary. Parameters are used in their IR layout (conv kernels HWIO), so no weight
 * is ever transposed during training.
 */
export type ParamMap = Map<string, tf.Variable>;

export interface StereoInputs {
  left: tf.Tensor4D;
  right: tf.Tensor4D;
}

export interface RunOptions {
  /** Enables training-only behaviour (currently: head-input noise). */
  training?: boolean;
  /** Layout of `inputs` and of the returned tensor. Default NHWC. */
  layout?: 'NHWC' | 'NCHW';
  /**
   * Gaussian noise added to the head input while training (the paper's robustness trick).
   * Pass a fresh seed per step; the same seed gives the same noise.
   */
  headNoise?: { std: number; seed: number };
  /** Quantization-aware training: round the plan's values and weights as the INT8 graph will. */
  fakeQuant?: FakeQuantPlan;
}

/** Fresh trainable variables with the deterministic initial values of `initialParamValues`. */
export function createParams(graph: ModelGraph, seed: number): ParamMap {
  return paramsFromValues(graph, initialParamValues(graph, seed));
}

export function paramsFromValues(graph: ModelGraph, values: ReadonlyMap<string, Float32Array>): ParamMap {
  const params: ParamMap = new Map();
  for (const p of graph.params) {
    const v = values.get(p.name);
    if (!v) throw new Error(`no value for parameter ${p.name}`);
    // Unnamed: tfjs variable names are global, and two models may be alive at once.
    // tf.variable shares the initial tensor's data; the tensor itself must still be released.
    const initial = tf.tensor(v, p.shape, 'float32');
    params.set(p.name, tf.variable(initial));
    initial.dispose();
  }
  return params;
}

export function disposeParams(params: ParamMap): void {
  for (const v of params.values()) v.dispose();
}

/** Interprets `graph` on a stereo pair of RGB images in [0, 1]; returns [N, H, W, outputChannels] (NHWC). */
export function runGraph(graph: ModelGraph, params: ParamMap, inputs: StereoInputs, opts: RunOptions = {}): tf.Tensor4D {
  const nchw = opts.layout === 'NCHW';
  return tf.tidy(() => {
    const values = new Map<string, tf.Tensor>();
    for (const input of graph.inputs) {
      const t = inputs[input.name as keyof StereoInputs];
      if (!t) throw new Error(`missing graph input ${input.name}`);
      const x = nchw ? tf.transpose(t, [0, 2, 3, 1]) : t;
      checkInput(graph, input.name, x, input.channels);
      values.set(input.name, x);
    }
    const fq = opts.fakeQuant;
    const weights = fq ? quantizedWeights(params, fq) : params;
    for (const step of executionPlan(graph)) {
      if (step.skip) continue;
      const args = step.node.inputs.map((name) => values.get(name) ?? weights.get(name) ?? missing(name));
      const run = TFJS_OPS[step.node.op] as TfjsOp<OpType>;
      let y = run(step.node as NodeOf<OpType>, args, step.fusedActivation);
      if (step.node.name === graph.headInput || step.storeAs === graph.headInput) y = maybeAddNoise(y, opts);
      const codes = fq?.activations[step.storeAs];
      if (codes) y = fakeQuantActivation(y, codes);
      values.set(step.storeAs, y);
    }
    const out = values.get(graph.output) as tf.Tensor4D;
    return nchw ? tf.transpose(out, [0, 3, 1, 2]) : out;
  });
}

/** The plan's parameters rounded once per call; the rest as they are. */
function quantizedWeights(params: ParamMap, plan: FakeQuantPlan): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>(params);
  for (const name of plan.weights) {
    const v = params.get(name);
    if (v) out.set(name, fakeQuantWeight(v, plan.weightQmax));
  }
  return out;
}

function missing(name: string): never {
  throw new Error(`graph value or parameter ${name} is not available`);
}

function checkInput(graph: ModelGraph, name: string, x: tf.Tensor, channels: number): void {
  const [, h, w, c] = x.shape;
  if (x.rank !== 4 || c !== channels) throw new Error(`input ${name} must be [N, H, W, ${channels}] (NHWC), got [${x.shape}]`);
  if (h % graph.stride !== 0 || w % graph.stride !== 0) {
    throw new Error(`input ${name} is ${h}x${w}; ${graph.name} needs H and W to be multiples of ${graph.stride}`);
  }
}

function maybeAddNoise(y: tf.Tensor, opts: RunOptions): tf.Tensor {
  if (!opts.training || !opts.headNoise || opts.headNoise.std <= 0) return y;
  return tf.add(y, tf.randomNormal(y.shape, 0, opts.headNoise.std, 'float32', opts.headNoise.seed));
}

interface PlanStep {
  node: GraphNode;
  /** Where the result is stored (the activation's name when an activation is fused in). */
  storeAs: string;
  fusedActivation?: 'relu' | 'relu6';
  skip?: boolean;
}

const plans = new WeakMap<ModelGraph, PlanStep[]>();

/**
 * Fuses conv -> relu/relu6 pairs into one tf.fused.conv2d call when the conv output has no
 * other reader. tfjs un-fuses them by itself under a gradient tape, so this only speeds up
 * inference and never changes the maths.
 */
function executionPlan(graph: ModelGraph): PlanStep[] {
  const cached = plans.get(graph);
  if (cached) return cached;
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const producers = new Map(graph.nodes.map((n) => [n.name, n]));
  const steps = new Map<string, PlanStep>(graph.nodes.map((n) => [n.name, { node: n, storeAs: n.name }]));
  for (const n of graph.nodes) {
    if (n.op !== 'relu' && n.op !== 'relu6') continue;
    const conv = producers.get(n.inputs[0]);
    const exposed = conv && (conv.name === graph.output || conv.name === graph.headInput);
    if (conv?.op !== 'conv2d' || readers.get(conv.name) !== 1 || exposed) continue;
    const convStep = steps.get(conv.name) as PlanStep;
    convStep.fusedActivation = n.op;
    convStep.storeAs = n.name;
    (steps.get(n.name) as PlanStep).skip = true;
  }
  const plan = [...steps.values()];
  plans.set(graph, plan);
  return plan;
}

/** Writes `dir/model.json` + `dir/weights.bin` (format: weights-io.ts, README.md). */
export function saveWeights(dir: string, graph: ModelGraph, params: ParamMap, meta?: Record<string, unknown>): void {
  const values = new Map<string, Float32Array>();
  for (const p of graph.params) {
    const v = params.get(p.name);
    if (!v) throw new Error(`no variable for parameter ${p.name}`);
    values.set(p.name, v.dataSync() as Float32Array);
  }
  const { manifest, bin } = encodeWeights(graph, values, meta);
  writeWeightsDir(dir, manifest, bin);
}

/** Rebuilds the graph from the saved config and loads its parameters as fresh variables. */
export function loadWeights(dir: string): { config: ModelConfig; graph: ModelGraph; params: ParamMap; meta?: Record<string, unknown> } {
  const { manifest, values } = readWeightsDir(dir);
  const { config, graph } = manifestGraph(manifest, join(dir, MANIFEST_FILE));
  return { config, graph, params: paramsFromValues(graph, values), ...(manifest.meta ? { meta: manifest.meta } : {}) };
}
