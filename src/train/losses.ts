import * as tf from '@tensorflow/tfjs';
import type { HilbertCurve } from '../curve/hilbert-curve.js';

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
}

export interface LossParts {
  total: tf.Scalar;
  /** L1 on disparity in pixels (decoded disparity for the hilbert head). */
  disparityL1: tf.Scalar;
  /** Hilbert head only: mean of |p - C(q_gt)|^2 + beta * r^2. */
  curveTerm?: tf.Scalar;
}

function maskedMean(values: tf.Tensor, valid: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, valid)), tf.maximum(tf.sum(valid), 1));
}

/** L1 on disparity over valid pixels. */
export function directLoss(pred: tf.Tensor4D, targets: LossTargets, maxDisp: number): LossParts {
  return tf.tidy(() => {
    const disp = tf.mul(tf.squeeze(pred, [3]), maxDisp);
    const l1 = maskedMean(tf.abs(tf.sub(disp, targets.disp)), targets.valid);
    return { total: l1, disparityL1: l1 };
  });
}

/**
 * The paper's loss: L1 on the decoded disparity + alpha * (|p - C(q_gt)|^2 + beta * r^2).
 * The decoded value is the projection onto the segment nearest to the prediction. That segment
 * is chosen outside the gradient (a discrete choice, computed with the exact decoder on the
 * current values); given it, the projection is differentiable.
 */
export function hilbertLoss(
  pred: tf.Tensor4D,
  targets: LossTargets,
  curve: HilbertCurve,
  options: HilbertLossOptions,
): LossParts {
  const [n, h, w, d] = pred.shape;
  if (d !== curve.dims) throw new Error(`hilbert loss: prediction has ${d} channels, the curve ${curve.dims}`);
  const pixels = n * h * w;
  const segments = curve.vertexCount - 1;
  const values = pred.dataSync();
  const planar = new Float32Array(pixels * d);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < d; c++) planar[c * pixels + i] = values[i * d + c];
  const q = curve.decode(planar);
  const vertices = curve.vertices();
  const start = new Float32Array(pixels * d);
  const dir = new Float32Array(pixels * d);
  const segIndex = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    // A NaN prediction has no nearest segment; segment 0 keeps the graph finite and the NaN
    // still propagates through the loss, where the trainer reports it.
    const s = q[i] === q[i] ? Math.min(segments - 1, Math.floor(q[i] * segments)) : 0;
    segIndex[i] = s;
    for (let c = 0; c < d; c++) {
      start[i * d + c] = vertices[s * d + c];
      dir[i * d + c] = vertices[(s + 1) * d + c] - vertices[s * d + c];
    }
  }
  const gtDisp = targets.disp.dataSync();
  const gtQ = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) gtQ[i] = Number.isFinite(gtDisp[i]) ? gtDisp[i] / options.maxDisp : 0;
  const gtPlanar = curve.encode(gtQ);
  const gtPoint = new Float32Array(pixels * d);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < d; c++) gtPoint[i * d + c] = gtPlanar[c * pixels + i];

  return tf.tidy(() => {
    const a = tf.tensor4d(start, [n, h, w, d]);
    const u = tf.tensor4d(dir, [n, h, w, d]);
    const invLen2 = 1 / (curve.spacing * curve.spacing);
    const t = tf.clipByValue(tf.mul(tf.sum(tf.mul(tf.sub(pred, a), u), 3), invLen2), 0, 1);
    const decodedQ = tf.div(tf.add(tf.tensor3d(segIndex, [n, h, w]), t), segments);
    const disparityL1 = maskedMean(tf.abs(tf.sub(tf.mul(decodedQ, options.maxDisp), targets.disp)), targets.valid);
    const projection = tf.add(a, tf.mul(tf.expandDims(t, 3), u));
    const r2 = tf.sum(tf.square(tf.sub(pred, projection)), 3);
    const component2 = tf.sum(tf.square(tf.sub(pred, tf.tensor4d(gtPoint, [n, h, w, d]))), 3);
    const curveTerm = maskedMean(tf.add(component2, tf.mul(r2, options.beta)), targets.valid);
    const total = tf.add(disparityL1, tf.mul(curveTerm, options.alpha)) as tf.Scalar;
    return { total, disparityL1, curveTerm };
  });
}
