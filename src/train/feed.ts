import { makeBatch } from '../data/batches.js';
import { openDataset } from '../data/dataset.js';
import { SyntheticStereo } from '../data/synthetic/generator.js';
import type { StereoBatch, StereoDataset, StereoSample } from '../data/types.js';
import type { DatasetFormat } from '../data/dataset.js';
import { ConfigError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { TrainConfig } from './config.js';

/**
 * The batch of a training step is a pure function of (config, step): resuming at step k sees
 * exactly the batches an uninterrupted run would have seen.
 */
export type BatchFeed = (step: number) => StereoBatch;

export function trainingFeed(config: TrainConfig): BatchFeed {
  const { height, width, batch, seed } = config;
  if (config.data.source === 'synthetic') {
    const generator = new SyntheticStereo({
      height,
      width,
      maxDisp: config.model.maxDisp,
      seed,
      ...(config.data.maxObjects !== undefined ? { maxObjects: config.data.maxObjects } : {}),
      ...(config.data.scenes !== undefined ? { scenes: config.data.scenes } : {}),
    });
    return (step) => makeBatch(Array.from({ length: batch }, (_, i) => generator.sample(step * batch + i)));
  }
  const dataset = openDataset(config.data.path, config.data.format ? { format: config.data.format as DatasetFormat } : {});
  return (step) => {
    const rng = new Rng(seed, step);
    const samples = Array.from({ length: batch }, () => randomCrop(dataset, rng, height, width));
    return makeBatch(samples);
  };
}

function randomCrop(dataset: StereoDataset, rng: Rng, height: number, width: number): StereoSample {
  const s = dataset.get(rng.int(0, dataset.length - 1));
  if (s.height < height || s.width < width) {
    throw new ConfigError('--size', `${height}x${width}`, `is larger than a ${s.height}x${s.width} pair of ${dataset.name}`);
  }
  const y0 = rng.int(0, s.height - height);
  const x0 = rng.int(0, s.width - width);
  return cropSample(s, y0, x0, height, width);
}

export function cropSample(s: StereoSample, y0: number, x0: number, height: number, width: number): StereoSample {
  const crop = <T extends Uint8Array | Float32Array>(src: T | null, channels: number, make: (n: number) => T): T | null => {
    if (!src) return null;
    const out = make(height * width * channels);
    for (let y = 0; y < height; y++) {
      const from = ((y0 + y) * s.width + x0) * channels;
      out.set(src.subarray(from, from + width * channels), y * width * channels);
    }
    return out;
  };
  return {
    width,
    height,
    left: crop(s.left, 3, (n) => new Uint8Array(n)) as Uint8Array,
    right: crop(s.right, 3, (n) => new Uint8Array(n)) as Uint8Array,
    disp: crop(s.disp, 1, (n) => new Float32Array(n)),
    valid: crop(s.valid, 1, (n) => new Uint8Array(n)),
    occ: crop(s.occ, 1, (n) => new Uint8Array(n)),
  };
}
