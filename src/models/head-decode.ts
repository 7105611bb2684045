import { HilbertCurve, type DecodeOptions } from '../curve/hilbert-curve.js';
import type { SoftFold } from '../curve/cube-walk.js';
import type { ModelConfig } from './model.js';
import { outputToDisparity } from './output-map.js';

/**
 * How a cube-walk head (order 1, dims >= 3) mixes the two segments at a corner when its output
 * cuts the corner (HilbertCurve.decode's cornerBlend). Such outputs jumped from one segment to
 * the other under INT8 noise: 78 % of the precision curve unet's pixels moving by more than 1 px
 * were such jumps. Measured on the demo's w8a8 models (20 precision test pairs; 40 mixed), the
 * nearest point against 0.25: moved 0.60 -> 0.29 % (unet), 1.60 -> 0.87 % (vit), 1.29 -> 0.88 %
 * (mixed unet); FP32 EPE 0.5 % lower; q-err robust std 8-12 % higher (0.1: a third of the
 * moved pixels saved at half that cost). docs/fold-commitment.md has the table.
 */
export const HEAD_CORNER_BLEND = 0.25;

/**
 * Cube-walk heads decode an output that hedges between folds, half the spacing or farther from
 * the curve, as a mean over the segments weighted by their distances (HilbertCurve.decode's
 * softFold), ramping in from 0.4 spacing, not as the nearest point: that picked one fold by a
 * hair, and INT8 noise the other. On the room zoo's w8a8 outputs (60 test pairs) it cut the
 * curve heads' q-err RMSE from 0.334 to 0.124 px (unet) and 0.527 to 0.210 px (vit), with the
 * robust std as it was and 1.4 % of the outputs taking its scan; docs/fold-commitment.md, "A
 * soft decode for hedging outputs".
 */
export const HEAD_SOFT_FOLD: SoftFold = { from: 0.4, kappa: 0.5 };

/** The decode options of a model's head: the corner blend and the soft fold for cube-walk heads. */
export function headDecodeOptions(config: Pick<ModelConfig, 'head' | 'dims' | 'order'>): DecodeOptions {
  return config.head === 'hilbert' && config.order === 1 && config.dims >= 3 ? { cornerBlend: HEAD_CORNER_BLEND, softFold: HEAD_SOFT_FOLD } : {};
}

/**
 * The head's float output to disparity in pixels. Output is NCHW [n, channels, h, w], so each
 * image is already in the curve codec's planar layout.
 */
export function decodeHeadOutput(output: Float32Array, n: number, h: number, w: number, config: ModelConfig): Float32Array {
  const hw = h * w;
  const disp = new Float32Array(n * hw);
  if (config.head === 'direct') {
    const toDisparity = outputToDisparity(config);
    for (let i = 0; i < n * hw; i++) disp[i] = toDisparity(output[i]);
    return disp;
  }
  const curve = curveOf(config);
  const d = curve.dims;
  const options = headDecodeOptions(config);
  for (let k = 0; k < n; k++) {
    const q = curve.decode(output.subarray(k * d * hw, (k + 1) * d * hw), options);
    for (let i = 0; i < hw; i++) disp[k * hw + i] = q[i] * config.maxDisp;
  }
  return disp;
}

const curves = new Map<string, HilbertCurve>();

/** One curve per (dims, order, margin): its decode index is built once and reused. */
export function curveOf(config: Pick<ModelConfig, 'dims' | 'order' | 'margin'>): HilbertCurve {
  const key = `${config.dims}/${config.order}/${config.margin}`;
  let curve = curves.get(key);
  if (!curve) {
    curve = new HilbertCurve({ dims: config.dims, order: config.order, margin: config.margin });
    curves.set(key, curve);
  }
  return curve;
}
