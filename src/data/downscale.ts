import { ConfigError } from '../util/errors.js';
import type { StereoDataset, StereoSample } from './types.js';

/**
 * Shrinks a stereo pair by an integer factor so that a real pair fits a model's disparity range
 * (Middlebury's Aloe spans 43-211 px at full size; the precision zoo predicts up to 64 px).
 *
 * Both views are box-filtered alike: output pixel i covers input columns [f i, f i + f), whose
 * centre is f i + (f - 1) / 2 in either view, so a disparity d becomes exactly d / f. A block's
 * ground truth is the mean of its pixels, kept only where all of them are known and they span
 * at most one output pixel of disparity: a block across a depth edge has no single true value.
 */
export function downscaleSample(s: StereoSample, factor: number): StereoSample {
  if (!Number.isInteger(factor) || factor < 1) throw new ConfigError('--downscale', factor, 'must be an integer >= 1');
  if (factor === 1) return s;
  const width = Math.floor(s.width / factor);
  const height = Math.floor(s.height / factor);
  if (width < 1 || height < 1) throw new ConfigError('--downscale', factor, `leaves nothing of a ${s.height}x${s.width} pair`);
  const area = factor * factor;
  const shrinkImage = (src: Uint8Array): Uint8Array => {
    const out = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = 0; dy < factor; dy++) {
            const row = (y * factor + dy) * s.width;
            for (let dx = 0; dx < factor; dx++) sum += src[3 * (row + x * factor + dx) + c];
          }
          out[3 * (y * width + x) + c] = Math.round(sum / area);
        }
      }
    }
    return out;
  };
  let disp: Float32Array | null = null;
  let valid: Uint8Array | null = null;
  let occ: Uint8Array | null = null;
  if (s.disp && s.valid) {
    disp = new Float32Array(width * height);
    valid = new Uint8Array(width * height);
    occ = s.occ ? new Uint8Array(width * height) : null;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        let lo = Infinity;
        let hi = -Infinity;
        let known = 0;
        let occluded = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = (y * factor + dy) * s.width;
          for (let dx = 0; dx < factor; dx++) {
            const p = row + x * factor + dx;
            occluded |= s.occ?.[p] ?? 0;
            if (!s.valid[p]) continue;
            const d = s.disp[p];
            known++;
            sum += d;
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
          }
        }
        const q = y * width + x;
        if (known === area && hi - lo <= factor) {
          disp[q] = sum / area / factor;
          valid[q] = 1;
        }
        if (occ) occ[q] = occluded;
      }
    }
  }
  return { width, height, left: shrinkImage(s.left), right: shrinkImage(s.right), disp, valid, occ };
}

/** A dataset whose pairs are shrunk by `factor` (see downscaleSample). */
export function downscaledDataset(dataset: StereoDataset, factor: number): StereoDataset {
  if (factor === 1) return dataset;
  return {
    length: dataset.length,
    name: `${dataset.name} (1/${factor})`,
    ...(dataset.maxDisp !== undefined ? { maxDisp: dataset.maxDisp / factor } : {}),
    get: (index) => downscaleSample(dataset.get(index), factor),
  };
}
