import { makeBatch, syntheticDataset } from '../data/batches.js';
import { SyntheticStereo } from '../data/synthetic/generator.js';
import type { SceneStyle, StereoBatch, StereoDataset } from '../data/types.js';
import { TEST_SEED } from '../train/config.js';
import type { GroundTruthRangeCheck } from './ground-truth-range.js';
import { StereoMetricsAccumulator, type StereoMetrics } from './metrics.js';
import { QuantErrorAccumulator, type QuantErrorStats } from './quant-error.js';

/** Anything that maps a batch to disparity in pixels: tfjs FP32, or ORT float or quantized. */
export interface DisparityPredictor {
  predict(batch: StereoBatch): Float32Array | Promise<Float32Array>;
}

export interface EvalReport {
  model: string;
  precision: string;
  dataset: string;
  pairs: number;
  metrics: StereoMetrics;
  /** Present when a reference was given: model minus reference disparity, in pixels. */
  quantError?: QuantErrorStats & { reference: string };
}

export interface Evaluated extends DisparityPredictor {
  label: string;
  precision: string;
}

/** The held-out synthetic test set: its own seed, disjoint from training, validation and calibration. */
export function syntheticTestSet(count: number, height: number, width: number, maxDisp: number, scenes: SceneStyle = 'mixed'): StereoDataset {
  const name = scenes === 'mixed' ? `synthetic-test-${TEST_SEED}` : `synthetic-${scenes}-test-${TEST_SEED}`;
  return syntheticDataset(new SyntheticStereo({ height, width, maxDisp, seed: TEST_SEED, scenes }), count, name);
}

/**
 * Streams a dataset through a model (and a reference) one pair at a time, since pairs may
 * differ in size, and accumulates metrics; memory stays flat in the set's length but for the
 * per-pixel differences the robust std needs.
 */
export async function evaluateModels(
  model: Evaluated,
  reference: Evaluated | null,
  dataset: StereoDataset,
  onProgress?: (done: number, total: number) => void,
  /** Sees every pair's ground truth, to warn about disparities the model cannot output. */
  rangeCheck?: GroundTruthRangeCheck,
): Promise<EvalReport> {
  const metrics = new StereoMetricsAccumulator();
  const errors = reference ? new QuantErrorAccumulator() : null;
  for (let i = 0; i < dataset.length; i++) {
    const sample = dataset.get(i);
    const batch = makeBatch([sample]);
    const disp = await model.predict(batch);
    if (sample.disp && sample.valid) {
      metrics.add(disp, sample.disp, sample.valid, sample.occ);
      rangeCheck?.add(sample.disp, sample.valid);
    }
    if (reference && errors) errors.add(disp, await reference.predict(batch));
    onProgress?.(i + 1, dataset.length);
  }
  return {
    model: model.label,
    precision: model.precision,
    dataset: dataset.name,
    pairs: dataset.length,
    metrics: metrics.result(),
    ...(reference && errors ? { quantError: { ...errors.result(), reference: reference.label } } : {}),
  };
}

/** Accuracy alone, for a predictor without a name (the trainer's validation). */
export async function evaluateDataset(predictor: DisparityPredictor, dataset: StereoDataset): Promise<StereoMetrics> {
  const report = await evaluateModels({ label: '', precision: '', predict: (b) => predictor.predict(b) }, null, dataset);
  return report.metrics;
}
