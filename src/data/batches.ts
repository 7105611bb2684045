import { ConfigError } from '../util/errors.js';
import type { SyntheticStereo } from './synthetic/generator.js';
import type { StereoBatch, StereoDataset, StereoSample } from './types.js';

/**
 * Stack samples of one size into planar NCHW float tensors. Invalid disparities become 0 and are
 * excluded by `valid`; `nonOcc` also drops occluded pixels where occlusion is known.
 */
export function makeBatch(samples: StereoSample[]): StereoBatch {
  if (samples.length === 0) throw new ConfigError('batch', 0, 'needs at least one sample');
  const { width, height } = samples[0];
  const hw = width * height;
  const n = samples.length;
  const left = new Float32Array(n * 3 * hw);
  const right = new Float32Array(n * 3 * hw);
  const disp = new Float32Array(n * hw);
  const valid = new Float32Array(n * hw);
  const nonOcc = new Float32Array(n * hw);
  for (let k = 0; k < n; k++) {
    const s = samples[k];
    if (s.width !== width || s.height !== height) {
      throw new ConfigError('batch', `${s.width}x${s.height}`, `sample ${k} differs from the batch size ${width}x${height}`);
    }
    toPlanar(s.left, left, k * 3 * hw, hw);
    toPlanar(s.right, right, k * 3 * hw, hw);
    if (s.disp && s.valid) copyGroundTruth(s, disp, valid, nonOcc, k * hw, hw);
  }
  return { n, height, width, left, right, disp, valid, nonOcc };
}

function toPlanar(hwc: Uint8Array, out: Float32Array, base: number, hw: number): void {
  const inv = 1 / 255;
  for (let c = 0; c < 3; c++) {
    const plane = base + c * hw;
    for (let p = 0, q = c; p < hw; p++, q += 3) out[plane + p] = hwc[q] * inv;
  }
}

function copyGroundTruth(s: StereoSample, disp: Float32Array, valid: Float32Array, nonOcc: Float32Array, base: number, hw: number): void {
  const d = s.disp as Float32Array;
  const ok = s.valid as Uint8Array;
  const occ = s.occ;
  for (let p = 0; p < hw; p++) {
    const v = d[p];
    if (ok[p] !== 1 || !Number.isFinite(v)) continue;
    disp[base + p] = v;
    valid[base + p] = 1;
    nonOcc[base + p] = occ && occ[p] ? 0 : 1;
  }
}

/** Anything that can hand out samples by index. */
export type SampleSource = SyntheticStereo | StereoDataset;

function fetch(source: SampleSource, index: number): StereoSample {
  return 'sample' in source ? source.sample(index) : source.get(index);
}

export interface BatchStreamOptions {
  /** First sample index (default 0). */
  start?: number;
  /** Number of samples to stream; default: the dataset length, or forever for the generator. */
  count?: number;
}

/**
 * Stream batches straight from a generator or dataset, with nothing written to disk. The last
 * batch may be smaller when `count` is not a multiple of `batchSize`.
 */
export function* streamBatches(source: SampleSource, batchSize: number, opts: BatchStreamOptions = {}): Generator<StereoBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError('batchSize', batchSize, 'must be an integer >= 1');
  const start = opts.start ?? 0;
  const count = opts.count ?? ('length' in source ? source.length - start : Infinity);
  const end = start + count;
  for (let i = start; i < end; i += batchSize) {
    const samples: StereoSample[] = [];
    for (let j = i; j < Math.min(end, i + batchSize); j++) samples.push(fetch(source, j));
    yield makeBatch(samples);
  }
}

/** Present a generator as a dataset of fixed length (e.g. for evaluation code that wants `get`). */
export function syntheticDataset(generator: SyntheticStereo, length: number, name = 'synthetic'): StereoDataset {
  if (!Number.isInteger(length) || length < 1) throw new ConfigError('length', length, 'must be an integer >= 1');
  return {
    name,
    length,
    maxDisp: generator.options.maxDisp,
    get: (index: number) => {
      if (!Number.isInteger(index) || index < 0 || index >= length) {
        throw new ConfigError('index', index, `${name} has ${length} samples (0..${length - 1})`);
      }
      return generator.sample(index);
    },
  };
}
