import * as tf from '@tensorflow/tfjs';
import type { ModelGraph } from './ir.js';

/**
 * Quantization-aware training: the INT8 rounding of a quantized graph, simulated in the float
 * graph (fake quantization) with a straight-through gradient. The plan says which IR values and
 * parameters the quantized graph rounds, and with what; src/quant/qat-plan.ts reads it off a
 * QDQ model, so training sees exactly the scales that deployment will use.
 */
export interface FakeQuantPlan {
  /** Where the plan came from (the quantized model's path), for the run's record. */
  source: string;
  /** IR value name -> per-tensor affine parameters of its activation codes. */
  activations: Record<string, ActivationFakeQuant>;
  /**
   * Parameters quantized symmetric per channel along their last axis (HWIO convs: the output
   * channel, as the quantizer's ONNX axis 0), codes in -weightQmax..weightQmax. The scales follow
   * the weights as they train: the quantizer derives them from the final weights, too.
   */
  weights: string[];
  weightQmax: number;
}

export interface ActivationFakeQuant {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

/**
 * round(x / s) + zp clipped to [qmin, qmax], back to float. The gradient passes where x lies
 * inside the representable range and is zero where it was clipped (the usual clipped STE).
 */
export function fakeQuantActivation(x: tf.Tensor, p: ActivationFakeQuant): tf.Tensor {
  const lo = (p.qmin - p.zeroPoint) * p.scale;
  const hi = (p.qmax - p.zeroPoint) * p.scale;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([input]);
    const value = tf.tidy(() => tf.mul(tf.clipByValue(tf.round(tf.div(input, p.scale)), p.qmin - p.zeroPoint, p.qmax - p.zeroPoint), p.scale));
    // Gradient functions run outside any per-node scope: the mask's temporaries are freed here.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor =>
      tf.tidy(() => tf.mul(dy, tf.cast(tf.logicalAnd(tf.greaterEqual(saved[0], lo), tf.lessEqual(saved[0], hi)), 'float32')));
    return { value, gradFunc };
  });
  return op(x);
}

/** Symmetric per-channel rounding along the last axis; the gradient passes unchanged. */
export function fakeQuantWeight(w: tf.Tensor, qmax: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const value = tf.tidy(() => {
      const axes = input.shape.slice(0, -1).map((_, i) => i);
      const absMax = tf.max(tf.abs(input), axes, true);
      // A channel of zeros keeps scale 1, as quantizeWeight does.
      const scale = tf.where(tf.greater(absMax, 0), tf.div(absMax, qmax), tf.onesLike(absMax));
      return tf.mul(tf.clipByValue(tf.round(tf.div(input, scale)), -qmax, qmax), scale);
    });
    return { value, gradFunc: (dy: tf.Tensor) => tf.clone(dy) };
  });
  return op(w);
}

/** Why `plan` does not fit `graph` (a value or parameter it names is not there), or null. */
export function fakeQuantMismatch(plan: FakeQuantPlan, graph: ModelGraph): string | null {
  const values = new Set(graph.nodes.map((n) => n.name));
  const params = new Set(graph.params.map((p) => p.name));
  const strayValue = Object.keys(plan.activations).find((name) => !values.has(name));
  if (strayValue !== undefined) return `rounds ${strayValue}, which ${graph.name} does not compute`;
  const strayWeight = plan.weights.find((name) => !params.has(name));
  if (strayWeight !== undefined) return `rounds the parameter ${strayWeight}, which ${graph.name} does not have`;
  return null;
}
