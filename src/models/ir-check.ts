import type { GraphNode, ModelGraph, ParamSpec } from './ir.js';

/**
 * Static shape inference over the IR, so that a wrong channel count or a forgotten shift shows
 * up when a graph is built, not as a tfjs broadcast error deep inside training, and so that
 * exporters can read every value's kind and channel count without running anything.
 *
 * H and W stay symbolic: a map records its channel count, its stride relative to the inputs,
 * and how many pixels of padding it carries beyond W/stride (non-zero only between the Pad and
 * Slice of a correlation shift).
 */
export type Dim = number | string;

export type ValueInfo =
  | { kind: 'map'; channels: number; stride: number; extraH: number; extraW: number }
  | { kind: 'tensor'; shape: Dim[] };

type MapInfo = Extract<ValueInfo, { kind: 'map' }>;
type TensorInfo = Extract<ValueInfo, { kind: 'tensor' }>;

export class GraphShapeError extends Error {
  constructor(node: string, reason: string) {
    super(`graph node ${node}: ${reason}`);
    this.name = 'GraphShapeError';
  }
}

export function tokenDim(stride: number): string {
  return `T${stride}`;
}

export function inferValueInfo(graph: Pick<ModelGraph, 'inputs' | 'nodes' | 'params'>): Map<string, ValueInfo> {
  const info = new Map<string, ValueInfo>();
  const params = new Map(graph.params.map((p) => [p.name, p]));
  for (const input of graph.inputs) {
    info.set(input.name, { kind: 'map', channels: input.channels, stride: 1, extraH: 0, extraW: 0 });
  }
  for (const node of graph.nodes) info.set(node.name, inferNodeInfo(node, info, params));
  return info;
}

/** Infers one node's output from the values and parameters defined before it. */
export function inferNodeInfo(
  node: GraphNode,
  values: ReadonlyMap<string, ValueInfo>,
  params: ReadonlyMap<string, ParamSpec>,
): ValueInfo {
  const fail = (reason: string): never => {
    throw new GraphShapeError(node.name, reason);
  };
  if (values.has(node.name) || params.has(node.name)) fail('name used twice');
  const args = node.inputs.map((name): Arg => {
    const v = values.get(name);
    if (v) return v;
    const p = params.get(name);
    if (p) return { kind: 'param', spec: p };
    return fail(`input ${name} is not defined before this node`);
  });
  return inferNode(node, args, fail);
}

type Arg = ValueInfo | { kind: 'param'; spec: ParamSpec };

function inferNode(node: GraphNode, args: Arg[], fail: (reason: string) => never): ValueInfo {
  const map = (i: number): MapInfo => {
    const a = args[i];
    return a?.kind === 'map' ? a : fail(`input ${i} must be a map`);
  };
  const tensor = (i: number): TensorInfo => {
    const a = args[i];
    return a?.kind === 'tensor' ? a : fail(`input ${i} must be a tensor`);
  };
  const param = (i: number, shape: number[]): ParamSpec => {
    const a = args[i];
    if (a?.kind !== 'param') return fail(`input ${i} must be a parameter`);
    if (!sameDims(a.spec.shape, shape)) fail(`parameter ${a.spec.name} has shape [${a.spec.shape}], expected [${shape}]`);
    return a.spec;
  };
  const unpadded = (m: MapInfo): MapInfo => (m.extraH || m.extraW ? fail('input map still carries padding') : m);
  const arity = (n: number): void => {
    if (args.length !== n) fail(`expects ${n} inputs, got ${args.length}`);
  };

  switch (node.op) {
    case 'affine':
    case 'relu':
    case 'relu6':
    case 'sigmoid': {
      arity(1);
      const a = args[0];
      return a.kind === 'param' ? fail('elementwise op on a parameter') : a;
    }
    case 'conv2d': {
      arity(3);
      const x = unpadded(map(0));
      const { kernel, stride, pad, dilation, outChannels } = node.attrs;
      if (2 * pad !== dilation * (kernel - 1)) fail('only "same" padding (2 pad = dilation (kernel - 1)) keeps H, W symbolic');
      if (stride > 1 && dilation > 1) fail('stride and dilation cannot both exceed 1');
      param(1, [kernel, kernel, x.channels, outChannels]);
      param(2, [outChannels]);
      return { ...x, channels: outChannels, stride: x.stride * stride };
    }
    case 'add':
    case 'mul': {
      arity(2);
      const [a, b] = args;
      if (a.kind === 'map' && b.kind === 'map') {
        if (a.channels !== b.channels || a.stride !== b.stride || a.extraH !== b.extraH || a.extraW !== b.extraW) {
          fail('maps differ in channels, stride or padding');
        }
        return a;
      }
      if (a.kind === 'tensor' && b.kind === 'tensor') {
        if (!sameDims(a.shape, b.shape)) fail(`tensor shapes [${a.shape}] and [${b.shape}] differ`);
        return a;
      }
      if (a.kind === 'tensor' && b.kind === 'param') {
        param(1, [a.shape[a.shape.length - 1] as number]);
        return a;
      }
      return fail('operands must be two maps, two tensors, or a tensor and a [C] parameter');
    }
    case 'concat': {
      if (args.length < 1) fail('needs inputs');
      const maps = args.map((_, i) => unpadded(map(i)));
      if (maps.some((m) => m.stride !== maps[0].stride)) fail('concatenated maps have different strides');
      return { ...maps[0], channels: maps.reduce((s, m) => s + m.channels, 0) };
    }
    case 'resize': {
      arity(1);
      const x = unpadded(map(0));
      if (!Number.isInteger(node.attrs.scale) || node.attrs.scale < 2) fail('scale must be an integer >= 2');
      if (x.stride % node.attrs.scale !== 0) fail('would upscale beyond input resolution');
      return { ...x, stride: x.stride / node.attrs.scale };
    }
    case 'pad': {
      arity(1);
      const x = map(0);
      const { top, bottom, left, right } = node.attrs;
      if ([top, bottom, left, right].some((p) => !Number.isInteger(p) || p < 0)) fail('pads must be integers >= 0');
      return { ...x, extraH: x.extraH + top + bottom, extraW: x.extraW + left + right };
    }
    case 'slice': {
      arity(1);
      const x = map(0);
      const { axis, start, end } = node.attrs;
      if (start < 0) fail('start must be >= 0');
      if (axis === 1) {
        const stop = end === null ? x.channels : end < 0 ? x.channels + end : end;
        if (stop <= start || stop > x.channels) fail('empty or out-of-range channel slice');
        return { ...x, channels: stop - start };
      }
      // Spatial slices must keep the size symbolic, so they can only trim from both ends.
      if (end !== null && end >= 0) fail('spatial slices need end < 0 or null');
      const removed = start - (end ?? 0);
      if (axis === 2) return { ...x, extraH: x.extraH - removed };
      return { ...x, extraW: x.extraW - removed };
    }
    case 'reduceMean': {
      arity(1);
      return { ...map(0), channels: 1 };
    }
    case 'matchingCost': {
      arity(2);
      const [l, r] = [unpadded(map(0)), unpadded(map(1))];
      if (l.channels !== r.channels || l.stride !== r.stride) fail('left and right maps differ in channels or stride');
      if (!Number.isInteger(node.attrs.maxShift) || node.attrs.maxShift < 0) fail('maxShift must be an integer >= 0');
      return { ...l, channels: node.attrs.maxShift + 1 };
    }
    case 'toTokens': {
      arity(1);
      const x = unpadded(map(0));
      return { kind: 'tensor', shape: ['N', tokenDim(x.stride), x.channels] };
    }
    case 'fromTokens': {
      arity(2);
      const t = tensor(0);
      const ref = unpadded(map(1));
      if (t.shape.length !== 3 || t.shape[1] !== tokenDim(ref.stride) || typeof t.shape[2] !== 'number') {
        fail(`tokens [${t.shape}] do not match a map of stride ${ref.stride}`);
      }
      return { kind: 'map', channels: t.shape[2] as number, stride: ref.stride, extraH: 0, extraW: 0 };
    }
    case 'matMul': {
      arity(2);
      const a = tensor(0);
      const b = args[1];
      const k = a.shape[a.shape.length - 1];
      if (b.kind === 'param') {
        if (b.spec.shape.length !== 2 || b.spec.shape[0] !== k) fail(`weight [${b.spec.shape}] does not take ${k} inputs`);
        return { kind: 'tensor', shape: [...a.shape.slice(0, -1), b.spec.shape[1]] };
      }
      const bt = tensor(1);
      const r = a.shape.length;
      if (bt.shape.length !== r || !sameDims(a.shape.slice(0, -2), bt.shape.slice(0, -2)) || bt.shape[r - 2] !== k) {
        fail(`cannot multiply [${a.shape}] by [${bt.shape}]`);
      }
      return { kind: 'tensor', shape: [...a.shape.slice(0, -1), bt.shape[r - 1]] };
    }
    case 'softmax': {
      arity(1);
      return tensor(0);
    }
    case 'layerNorm': {
      arity(3);
      const x = tensor(0);
      const c = x.shape[x.shape.length - 1];
      if (typeof c !== 'number') fail('normalised axis must have a static size');
      param(1, [c as number]);
      param(2, [c as number]);
      return x;
    }
    case 'transpose': {
      arity(1);
      const x = tensor(0);
      const perm = node.attrs.perm;
      if (perm.length !== x.shape.length || [...perm].sort().some((p, i) => p !== i)) fail(`bad perm [${perm}]`);
      return { kind: 'tensor', shape: perm.map((p) => x.shape[p]) };
    }
    case 'reshape': {
      arity(1);
      return { kind: 'tensor', shape: reshapeDims(tensor(0).shape, node.attrs.shape, fail) };
    }
  }
}

/** ONNX Reshape on symbolic dims: numbers multiply, symbols must be carried over intact. */
function reshapeDims(input: Dim[], target: number[], fail: (reason: string) => never): Dim[] {
  const out: Dim[] = target.map((t, i) => (t === 0 ? input[i] : t));
  const inferred = out.indexOf(-1);
  const known = out.filter((_, i) => i !== inferred);
  const symsIn = input.filter((d) => typeof d === 'string').sort();
  const symsOut = known.filter((d) => typeof d === 'string').sort();
  const numIn = input.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
  const numOut = known.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
  if (inferred < 0) {
    if (!sameDims(symsIn, symsOut) || numIn !== numOut) fail(`cannot reshape [${input}] to [${out}]`);
    return out;
  }
  if (!sameDims(symsIn, symsOut) || numIn % numOut !== 0) fail(`cannot infer -1 reshaping [${input}] to [${target}]`);
  out[inferred] = numIn / numOut;
  return out;
}

function sameDims(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
