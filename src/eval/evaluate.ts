import type { StereoDataset } from '../data/types.js';
import { makeBatch } from '../data/batches.js';
import { StereoMetricsAccumulator, type StereoMetrics } from './metrics.js';

/** Anything that maps a batch to disparity in pixels: tfjs FP32 now, ORT INT8 later. */
export interface DisparityPredictor {
  predict(batch: ReturnType<typeof makeBatch>): Float32Array | Promise<Float32Array>;
}

/**
 * Streams a dataset through a predictor one pair at a time (pairs may differ in size) and
 * accumulates metrics, so memory stays flat whatever the set's length.
 */
export async function evaluateDataset(
  predictor: DisparityPredictor,
  dataset: StereoDataset,
  count = dataset.length,
  onProgress?: (done: number, total: number) => void,
): Promise<StereoMetrics> {
  const acc = new StereoMetricsAccumulator();
  const total = Math.min(count, dataset.length);
  for (let i = 0; i < total; i++) {
    const sample = dataset.get(i);
    if (!sample.disp || !sample.valid) continue;
    const disp = await predictor.predict(makeBatch([sample]));
    acc.add(disp, sample.disp, sample.valid, sample.occ);
    onProgress?.(i + 1, total);
  }
  return acc.result();
}
