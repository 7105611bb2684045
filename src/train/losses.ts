import * as tf from '@tensorflow/tfjs';
import type { HilbertCurve } from '../curve/hilbert-curve.js';
import type { OutputMapConfig } from '../models/output-map.js';
import { softDecodedL1WasmFailure, SoftL1Wasm } from './soft-decoded-l1-wasm.js';

/**
 * Training losses. Predictions are NHWC maps: [N, H, W, 1] with q for the direct head,
 * [N, H, W, D] with the curve point for the hilbert head. Targets are disparity in pixels and a
 * 0/1 validity mask, both [N, H, W]; invalid pixels contribute nothing.
 */
export interface LossTargets {
  disp: tf.Tensor3D;
  valid: tf.Tensor3D;
}

export interface HilbertLossOptions {
  maxDisp: number;
  /** Weight of the curve-space term, in disparity pixels per squared unit of the curve's cube. */
  alpha: number;
  /** Weight of the squared distance to the curve inside the curve-space term. */
  beta: number;
  /**
   * Std of the output noise the decoded-disparity L1 is taken under (curve-cube units; 0: the
   * exact decode). See softDecodedL1: hedging between two folds then costs what INT8 will make
   * it cost, and the gradient points to the fold with the smaller error.
   */
  outputNoise?: number;
}

export interface LossParts {
  total: tf.Scalar;
  /** L1 on disparity in pixels (decoded disparity for the hilbert head). */
  disparityL1: tf.Scalar;
  /** Hilbert head only: mean of |p - C(q_gt)|^2 + beta * r^2. */
  curveTerm?: tf.Scalar;
}

/** outputToDisparity (models/output-map.ts) as tfjs ops, so that its gradient flows. */
function qToDisparity(q: tf.Tensor3D, config: OutputMapConfig): tf.Tensor3D {
  const map = config.outputMap ?? 'linear';
  if (map === 'linear') return tf.mul(q, config.maxDisp);
  const [lo, hi] = [config.minDisp as number, config.maxDisp];
  const clamped = tf.clipByValue(q, 0, 1);
  if (map === 'log') return tf.mul(tf.exp(tf.mul(clamped, Math.log(hi / lo))), lo);
  return tf.div(1, tf.add(tf.mul(clamped, 1 / hi - 1 / lo), 1 / lo));
}

function maskedMean(values: tf.Tensor, valid: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, valid)), tf.maximum(tf.sum(valid), 1));
}

/** L1 on disparity, through the model's output map (models/output-map.ts), over valid pixels. */
export function directLoss(pred: tf.Tensor4D, targets: LossTargets, output: OutputMapConfig): LossParts {
  return tf.tidy(() => {
    const disp = qToDisparity(tf.squeeze(pred, [3]), output);
    const l1 = maskedMean(tf.abs(tf.sub(disp, targets.disp)), targets.valid);
    return { total: l1, disparityL1: l1 };
  });
}

/** A hilbert head's NHWC prediction read back, and the exact decode (q) of each pixel's point. */
export function decodePrediction(pred: tf.Tensor4D, curve: HilbertCurve): { values: Float32Array; q: Float32Array } {
  const [n, h, w, d] = pred.shape;
  const pixels = n * h * w;
  const values = pred.dataSync() as Float32Array;
  const planar = new Float32Array(pixels * d);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < d; c++) planar[c * pixels + i] = values[i * d + c];
  return { values, q: curve.decode(planar) };
}

/**
 * The paper's loss: L1 on the decoded disparity + alpha * (|p - C(q_gt)|^2 + beta * r^2).
 * The decoded value is the projection onto the segment nearest to the prediction. That segment
 * is chosen outside the gradient (a discrete choice, computed with the exact decoder on the
 * current values); given it, the projection is differentiable.
 *
 * Invalid pixels are skipped, not multiplied by 0: a non-finite prediction or ground truth there
 * cannot turn the loss into NaN (a NaN at a valid pixel still does, and the trainer reports it).
 *
 * Every term is per pixel, so value and gradient come from one JS pass and enter the graph as a
 * single custom-gradient op: written as ~25 tfjs ops it cost 12 ms of a 200 ms U-Net step
 * (forward + backward), against under 1 ms for the direct head's loss.
 */
export function hilbertLoss(
  pred: tf.Tensor4D,
  targets: LossTargets,
  curve: HilbertCurve,
  options: HilbertLossOptions,
): LossParts {
  const [n, h, w, d] = pred.shape;
  if (d !== curve.dims) throw new Error(`hilbert loss: prediction has ${d} channels, the curve ${curve.dims}`);
  const { maxDisp, alpha, beta } = options;
  const pixels = n * h * w;
  const segments = curve.vertexCount - 1;
  const { values, q } = decodePrediction(pred, curve);
  const gtDisp = targets.disp.dataSync();
  const valid = targets.valid.dataSync();
  const gtQ = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) gtQ[i] = Number.isFinite(gtDisp[i]) ? gtDisp[i] / maxDisp : 0;
  const gtPoint = curve.encode(gtQ);
  const vertices = curve.vertices();
  const invLen2 = 1 / (curve.spacing * curve.spacing);

  let count = 0;
  for (let i = 0; i < pixels; i++) count += valid[i];
  const norm = 1 / Math.max(count, 1);
  let l1 = 0;
  let curveSum = 0;
  const grad = new Float32Array(pixels * d);
  const a = new Float64Array(d);
  const u = new Float64Array(d);
  const soft = options.outputNoise ? softDecodedL1For(curve, maxDisp, options.outputNoise).all(values, gtDisp as Float32Array, valid as Float32Array) : null;
  for (let i = 0; i < pixels; i++) {
    const weight = valid[i];
    if (weight === 0) continue;
    // A NaN prediction has no nearest segment; segment 0 keeps the arithmetic going and the NaN
    // still propagates into the loss, where the trainer reports it.
    const s = q[i] === q[i] ? Math.min(segments - 1, Math.floor(q[i] * segments)) : 0;
    let dot = 0;
    for (let c = 0; c < d; c++) {
      a[c] = vertices[s * d + c];
      u[c] = vertices[(s + 1) * d + c] - a[c];
      dot += (values[i * d + c] - a[c]) * u[c];
    }
    const tRaw = dot * invLen2;
    const t = Math.min(1, Math.max(0, tRaw));
    let l1Slope = 0;
    if (soft) {
      l1 += weight * soft.loss[i];
    } else {
      const err = ((s + t) / segments) * maxDisp - gtDisp[i];
      l1 += weight * Math.abs(err);
      // d|err|/dp through t, which is flat where the projection is clamped to a segment end.
      l1Slope = tRaw >= 0 && tRaw <= 1 ? (Math.sign(err) * maxDisp * invLen2) / segments : 0;
    }
    let component2 = 0;
    let r2 = 0;
    for (let c = 0; c < d; c++) {
      const p = values[i * d + c];
      const toTruth = p - gtPoint[c * pixels + i];
      // p minus its projection: orthogonal to u inside the segment, so its gradient is 2 (p - proj) throughout.
      const toCurve = p - (a[c] + t * u[c]);
      component2 += toTruth * toTruth;
      r2 += toCurve * toCurve;
      const l1Grad = soft ? soft.grad[i * d + c] : l1Slope * u[c];
      grad[i * d + c] = weight * norm * (l1Grad + 2 * alpha * (toTruth + beta * toCurve));
    }
    curveSum += weight * (component2 + beta * r2);
  }
  const disparityL1 = l1 * norm;
  const curveTerm = curveSum * norm;
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    save([tf.tensor4d(grad, [n, h, w, d])]);
    return { value: tf.scalar(disparityL1 + alpha * curveTerm), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  return { total: loss(pred) as tf.Scalar, disparityL1: tf.scalar(disparityL1), curveTerm: tf.scalar(curveTerm) };
}

let warnedJsLoop = false;

/** One SoftDecodedL1 per curve and setting: its WebAssembly instance and memory serve every step. */
const softLosses = new WeakMap<HilbertCurve, Map<string, SoftDecodedL1>>();

function softDecodedL1For(curve: HilbertCurve, maxDisp: number, sigma: number): SoftDecodedL1 {
  let perCurve = softLosses.get(curve);
  if (!perCurve) softLosses.set(curve, (perCurve = new Map()));
  const key = `${maxDisp}/${sigma}`;
  let soft = perCurve.get(key);
  if (!soft) perCurve.set(key, (soft = new SoftDecodedL1(curve, maxDisp, sigma)));
  return soft;
}

/**
 * A smooth surrogate of the decoded-disparity L1 under output noise of std sigma: a point p
 * decodes onto segment s with weight w_s ~ exp(-dist_s(p)^2 / 2 sigma^2) (a soft nearest
 * segment), and the loss is sum_s w_s |d_s(p) - d_gt|, d_s the projection onto s in pixels. It
 * is not the exact expectation: the clamped ends of a point's neighbouring segments also get
 * weight, so even a perfect prediction mid-segment keeps a small loss (at sigma 0.03 on the 2D
 * order-3 curve each neighbour weighs about 0.16), and the logged l1 is not comparable with a
 * run without output noise. A point between two folds then pays for the fold it may flip to, and the gradient
 * through the weights, sum_s w_s (|e_s| - L) (proj_s - p) / sigma^2, pushes it towards the fold
 * with the smaller error; the exact decode's gradient only slides a point along its own segment.
 * Segments whose weight is below e^-12 of the nearest one's are skipped.
 */
export class SoftDecodedL1 {
  private readonly start: Float64Array;
  private readonly dir: Float64Array;
  private readonly dist2: Float64Array;
  private readonly proj: Float64Array;
  private readonly tSeg: Float64Array;
  private readonly segments: number;
  private readonly dims: number;
  private readonly invLen2: number;
  private readonly inv2s2: number;
  private readonly wasm: SoftL1Wasm | null;

  constructor(
    curve: HilbertCurve,
    private readonly maxDisp: number,
    private readonly sigma: number,
  ) {
    if (!(sigma > 0)) throw new Error(`output noise must be > 0, got ${sigma}`);
    const v = curve.vertices();
    const d = curve.dims;
    this.dims = d;
    this.segments = curve.vertexCount - 1;
    this.start = v.subarray(0, this.segments * d);
    this.dir = new Float64Array(this.segments * d);
    for (let k = 0; k < this.segments * d; k++) this.dir[k] = v[k + d] - v[k];
    this.invLen2 = 1 / (curve.spacing * curve.spacing);
    this.inv2s2 = 1 / (2 * sigma * sigma);
    this.dist2 = new Float64Array(this.segments);
    this.proj = new Float64Array(this.segments);
    this.tSeg = new Float64Array(this.segments);
    this.wasm = SoftL1Wasm.create({ dims: d, segments: this.segments, start: this.start, dir: this.dir, invLen2: this.invLen2, inv2s2: this.inv2s2, maxDisp });
    // A fast path that falls back in silence is a bug: say so, once a process.
    if (!this.wasm && !warnedJsLoop) {
      warnedJsLoop = true;
      console.warn(`hilbertq: soft-decoded-l1.wat cannot run (${softDecodedL1WasmFailure() ?? 'unknown'}); the curve head's loss under output noise loops in JS, 3-5x slower`);
    }
  }

  /** Whether all() runs in WebAssembly (soft-decoded-l1.wat, float32, 3-5x faster) or loops at(). */
  get simd(): boolean {
    return this.wasm !== null;
  }

  /**
   * at() for every pixel of interleaved `values` (pixels x dims): each pixel's soft L1 in pixels
   * and its gradient (pixel-major), 0 where `valid` is 0.
   */
  all(values: Float32Array, gt: Float32Array, valid: Float32Array): { loss: Float32Array; grad: Float32Array } {
    const pixels = gt.length;
    if (values.length !== pixels * this.dims || valid.length !== pixels) {
      throw new RangeError(`soft L1: ${values.length} values and ${valid.length} weights for ${pixels} pixels of ${this.dims}`);
    }
    if (this.wasm) return this.wasm.run(values, gt, valid, pixels);
    return this.allJs(values, gt, valid);
  }

  /** all() in JS, float64 (the reference the WebAssembly is held to). */
  allJs(values: Float32Array, gt: Float32Array, valid: Float32Array): { loss: Float32Array; grad: Float32Array } {
    const { dims: d } = this;
    const pixels = gt.length;
    const loss = new Float32Array(pixels);
    const grad = new Float32Array(pixels * d);
    const g = new Float64Array(d);
    for (let i = 0; i < pixels; i++) {
      if (valid[i] === 0) continue;
      loss[i] = this.at(values, i, gt[i], g);
      for (let c = 0; c < d; c++) grad[i * d + c] = g[c];
    }
    return { loss, grad };
  }

  /** The expected |error| in pixels at pixel i of interleaved `values`; its gradient into `grad`. */
  at(values: Float32Array, i: number, gt: number, grad: Float64Array): number {
    const { dims: d, segments, start, dir, dist2, tSeg, proj, invLen2, maxDisp } = this;
    let best = Infinity;
    for (let s = 0; s < segments; s++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += (values[i * d + c] - start[s * d + c]) * dir[s * d + c];
      const t = Math.min(1, Math.max(0, dot * invLen2));
      let r2 = 0;
      for (let c = 0; c < d; c++) {
        const e = values[i * d + c] - start[s * d + c] - t * dir[s * d + c];
        r2 += e * e;
      }
      dist2[s] = r2;
      tSeg[s] = dot * invLen2;
      proj[s] = t;
      if (r2 < best) best = r2;
    }
    const cutoff = best + 12 / this.inv2s2;
    let wSum = 0;
    let loss = 0;
    for (let s = 0; s < segments; s++) {
      if (dist2[s] > cutoff) continue;
      const w = Math.exp(-(dist2[s] - best) * this.inv2s2);
      wSum += w;
      loss += w * Math.abs(((s + proj[s]) / segments) * maxDisp - gt);
    }
    loss /= wSum;
    grad.fill(0);
    for (let s = 0; s < segments; s++) {
      if (dist2[s] > cutoff) continue;
      const w = Math.exp(-(dist2[s] - best) * this.inv2s2) / wSum;
      const err = ((s + proj[s]) / segments) * maxDisp - gt;
      const inside = tSeg[s] >= 0 && tSeg[s] <= 1;
      // Through the projection: sign(err) * maxDisp / segments * dt/dp, dt/dp = u / |u|^2 inside the segment.
      const slope = inside ? (Math.sign(err) * maxDisp * invLen2) / segments : 0;
      // Through the weight: w_s (|e_s| - L) * d(-dist2_s / 2 sigma^2)/dp = w_s (|e_s| - L) (proj_s - p) / sigma^2.
      const pull = w * (Math.abs(err) - loss) * 2 * this.inv2s2;
      for (let c = 0; c < d; c++) {
        const toProj = start[s * d + c] + proj[s] * dir[s * d + c] - values[i * d + c];
        grad[c] += w * slope * dir[s * d + c] + pull * toProj;
      }
    }
    return loss;
  }
}
