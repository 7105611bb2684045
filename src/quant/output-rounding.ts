import { DataType, type ModelProto, type NodeProto, type TensorProto } from '../onnx/onnx-proto.js';
import { Rng } from '../util/rng.js';
import type { ObservedTensor } from './calibrate.js';
import { GraphIndex } from './graph-index.js';
import { gramMatrix, matMul } from './gram.js';
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
 * through non-linearities and showed no such shift; their rounding is fitted for another reason,
 * the variance it adds (CONV_ROUNDINGS below).
 */
export const OUTPUT_ROUNDINGS = ['fitted', 'nearest'] as const;
export type OutputRounding = (typeof OUTPUT_ROUNDINGS)[number];

/**
 * How every other quantized conv's int8 weights are rounded: fitted the same way (on its float
 * input's moments, bias moved to match), or to nearest. Fitted is AdaRound's layer-wise objective;
 * it lowered the curve heads' w8a8 q-err robust std by 12 % (unet) and 17 % (vit) on the
 * precision zoo and the direct heads' by 1-2 % (docs/fold-commitment.md, "Every conv's rounding
 * fitted"). A weight shared by two convs (the siamese encoders) stays rounded to nearest.
 */
export const CONV_ROUNDINGS = ['fitted', 'nearest'] as const;
export type ConvRounding = (typeof CONV_ROUNDINGS)[number];

/** Patches sampled per calibration pair for a hidden conv: 64-1024 gave the same codes' quality on the precision unets. */
export const HIDDEN_SAMPLES_PER_PAIR = 128;
/**
 * Greedy sweeps for a hidden conv. The 3x3 convs over 128 channels at 1/16 resolution kept
 * moving codes for 100 sweeps (up to 2 s per conv) on moments of 4096 patches; after 10 the precision
 * unet-hilbert's w8a8 q-err robust std was 0.0377 px, after 100 0.0383 px (32 validation pairs).
 */
export const HIDDEN_MAX_SWEEPS = 10;

/** What fitting the hidden convs did, summed over them. */
export interface ConvRoundingReport {
  convs: number;
  changedCodes: number;
  codes: number;
  /** Sum over the convs' output channels of E[(x . (w_q - w))^2], before and after. */
  squaredError: { nearest: number; fitted: number };
}

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
  strides: [number, number];
}

/**
 * Refits, in place, the int8 codes of the quantized model's copy of `conv` (a conv of the float
 * model: the one writing the output, `findOutputConv`, or a hidden one, `fittableConvs`, with
 * fewer sweeps). The codes minimise the output's mean squared error
 * over calibration pixels, E[(x . (s n - w))^2], by greedy +-1 steps from nearest rounding (the
 * objective of AdaRound, Nagel et al. 2020, for one layer, where the K x K second moment of its
 * input makes each step exact); then the int32 bias absorbs the mean residual E[x] . (s n - w)
 * (bias correction, Nagel et al. 2019). x is the float model's input to the conv (`InputMoments`,
 * filled during calibration), so the fit does not depend on upstream quantization. Returns null,
 * changing nothing, when the quantized model's conv has no int8 weight and int32 bias of its own.
 */
export async function fitOutputRounding(quantized: ModelProto, conv: OutputConv, moments: Moments, weightQmax: number, maxSweeps = MAX_SWEEPS): Promise<OutputRoundingReport | null> {
  const q = quantizedParams(quantized, conv.node.name);
  if (!q || moments.samples === 0) return null;
  const { second, mean } = moments;
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
  const scaleOf = (o: number): number => q.weightScales[q.weightScales.length > 1 ? o : 0];
  const residuals = Array.from({ length: outChannels }, (_, o) => Float64Array.from(codes.subarray(o * k, (o + 1) * k), (code, i) => scaleOf(o) * code - w[o * k + i]));
  // G r for every channel's starting residual in one product (a JS loop per channel took 0.3 s
  // for a 1152-wide conv of 128 channels).
  const stacked = new Float32Array(k * outChannels);
  residuals.forEach((r, o) => r.forEach((v, i) => (stacked[i * outChannels + o] = v)));
  const products = await matMul(Float32Array.from(second), k, k, stacked, outChannels);
  for (let o = 0; o < outChannels; o++) {
    const s = scaleOf(o);
    const n = codes.subarray(o * k, (o + 1) * k);
    const residual = residuals[o];
    report.meanError.nearest.push(dot(mean, residual));
    const start = Float64Array.from({ length: k }, (_, i) => products[i * outChannels + o]);
    const fit = fitCodes(second, n, residual, s, weightQmax, maxSweeps, start);
    report.changedCodes += fit.changed;
    report.meanSquaredError.nearest.push(fit.before);
    report.meanSquaredError.fitted.push(fit.after);
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
 * s^2 G_ii +- 2 s (G r)_i, exactly. `g` starts as G r (float32 precision) and is kept up to date;
 * codes, residual and g are updated in place.
 */
function fitCodes(second: Float64Array, codes: Int32Array, residual: Float64Array, s: number, qmax: number, maxSweeps: number, g: Float64Array): { changed: number; before: number; after: number } {
  const k = codes.length;
  // r^T G r before and after, from g = G r (kept up to date by every step).
  const before = dot(residual, g);
  const start = Int32Array.from(codes);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let moved = false;
    for (let i = 0; i < k; i++) {
      const gii = second[i * k + i];
      for (let step = 1; step >= -1; step -= 2) {
        const next = codes[i] + step;
        if (next < -qmax || next > qmax) continue;
        // Relative tolerance: steps that gain only rounding noise would cycle.
        if (s * s * gii + 2 * step * s * g[i] >= -1e-9 * s * s * gii) continue;
        codes[i] = next;
        residual[i] += step * s;
        // G is symmetric: row i, read contiguously, is column i.
        const row = i * k;
        for (let j = 0; j < k; j++) g[j] += step * s * second[row + j];
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  let changed = 0;
  for (let i = 0; i < k; i++) if (codes[i] !== start[i]) changed++;
  return { changed, before, after: dot(residual, g) };
}

/** The conv writing `output`, walking back over the head's tail; null unless a plain stride-1 Conv with a 4-D initializer weight and a bias. */
export function findOutputConv(model: ModelProto): OutputConv | null {
  const graph = new GraphIndex(model);
  let node = graph.producer(model.graph.output[0]?.name ?? '');
  while (node && (node.op_type === 'Sigmoid' || node.op_type === 'Resize')) node = graph.producer(node.input[0]);
  return node ? fittableConv(graph, node, false) : null;
}

/** Every conv whose rounding can be fitted, strided ones too (CONV_ROUNDINGS), but for those sharing their weight. */
export function fittableConvs(model: ModelProto): OutputConv[] {
  const graph = new GraphIndex(model);
  // A weight shared by two convs (the siamese encoders) gets one set of codes: not fitted to either.
  return graph.nodes
    .map((n) => fittableConv(graph, n, true))
    .filter((c): c is OutputConv => c !== null && graph.consumers(c.node.input[1]).length === 1);
}

function fittableConv(graph: GraphIndex, node: NodeProto, strided: boolean): OutputConv | null {
  if (node.op_type !== 'Conv' || node.input.length < 3 || !node.input[2]) return null;
  // The quantized model's copy is found by name: an unnamed or ambiguous conv is left alone.
  if (!node.name || graph.nodes.filter((n) => n.name === node?.name).length !== 1) return null;
  const weight = graph.initializer(node.input[1]);
  if (!weight || weight.dims.length !== 4 || !graph.initializer(node.input[2])) return null;
  const ints = (name: string): number[] | undefined => graph.attribute(node as NodeProto, name)?.ints?.map(Number);
  const strides = ints('strides') ?? [1, 1];
  if ((!strided && strides.some((v) => v !== 1)) || (ints('dilations') ?? [1, 1]).some((v) => v !== 1)) return null;
  if (Number(graph.attribute(node, 'group')?.i ?? 1) !== 1) return null;
  const autoPad = graph.attribute(node, 'auto_pad')?.s;
  if (autoPad && new TextDecoder().decode(autoPad) !== 'NOTSET') return null;
  const pads = ints('pads') ?? [0, 0, 0, 0];
  return { node, weight, dims: weight.dims.map(Number) as OutputConv['dims'], pads: pads as OutputConv['pads'], strides: strides as [number, number] };
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

/** The first and second moments of a conv's input patches, as expectations (second: K x K, symmetric). */
export interface Moments {
  second: Float64Array;
  mean: Float64Array;
  samples: number;
}

/**
 * The conv's input patches at sampled output pixels, fed one calibration pair at a time
 * (calibrate.ts's observer, in its first pass); their moments at the end. The K x K second moment
 * is one GEMM (ONNX Runtime's, gram.ts): accumulated sample by sample in JS it took seconds for the
 * 1152-wide patches of a 3x3 conv over 128 channels.
 */
export class InputMoments {
  /** Sampled patches not yet in `sum`: folded in once they reach FOLD_VALUES, so memory stays bounded however many pairs come. */
  private rows: Float32Array[] = [];
  private buffered = 0;
  /** X^T X of the folded patches, and their column sums. */
  private readonly sum: Float64Array;
  private readonly mean: Float64Array;
  private readonly k: number;
  samples = 0;
  private pairs = 0;

  constructor(
    private readonly conv: OutputConv,
    private readonly samplesPerPair = SAMPLES_PER_PAIR,
  ) {
    const [, channels, kh, kw] = conv.dims;
    this.k = channels * kh * kw;
    this.sum = new Float64Array(this.k * this.k);
    this.mean = new Float64Array(this.k);
  }

  /** The tensor to observe: the conv's input in the float model. */
  get tensor(): string {
    return this.conv.node.input[0];
  }

  async observe(x: ObservedTensor): Promise<void> {
    const [, kh, kw] = this.conv.dims.slice(1);
    const [, c, h, wd] = x.dims.map(Number);
    const { pads } = this.conv;
    const { k } = this;
    const [sy, sx] = this.conv.strides;
    const outH = Math.floor((h + pads[0] + pads[2] - kh) / sy) + 1;
    const outW = Math.floor((wd + pads[1] + pads[3] - kw) / sx) + 1;
    // A small map gives every pixel; a larger one a fixed random stream per pair, so the same
    // calibration data gives the same codes.
    const rng = new Rng(0x0c0de, this.pairs++);
    const every = outH * outW <= this.samplesPerPair;
    const count = every ? outH * outW : this.samplesPerPair;
    const rows = new Float32Array(count * k);
    for (let t = 0; t < count; t++) {
      const oy = every ? Math.floor(t / outW) : Math.floor(rng.next() * outH);
      const ox = every ? t % outW : Math.floor(rng.next() * outW);
      let i = t * k;
      for (let ci = 0; ci < c; ci++) {
        for (let dy = 0; dy < kh; dy++) {
          const y = oy * sy - pads[0] + dy;
          for (let dx = 0; dx < kw; dx++) {
            const xx = ox * sx - pads[1] + dx;
            rows[i++] = y >= 0 && y < h && xx >= 0 && xx < wd ? x.data[(ci * h + y) * wd + xx] : 0;
          }
        }
      }
    }
    for (let i = 0; i < rows.length; i++) this.mean[i % k] += rows[i];
    this.rows.push(rows);
    this.buffered += rows.length;
    this.samples += count;
    if (this.buffered >= FOLD_VALUES) await this.fold();
  }

  /** One GEMM over the buffered patches, added to the float64 sum. */
  private async fold(): Promise<void> {
    if (this.buffered === 0) return;
    const { k } = this;
    const all = new Float32Array(this.buffered);
    let offset = 0;
    for (const r of this.rows) {
      all.set(r, offset);
      offset += r.length;
    }
    this.rows = [];
    this.buffered = 0;
    const g = await gramMatrix(all, all.length / k, k);
    for (let i = 0; i < g.length; i++) this.sum[i] += g[i];
  }

  /** The moments as expectations. */
  async normalized(): Promise<Moments> {
    await this.fold();
    const { k, samples } = this;
    const mean = Float64Array.from(this.mean, (v) => v / samples);
    const second = new Float64Array(k * k);
    // A GEMM need not give bit-equal mirror entries; the fit reads rows as columns, so make it symmetric.
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        const v = (this.sum[a * k + b] + this.sum[b * k + a]) / (2 * samples);
        second[a * k + b] = v;
        second[b * k + a] = v;
      }
    }
    return { second, mean, samples };
  }
}

/**
 * Patch values buffered per conv before they are folded into its float64 sum (32 MiB): the
 * demo's 32 pairs fold once at the end for every conv of the zoo, and a 1000-pair calibration
 * folder no longer holds every patch (4 GB for the precision unet).
 */
export const FOLD_VALUES = 2 ** 23;

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function replaceInitializer(model: ModelProto, t: TensorProto): void {
  const i = model.graph.initializer.findIndex((x) => x.name === t.name);
  model.graph.initializer[i] = t;
}
