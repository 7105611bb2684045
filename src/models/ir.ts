/**
 * The graph IR every hilbertq model is described in, once. The tfjs interpreter
 * (tfjs-build.ts) runs it for training; the ONNX emitter turns it into an opset-17 NCHW graph.
 *
 * Conventions (see README.md in this folder):
 * - A value is either a *map* (rank 4, NCHW semantics: [N, C, H, W], H and W symbolic) or a
 *   *tensor* (any rank, used for transformer tokens [N, T, C]; no layout conversion ever).
 *   Map-only ops name their axes in NCHW terms; an interpreter may store maps in NHWC.
 * - Every node has exactly one output, named like the node. Nodes are in topological order.
 * - Node inputs name graph inputs, earlier nodes, or parameters.
 * - Parameter layouts: conv2d weight HWIO [kh, kw, cin, cout] (tfjs native; the ONNX emitter
 *   transposes to OIHW), conv2d bias [cout], matMul weight [in, out], layerNorm gamma/beta [C],
 *   token bias [C] (added to the last axis of a tensor).
 */

export interface OpAttrs {
  /** y = x * scale + bias with scalar constants (input normalisation, attention scaling). ONNX Mul + Add. */
  affine: { scale: number; bias: number };
  /** inputs [x, weight(HWIO), bias]. Symmetric zero padding `pad`. ONNX Conv. */
  conv2d: { kernel: number; stride: number; pad: number; dilation: number; outChannels: number };
  relu: Empty;
  /** ONNX Clip(0, 6). */
  relu6: Empty;
  sigmoid: Empty;
  /** Elementwise; both maps, both tensors, or a tensor plus a [C] parameter (last-axis bias). */
  add: Empty;
  mul: Empty;
  /** Channel concatenation of maps (axis 1 in NCHW). ONNX Concat. */
  concat: { axis: 1 };
  /** Integer upscaling of a map, half-pixel centres. ONNX Resize (linear | nearest). */
  resize: { scale: number; mode: 'nearest' | 'bilinear' };
  /** Zero padding of a map's spatial axes. ONNX Pad (constant 0). */
  pad: { top: number; bottom: number; left: number; right: number };
  /** Map slice along axis 1|2|3 (NCHW); `end` may be negative (from the end) or null (to the end). ONNX Slice. */
  slice: { axis: 1 | 2 | 3; start: number; end: number | null };
  /** Mean over the channels of a map, kept as one channel. ONNX ReduceMean(axes=[1], keepdims=1). */
  reduceMean: { axis: 1 };
  /** Map [N,C,H,W] -> tokens [N, H*W, C], token index h*W + w. ONNX Reshape([0,0,-1]) + Transpose([0,2,1]). */
  toTokens: Empty;
  /** inputs [tokens [N,H*W,C], reference map [N,*,H,W]] -> map [N,C,H,W]. ONNX Transpose + Reshape(from Shape(ref)). */
  fromTokens: Empty;
  /** inputs [a, b]; b may be a 2D [in, out] parameter or a tensor of a's rank. ONNX MatMul. */
  matMul: Empty;
  /** Over the last axis of a tensor. ONNX Softmax(axis=-1). */
  softmax: { axis: -1 };
  /** inputs [x, gamma, beta], over the last axis of a tensor. ONNX LayerNormalization(axis=-1). */
  layerNorm: { epsilon: number };
  transpose: { perm: number[] };
  /** ONNX semantics: 0 copies the input dimension, -1 is inferred. Tensors only. */
  reshape: { shape: number[] };
  /**
   * inputs [left, right] maps of C channels -> map of maxShift + 1 channels, the matching cost of
   * every displacement d: 'ssd' mean_c (left(x) - right(x - d))^2, 'dot' mean_c left(x) right(x - d),
   * right zero beyond the image. Composite: ONNX gets one batched MatMul over blocks of each row and a band read off
   * its products (or, for fully integer graphs, shifted views and a grouped conv; see
   * src/onnx/emitters.ts); tfjs one fused kernel with its own gradient.
   */
  matchingCost: { maxShift: number; metric: 'ssd' | 'dot' };
}

type Empty = Record<string, never>;

export type OpType = keyof OpAttrs;
export const OP_TYPES: readonly OpType[] = [
  'affine', 'conv2d', 'relu', 'relu6', 'sigmoid', 'add', 'mul', 'concat', 'resize', 'pad', 'slice',
  'reduceMean', 'toTokens', 'fromTokens', 'matMul', 'softmax', 'layerNorm', 'transpose', 'reshape', 'matchingCost',
];

export type NodeOf<K extends OpType> = { name: string; op: K; inputs: string[]; attrs: OpAttrs[K] };
export type GraphNode = { [K in OpType]: NodeOf<K> }[OpType];

/** Deterministic initialiser; the builder picks the std (He for ReLU layers, Glorot for linear ones). */
export type ParamInit = { kind: 'normal'; std: number } | { kind: 'const'; value: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
}

export interface GraphInput {
  name: string;
  /** Map input [N, channels, H, W]; hilbertq feeds RGB in [0, 1]. */
  channels: number;
}

export interface ModelGraph {
  name: string;
  inputs: GraphInput[];
  nodes: GraphNode[];
  params: ParamSpec[];
  /** The single graph output, a map [N, outputChannels, H, W] at input resolution. */
  output: string;
  outputChannels: number;
  /** H and W of the inputs must be multiples of this. */
  stride: number;
  paramCount: number;
  /** The value the head reads: where training may inject noise, and where backbones end. */
  headInput: string;
  /** Free-form description of how the graph was built (the ModelConfig for hilbertq models). */
  meta: Record<string, unknown>;
}

export function countParams(params: readonly ParamSpec[]): number {
  return params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}
