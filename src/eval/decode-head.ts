import { HilbertCurve } from '../curve/hilbert-curve.js';
import type { ModelConfig } from '../models/model.js';

/**
 * The head's float output to disparity in pixels. Output is NCHW [n, channels, h, w], so each
 * image is already in the curve codec's planar layout.
 */
export function decodeHeadOutput(output: Float32Array, n: number, h: number, w: number, config: ModelConfig): Float32Array {
  const hw = h * w;
  const disp = new Float32Array(n * hw);
  if (config.head === 'direct') {
    for (let i = 0; i < n * hw; i++) disp[i] = output[i] * config.maxDisp;
    return disp;
  }
  const curve = curveOf(config);
  const d = curve.dims;
  for (let k = 0; k < n; k++) {
    const q = curve.decode(output.subarray(k * d * hw, (k + 1) * d * hw));
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
