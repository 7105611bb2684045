import { DataType, type ModelProto, type NodeProto, type TensorProto } from '../onnx/onnx-proto.js';
import { Rng } from '../util/rng.js';
import type { ObservedTensor } from './calibrate.js';
import { GraphIndex } from './graph-index.js';
import { clampInt32 } from './qparams.js';
import { floatValues, makeTensor, numericValues } from './tensors.js';

/**
 * How the output conv's int8 weights are rounded: to nearest (what ORT's quantize_static does
 * everywhere), or fitted to calibration data with its bias moved to match (the default).
 *
 * Why the output conv: it has one output channel per head channel and sums over a hundred
 * non-negative activations, so the rounding errors of its weights do not average out; they
 * shift every pixel alike. Measured on the shipped precision unet-direct (60 test pairs, w8a16):
 * that conv's rounding alone moved disparity by -0.21 px on average, most of its w8a16 error
 * (EPE 1.025 against 0.958 px in FP32). Fitted, w8a16 gives 0.961 px and w8a8 1.017 against 1.052
 * px (docs/precision-regime.md, "The output conv's rounding"). Hidden convs mix many channels
 * through non-linearities and showed no such shift, so they stay rounded to nearest.
 */
export const OUTPUT_ROUNDINGS = ['fitted', 'nearest'] as const;
export type OutputRounding = (typeof OUTPUT_ROUNDINGS)[number];

/** What the fit did, per output channel of the conv, on the calibration samples it saw. */
export interface OutputRoundingReport {
  node: string;
  samples: number;
  /** E[(x . (w_q - w))^2]: the conv output's squared error from its weight rounding. */
  meanSquaredError: { nearest: number[]; fitted: number[] };
  /** E[x . (w_q - w)] with nearest rounding, and what is left once the bias moved. */
  meanError: { nearest: number[]; fitted: number[] };
  /** Weight codes changed from nearest, over all channels. */
  changedCodes: number;
}

/** Output pixels sampled per calibration pair: enough for the K x K moments, cheap in JS. */
const SAMPLES_PER_PAIR = 1024;
/** Greedy passes over the weights; the fit converges in a few (2-9 on the shipped heads). */
const MAX_SWEEPS = 100;

export interface OutputConv {
  node: NodeProto;
  weight: TensorProto;
  dims: [number, number, number, number];
  pads: [number, number, number, number];
}

/**
 * Refits, in place, the int8 codes of the quantized model's copy of `conv` (the float model's
 * conv writing the output, `findOutputConv`). The codes minimise the output's mean squared error
 * over calibration pixels, E[(x . (s n - w))^2], by greedy +-1 steps from nearest rounding (the
 * objective of AdaRound, Nagel et al. 2020, for one layer, where the K x K second moment of its
 * input makes each step exact); then the int32 bias absorbs the mean residual E[x] . (s n - w)
 * (bias correction, Nagel et al. 2019). x is the float model's input to the conv (`InputMoments`,
 * filled during calibration), so the fit does not depend on upstream quantization. Returns null,
 * changing nothing, when the quantized model's conv has no int8 weight and int32 bias of its own.
 */
export function fitOutputRounding(quantized: ModelProto, conv: OutputConv, moments: InputMoments, weightQmax: number): OutputRoundingReport | null {
  const q = quantizedParams(quantized, conv.node.name);
  if (!q || moments.samples === 0) return null;
  const { second, mean } = moments.normalized();
  const outChannels = conv.dims[0];
  const k = mean.length;
  const w = floatValues(conv.weight);
  const codes = Int32Array.from(numericValues(q.weight));
  const bias = Int32Array.from(numericValues(q.bias));
  const report: OutputRoundingReport = {
    node: conv.node.name,
    samples: moments.samples,
    meanSquaredError: { nearest: [], fitted: [] },
    meanError: { nearest: [], fitted: [] },
    changedCodes: 0,
  };
  for (let o = 0; o < outChannels; o++) {
    const s = q.weightScales[q.weightScales.length > 1 ? o : 0];
    const n = codes.subarray(o * k, (o + 1) * k);
    const residual = Float64Array.from(n, (code, i) => s * code - w[o * k + i]);
    report.meanSquaredError.nearest.push(quadratic(second, residual));
    report.meanError.nearest.push(dot(mean, residual));
    report.changedCodes += fitCodes(second, n, residual, s, weightQmax);
    report.meanSquaredError.fitted.push(quadratic(second, residual));
    const shift = dot(mean, residual);
    const biasScale = q.biasScales[q.biasScales.length > 1 ? o : 0];
    const shiftCodes = Math.round(shift / biasScale);
    bias[o] = clampInt32(bias[o] - shiftCodes);
    report.meanError.fitted.push(shift - shiftCodes * biasScale);
  }
  replaceInitializer(quantized, makeTensor(q.weight.name, DataType.INT8, q.weight.dims.map(Number), codes));
  replaceInitializer(quantized, makeTensor(q.bias.name, DataType.INT32, [outChannels], bias));
  return report;
}

/**
 * Greedy coordinate descent on r^T G r over integer codes: a +-1 step on code i changes it by
 * s^2 G_ii +- 2 s (G r)_i, exactly. Updates codes and residual in place; returns the codes changed.
 */
function fitCodes(second: Float64Array, codes: Int32Array, residual: Float64Array, s: number, qmax: number): number {
  const k = codes.length;
  const g = new Float64Array(k);
  for (let i = 0; i < k; i++) g[i] = dotRow(second, i, k, residual);
  const start = Int32Array.from(codes);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let moved = false;
    for (let i = 0; i < k; i++) {
      const gii = second[i * k + i];
      for (const step of [1, -1]) {
        const next = codes[i] + step;
        if (next < -qmax || next > qmax) continue;
        // Relative tolerance: steps that gain only rounding noise would cycle.
        if (s * s * gii + 2 * step * s * g[i] >= -1e-9 * s * s * gii) continue;
        codes[i] = next;
        residual[i] += step * s;
        for (let j = 0; j < k; j++) g[j] += step * s * second[j * k + i];
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  let changed = 0;
  for (let i = 0; i < k; i++) if (codes[i] !== start[i]) changed++;
  return changed;
}

/** The conv writing `output`, walking back over the head's tail; null unless a plain stride-1 Conv with a 4-D initializer weight and a bias. */
export function findOutputConv(model: ModelProto): OutputConv | null {
  const graph = new GraphIndex(model);
  let node = graph.producer(model.graph.output[0]?.name ?? '');
  while (node && (node.op_type === 'Sigmoid' || node.op_type === 'Resize')) node = graph.producer(node.input[0]);
  if (!node || node.op_type !== 'Conv' || node.input.length < 3 || !node.input[2]) return null;
  // The quantized model's copy is found by name: an unnamed or ambiguous conv is left alone.
  if (!node.name || graph.nodes.filter((n) => n.name === node?.name).length !== 1) return null;
  const weight = graph.initializer(node.input[1]);
  if (!weight || weight.dims.length !== 4 || !graph.initializer(node.input[2])) return null;
  const ints = (name: string): number[] | undefined => graph.attribute(node as NodeProto, name)?.ints?.map(Number);
  if ((ints('strides') ?? [1, 1]).some((v) => v !== 1) || (ints('dilations') ?? [1, 1]).some((v) => v !== 1)) return null;
  if (Number(graph.attribute(node, 'group')?.i ?? 1) !== 1) return null;
  const autoPad = graph.attribute(node, 'auto_pad')?.s;
  if (autoPad && new TextDecoder().decode(autoPad) !== 'NOTSET') return null;
  const pads = ints('pads') ?? [0, 0, 0, 0];
  return { node, weight, dims: weight.dims.map(Number) as OutputConv['dims'], pads: pads as OutputConv['pads'] };
}

interface QuantizedConvParams {
  weight: TensorProto;
  weightScales: Float32Array;
  bias: TensorProto;
  biasScales: Float32Array;
}

/** The int8 weight and int32 bias initializers (and their scales) of the quantized model's conv `name`. */
function quantizedParams(model: ModelProto, name: string): QuantizedConvParams | null {
  const graph = new GraphIndex(model);
  const named = graph.nodes.filter((n) => n.name === name);
  const node = named.length === 1 && named[0].op_type === 'Conv' ? named[0] : undefined;
  const dqOf = (input: string | undefined): NodeProto | undefined => {
    const p = input ? graph.producer(input) : undefined;
    return p?.op_type === 'DequantizeLinear' ? p : undefined;
  };
  const wdq = dqOf(node?.input[1]);
  const bdq = dqOf(node?.input[2]);
  const weight = wdq && graph.initializer(wdq.input[0]);
  const bias = bdq && graph.initializer(bdq.input[0]);
  const wScale = wdq && graph.initializer(wdq.input[1]);
  const bScale = bdq && graph.initializer(bdq.input[1]);
  if (!weight || !bias || !wScale || !bScale || weight.data_type !== DataType.INT8 || bias.data_type !== DataType.INT32) return null;
  // Shared codes would change another node too: a shared weight has one DequantizeLinear for all its readers.
  if (graph.consumers(wdq.output[0]).length !== 1 || graph.consumers(bias.name).length !== 1 || graph.consumers(bdq.output[0]).length !== 1) return null;
  return { weight, weightScales: floatValues(wScale), bias, biasScales: floatValues(bScale) };
}

/**
 * First and second moments of the conv's input patches at sampled output pixels, fed one
 * calibration pair at a time (calibrate.ts's observer, in its first pass).
 */
export class InputMoments {
  /** E[x x^T] (sums until normalized), K x K row-major, K = C * kh * kw in the weight's layout. */
  private readonly second: Float64Array;
  private readonly mean: Float64Array;
  private readonly patch: Float64Array;
  private readonly nonZero: Int32Array;
  private readonly k: number;
  samples = 0;
  private pairs = 0;

  constructor(private readonly conv: OutputConv) {
    const [, channels, kh, kw] = conv.dims;
    this.k = channels * kh * kw;
    this.second = new Float64Array(this.k * this.k);
    this.mean = new Float64Array(this.k);
    this.patch = new Float64Array(this.k);
    this.nonZero = new Int32Array(this.k);
  }

  /** The tensor to observe: the conv's input in the float model. */
  get tensor(): string {
    return this.conv.node.input[0];
  }

  observe(x: ObservedTensor): void {
    const [, kh, kw] = this.conv.dims.slice(1);
    const [, c, h, wd] = x.dims.map(Number);
    const { pads } = this.conv;
    const { k, patch, nonZero, second, mean } = this;
    const outH = h + pads[0] + pads[2] - kh + 1;
    const outW = wd + pads[1] + pads[3] - kw + 1;
    // A small map gives every pixel; a larger one a fixed random stream per pair, so the same
    // calibration data gives the same codes.
    const rng = new Rng(0x0c0de, this.pairs++);
    const every = outH * outW <= SAMPLES_PER_PAIR;
    const count = every ? outH * outW : SAMPLES_PER_PAIR;
    for (let t = 0; t < count; t++) {
      const oy = every ? Math.floor(t / outW) : Math.floor(rng.next() * outH);
      const ox = every ? t % outW : Math.floor(rng.next() * outW);
      let i = 0;
      for (let ci = 0; ci < c; ci++) {
        for (let dy = 0; dy < kh; dy++) {
          const y = oy - pads[0] + dy;
          for (let dx = 0; dx < kw; dx++) {
            const xx = ox - pads[1] + dx;
            patch[i++] = y >= 0 && y < h && xx >= 0 && xx < wd ? x.data[(ci * h + y) * wd + xx] : 0;
          }
        }
      }
      // Post-ReLU inputs are mostly zeros: only the products of non-zero entries are summed.
      let nnz = 0;
      for (let a = 0; a < k; a++) {
        mean[a] += patch[a];
        if (patch[a] !== 0) nonZero[nnz++] = a;
      }
      for (let i2 = 0; i2 < nnz; i2++) {
        const a = nonZero[i2];
        const pa = patch[a];
        const row = a * k;
        for (let j = i2; j < nnz; j++) second[row + nonZero[j]] += pa * patch[nonZero[j]];
      }
    }
    this.samples += count;
  }

  /** The moments as expectations, the second one symmetric. */
  normalized(): { second: Float64Array; mean: Float64Array } {
    const { k, samples } = this;
    const second = new Float64Array(k * k);
    const mean = Float64Array.from(this.mean, (v) => v / samples);
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        second[a * k + b] = this.second[a * k + b] / samples;
        second[b * k + a] = second[a * k + b];
      }
    }
    return { second, mean };
  }
}

function quadratic(m: Float64Array, v: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * dotRow(m, i, v.length, v);
  return sum;
}

function dotRow(m: Float64Array, row: number, k: number, v: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < k; j++) sum += m[row * k + j] * v[j];
  return sum;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function replaceInitializer(model: ModelProto, t: TensorProto): void {
  const i = model.graph.initializer.findIndex((x) => x.name === t.name);
  model.graph.initializer[i] = t;
}
