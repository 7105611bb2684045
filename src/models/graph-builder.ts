import { countParams } from './ir.js';
import type { GraphNode, ModelGraph, OpAttrs, OpType, ParamInit, ParamSpec } from './ir.js';
import { inferNodeInfo, inferValueInfo, type ValueInfo } from './ir-check.js';

export type Activation = 'relu' | 'relu6' | 'none';

export interface ConvOptions {
  kernel?: number;
  stride?: number;
  dilation?: number;
  act?: Activation;
  /** Parameter name prefix; defaults to the node name. Reusing a prefix shares the weights. */
  params?: string;
  /** Multiplies the default init std (e.g. small last layers of residual branches). */
  initGain?: number;
}

/**
 * Appends nodes and parameters while checking shapes as it goes, so builders read like
 * PyTorch module code: `x = b.conv('enc.conv1', x, 16, { stride: 2 })`.
 */
export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly params = new Map<string, ParamSpec>();
  private readonly inputs: ModelGraph['inputs'] = [];
  private readonly info = new Map<string, ValueInfo>();

  input(name: string, channels: number): string {
    this.inputs.push({ name, channels });
    this.info.set(name, { kind: 'map', channels, stride: 1, extraH: 0, extraW: 0 });
    return name;
  }

  /** Declares a parameter, or returns the existing one of that name (weight sharing). */
  param(name: string, shape: number[], init: ParamInit): string {
    const existing = this.params.get(name);
    if (existing) {
      if (existing.shape.join() !== shape.join()) {
        throw new Error(`parameter ${name} reused with shape [${shape}], declared as [${existing.shape}]`);
      }
      return name;
    }
    this.params.set(name, { name, shape, init });
    return name;
  }

  node<K extends OpType>(op: K, name: string, inputs: string[], attrs: OpAttrs[K]): string {
    const node = { name, op, inputs, attrs } as GraphNode;
    this.info.set(name, inferNodeInfo(node, this.info, this.params));
    this.nodes.push(node);
    return name;
  }

  valueInfo(name: string): ValueInfo {
    const v = this.info.get(name);
    if (!v) throw new Error(`unknown value ${name}`);
    return v;
  }

  channels(name: string): number {
    const v = this.valueInfo(name);
    if (v.kind === 'map') return v.channels;
    const last = v.shape[v.shape.length - 1];
    if (typeof last !== 'number') throw new Error(`${name} has a symbolic last axis`);
    return last;
  }

  /** Conv + bias (+ activation). He init before ReLU, Glorot otherwise. */
  conv(name: string, x: string, outChannels: number, opts: ConvOptions = {}): string {
    const { kernel = 3, stride = 1, dilation = 1, act = 'relu', initGain = 1 } = opts;
    const prefix = opts.params ?? name;
    const cin = this.channels(x);
    const fanIn = kernel * kernel * cin;
    const fanOut = kernel * kernel * outChannels;
    const std = initGain * (act === 'none' ? Math.sqrt(2 / (fanIn + fanOut)) : Math.sqrt(2 / fanIn));
    const w = this.param(`${prefix}.weight`, [kernel, kernel, cin, outChannels], { kind: 'normal', std });
    const b = this.param(`${prefix}.bias`, [outChannels], { kind: 'const', value: 0 });
    const pad = (dilation * (kernel - 1)) / 2;
    const y = this.node('conv2d', act === 'none' ? name : `${name}.conv`, [x, w, b], {
      kernel, stride, pad, dilation, outChannels,
    });
    return act === 'none' ? y : this.node(act, name, [y], {});
  }

  /** Token-wise linear layer: matMul with an [in, out] weight plus a bias. */
  linear(name: string, x: string, outFeatures: number, opts: { act?: Activation; initGain?: number } = {}): string {
    const { act = 'none', initGain = 1 } = opts;
    const cin = this.channels(x);
    const std = initGain * (act === 'none' ? Math.sqrt(2 / (cin + outFeatures)) : Math.sqrt(2 / cin));
    const w = this.param(`${name}.weight`, [cin, outFeatures], { kind: 'normal', std });
    const b = this.param(`${name}.bias`, [outFeatures], { kind: 'const', value: 0 });
    const y = this.node('add', act === 'none' ? name : `${name}.linear`, [this.node('matMul', `${name}.matmul`, [x, w], {}), b], {});
    return act === 'none' ? y : this.node(act, name, [y], {});
  }

  layerNorm(name: string, x: string): string {
    const c = this.channels(x);
    const gamma = this.param(`${name}.gamma`, [c], { kind: 'const', value: 1 });
    const beta = this.param(`${name}.beta`, [c], { kind: 'const', value: 0 });
    return this.node('layerNorm', name, [x, gamma, beta], { epsilon: 1e-5 });
  }

  /**
   * Softmax over the channels of a map, per pixel: the only normalisation across disparity
   * candidates a cost volume needs. Built from toTokens + softmax + fromTokens, all ONNX ops.
   */
  channelSoftmax(name: string, x: string): string {
    const tokens = this.node('toTokens', `${name}.tokens`, [x], {});
    const soft = this.node('softmax', `${name}.softmax`, [tokens], { axis: -1 });
    return this.node('fromTokens', name, [soft, x], {});
  }

  upsample(name: string, x: string, scale = 2, mode: 'nearest' | 'bilinear' = 'bilinear'): string {
    return this.node('resize', name, [x], { scale, mode });
  }

  build(output: string, headInput: string, meta: Record<string, unknown>, name: string): ModelGraph {
    const params = [...this.params.values()];
    const nodes = liveNodes(this.nodes, output);
    const read = new Set(nodes.flatMap((n) => n.inputs));
    const unread = params.find((p) => !read.has(p.name));
    // Pruning must never change what the weights file holds.
    if (unread) throw new Error(`parameter ${unread.name} is read by no node the output ${output} depends on`);
    // Training adds its head noise to that node's output (tfjs-build.ts): a graph input, a
    // parameter or a node the output does not depend on would silently take none.
    if (!nodes.some((n) => n.name === headInput)) throw new Error(`head input ${headInput} is no node the output ${output} depends on`);
    const graph: Omit<ModelGraph, 'stride' | 'paramCount' | 'outputChannels'> = {
      name, inputs: [...this.inputs], nodes, params, output, headInput, meta,
    };
    // Full re-check of the finished graph: the incremental checks only saw one node at a time.
    const info = inferValueInfo(graph);
    const out = info.get(output);
    if (out?.kind !== 'map' || out.stride !== 1) throw new Error(`output ${output} must be a full-resolution map`);
    let stride = 1;
    for (const v of info.values()) if (v.kind === 'map') stride = Math.max(stride, v.stride);
    return { ...graph, outputChannels: out.channels, stride, paramCount: countParams(params) };
  }
}

/**
 * The nodes the output depends on, in their order. A block shared by both families may make a
 * value one of them never reads (the stereo stem's half-resolution matching cost, which the vit's
 * DPT fusion does not use): left in, every backend would compute it on every run, 1.4 of 8.0 ms
 * of the precision vit's fp32 run at 128x256 on ORT.
 */
function liveNodes(nodes: readonly GraphNode[], output: string): GraphNode[] {
  const producer = new Map(nodes.map((n) => [n.name, n]));
  const live = new Set<string>();
  const pending = [output];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    const node = producer.get(value);
    if (!node || live.has(value)) continue;
    live.add(value);
    pending.push(...node.inputs);
  }
  return nodes.filter((n) => live.has(n.name));
}

/** Channel count scaled by the width multiplier, kept a multiple of 4 (SIMD- and INT8-friendly). */
export function widen(base: number, width: number): number {
  return Math.max(4, Math.round((base * width) / 4) * 4);
}
