import { SyntheticStereo } from '../data/synthetic/generator.js';
import type { SceneStyle, StereoDataset, StereoSample } from '../data/types.js';
import { ConfigError } from '../util/errors.js';

/** One stereo pair as the FP32 model takes it: planar [3, H, W] float32 in [0, 1] per view. */
export interface CalibrationPair {
  left: Float32Array;
  right: Float32Array;
  height: number;
  width: number;
}

/**
 * Calibration pairs, re-iterable: histogram methods walk them twice (min/max, then bins), so
 * `pairs()` is called once per pass and must give the same pairs each time.
 */
export interface CalibrationData {
  pairs(): Iterable<CalibrationPair> | AsyncIterable<CalibrationPair>;
  /** Pairs per pass, for progress; checked against what `pairs()` delivers. */
  count?: number;
  /** For the summary, e.g. "32 synthetic pairs 64x128 (seed 3000003)". */
  description?: string;
}

/** Calibration data whose pairs are in memory: an array, walked as often as needed. */
export interface RenderedCalibration extends Omit<CalibrationData, 'pairs'> {
  pairs(): CalibrationPair[];
}

/** Distinct from the validation (1_000_003) and test (2_000_003) seeds, so calibration never sees evaluation pairs. */
export const CALIBRATION_SEED = 3_000_003;

/** The most memory synthetic calibration pairs may hold (about 2700 pairs of 128x256, 10900 of 64x128). */
export const MAX_RENDERED_CALIBRATION_BYTES = 2 * 2 ** 30;

export function syntheticCalibration(opts: { height: number; width: number; maxDisp: number; count: number; seed?: number; scenes?: SceneStyle; countName?: string }): RenderedCalibration {
  const { height, width, maxDisp, count } = opts;
  const scenes = opts.scenes ?? 'mixed';
  if (!Number.isInteger(count) || count < 1) throw new ConfigError('calibration pairs', count, 'must be an integer >= 1');
  // The pairs are held in memory (below): refuse a count that cannot be, before rendering any.
  const pairBytes = 2 * 3 * height * width * Float32Array.BYTES_PER_ELEMENT;
  if (count * pairBytes > MAX_RENDERED_CALIBRATION_BYTES) {
    const most = Math.floor(MAX_RENDERED_CALIBRATION_BYTES / pairBytes);
    throw new ConfigError(opts.countName ?? 'calibration pairs', count, `${height}x${width} pairs are held in memory, ${(pairBytes / 2 ** 20).toFixed(2)} MiB each: at most ${most} fit in ${MAX_RENDERED_CALIBRATION_BYTES / 2 ** 30} GiB (calibrate on a dataset folder to stream more)`);
  }
  const seed = opts.seed ?? CALIBRATION_SEED;
  const generator = new SyntheticStereo({ height, width, maxDisp, seed, scenes });
  // Made once, on the first walk: histogram methods walk them twice, and the demo quantizes each
  // model in three schemes on the same pairs (a precision pair at 128x256 takes 13 ms to render,
  // which was 16 s of the demo's precision report). 32 such pairs hold 25 MB.
  let made: CalibrationPair[] | null = null;
  return {
    count,
    description: `${count} synthetic${scenes === 'mixed' ? '' : ` ${scenes}`} pairs ${height}x${width} (seed ${seed})`,
    pairs() {
      made ??= Array.from({ length: count }, (_, i) => toCalibrationPair(generator.sample(i), 1));
      return made;
    },
  };
}

/**
 * Pairs from a dataset, each centre-cropped to multiples of the model's stride (both views
 * alike, so disparities stay intact); pairs may differ in size since each runs on its own.
 */
export function datasetCalibration(dataset: StereoDataset, opts: { stride: number; count?: number }): CalibrationData {
  const count = Math.min(opts.count ?? dataset.length, dataset.length);
  if (count < 1) throw new ConfigError('calibration pairs', count, `dataset ${dataset.name} has no pairs`);
  return {
    count,
    description: `${count} pairs of ${dataset.name}`,
    *pairs() {
      for (let i = 0; i < count; i++) yield toCalibrationPair(dataset.get(i), opts.stride);
    },
  };
}

export function toCalibrationPair(s: StereoSample, stride: number): CalibrationPair {
  const height = Math.floor(s.height / stride) * stride;
  const width = Math.floor(s.width / stride) * stride;
  if (height === 0 || width === 0) {
    throw new ConfigError('calibration pair', `${s.height}x${s.width}`, `is smaller than the model stride ${stride}`);
  }
  const top = Math.floor((s.height - height) / 2);
  const left = Math.floor((s.width - width) / 2);
  return { height, width, left: cropPlanar(s.left, s.width, top, left, height, width), right: cropPlanar(s.right, s.width, top, left, height, width) };
}

/** HWC uint8 -> planar [3, h, w] float in [0, 1], from (top, left). */
function cropPlanar(hwc: Uint8Array, srcWidth: number, top: number, left: number, h: number, w: number): Float32Array {
  const out = new Float32Array(3 * h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = ((top + y) * srcWidth + left + x) * 3;
      const dst = y * w + x;
      for (let c = 0; c < 3; c++) out[c * h * w + dst] = hwc[src + c] / 255;
    }
  }
  return out;
}

/** Arrays are re-iterable as they are; anything else must already be CalibrationData. */
export function asCalibrationData(data: CalibrationData | readonly CalibrationPair[]): CalibrationData {
  if (Array.isArray(data)) {
    const pairs = data as readonly CalibrationPair[];
    return { count: pairs.length, description: `${pairs.length} pairs`, pairs: () => pairs };
  }
  return data as CalibrationData;
}
