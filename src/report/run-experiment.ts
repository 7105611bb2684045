import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBatch } from '../data/batches.js';
import type { RgbImage, StereoSample } from '../data/types.js';
import { syntheticTestSet } from '../eval/evaluate.js';
import { StereoMetricsAccumulator, type StereoMetrics } from '../eval/metrics.js';
import { QuantErrorAccumulator, type QuantErrorStats } from '../eval/quant-error.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import type { ModelConfig } from '../models/model.js';
import { exportModelDir } from '../onnx/export-dir.js';
import { syntheticCalibration } from '../quant/calibration-data.js';
import { quantizeModel } from '../quant/quantize.js';
import type { QuantScheme } from '../quant/schemes.js';

export type Precision = 'fp32' | QuantScheme;

export interface ExperimentOptions {
  /** Model folders of the zoo (model.json + weights.bin). */
  modelDirs: string[];
  schemes: QuantScheme[];
  testPairs: number;
  calibrationPairs: number;
  reduceRange: boolean;
  latencyRuns: number;
  /** Test pairs kept as pictures for the report. */
  pictures: number;
  workDir: string;
  onStep?: (what: string, done: number, total: number) => void;
}

export interface PrecisionRow {
  model: string;
  family: string;
  head: string;
  precision: Precision;
  metrics: StereoMetrics;
  /** Against the same model's FP32 ONNX prediction; absent for fp32 itself. */
  quantError: QuantErrorStats | null;
  /** log2(maxDisp / robust std of the quantization error). */
  effectiveBits: number | null;
  latencyMs: number;
}

export interface ExperimentArtifacts {
  rows: PrecisionRow[];
  /** model -> precision -> per-pixel quantized - fp32 disparity (for histograms). */
  differences: Map<string, Map<Precision, Float32Array>>;
  /** model -> precision -> disparity of each picture pair. */
  pictures: Map<string, Map<Precision, Float32Array[]>>;
  pictureSamples: StereoSample[];
  configs: Map<string, ModelConfig>;
}

/**
 * The paper's experiment on a set of trained models: export each to ONNX, quantize it in every
 * scheme, run every precision on the same held-out pairs on ONNX Runtime, and measure accuracy,
 * the quantization error against the model's own FP32 prediction, and latency.
 */
export async function runExperiment(o: ExperimentOptions): Promise<ExperimentArtifacts> {
  mkdirSync(o.workDir, { recursive: true });
  const artifacts: ExperimentArtifacts = { rows: [], differences: new Map(), pictures: new Map(), pictureSamples: [], configs: new Map() };
  const total = o.modelDirs.length * (o.schemes.length + 1);
  let done = 0;
  for (const dir of o.modelDirs) {
    const name = dir.split('/').filter(Boolean).pop() as string;
    const fp32File = join(o.workDir, `${name}.fp32.onnx`);
    exportModelDir(dir, fp32File);
    const predictors = new Map<Precision, DepthPredictor>([['fp32', await DepthPredictor.load(fp32File, { threads: 1 })]]);
    const fp32 = predictors.get('fp32') as DepthPredictor;
    const size = fp32.trainingSize ?? { height: 64, width: 128 };
    const config = fp32.config;
    artifacts.configs.set(name, config);
    o.onStep?.(`${name}: export`, ++done, total);
    for (const scheme of o.schemes) {
      const calibration = syntheticCalibration({ ...size, maxDisp: config.maxDisp, count: o.calibrationPairs });
      const { model } = await quantizeModel(readFileSync(fp32File), { scheme, method: 'minmax', calibration, reduceRange: o.reduceRange });
      const file = join(o.workDir, `${name}.${scheme}.onnx`);
      writeFileSync(file, model);
      predictors.set(scheme, await DepthPredictor.load(file, { threads: 1 }));
      o.onStep?.(`${name}: quantize ${scheme}`, ++done, total);
    }
    try {
      await evaluateAll(name, config, predictors, syntheticTestSet(o.testPairs, size.height, size.width, config.maxDisp), o, artifacts);
    } finally {
      for (const p of predictors.values()) await p.release();
    }
  }
  return artifacts;
}

async function evaluateAll(
  name: string,
  config: ModelConfig,
  predictors: Map<Precision, DepthPredictor>,
  testSet: ReturnType<typeof syntheticTestSet>,
  o: ExperimentOptions,
  artifacts: ExperimentArtifacts,
): Promise<void> {
  const metrics = new Map([...predictors.keys()].map((p) => [p, new StereoMetricsAccumulator()]));
  const errors = new Map<Precision, QuantErrorAccumulator>([...predictors.keys()].filter((p) => p !== 'fp32').map((p) => [p, new QuantErrorAccumulator()]));
  const pictures = new Map<Precision, Float32Array[]>([...predictors.keys()].map((p) => [p, []]));
  for (let i = 0; i < testSet.length; i++) {
    const sample = testSet.get(i);
    // Every model sees the same test pairs: keep the pictures' inputs once.
    if (artifacts.pictureSamples.length < o.pictures && i === artifacts.pictureSamples.length) artifacts.pictureSamples.push(sample);
    const batch = makeBatch([sample]);
    const reference = await (predictors.get('fp32') as DepthPredictor).predictBatch(batch);
    for (const [precision, predictor] of predictors) {
      const disp = precision === 'fp32' ? reference : await predictor.predictBatch(batch);
      if (sample.disp && sample.valid) metrics.get(precision)?.add(disp, sample.disp, sample.valid, sample.occ);
      errors.get(precision)?.add(disp, reference);
      if (i < o.pictures) pictures.get(precision)?.push(disp);
    }
  }
  artifacts.pictures.set(name, pictures);
  const diffs = new Map<Precision, Float32Array>();
  const probe = { left: toImage(testSet.get(0), 'left'), right: toImage(testSet.get(0), 'right') };
  for (const [precision, predictor] of predictors) {
    const quantError = errors.get(precision)?.result() ?? null;
    const diff = errors.get(precision)?.differences();
    if (diff) diffs.set(precision, diff);
    artifacts.rows.push({
      model: name,
      family: config.family,
      head: config.head,
      precision,
      metrics: (metrics.get(precision) as StereoMetricsAccumulator).result(),
      quantError,
      effectiveBits: quantError && quantError.robustStd > 0 ? Math.log2(config.maxDisp / quantError.robustStd) : null,
      latencyMs: await medianLatency(predictor, probe.left, probe.right, o.latencyRuns),
    });
  }
  artifacts.differences.set(name, diffs);
}

function toImage(s: StereoSample, view: 'left' | 'right'): RgbImage {
  return { width: s.width, height: s.height, data: s[view] };
}

/** Median wall time of DepthPredictor.predict: padding, ORT, decoding (table look-up included). */
async function medianLatency(p: DepthPredictor, left: RgbImage, right: RgbImage, runs: number): Promise<number> {
  for (let i = 0; i < 3; i++) await p.predict(left, right);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await p.predict(left, right);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
