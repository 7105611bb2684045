import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { makeBatch } from '../data/batches.js';
import { syntheticTestSet } from '../eval/evaluate.js';
import { StereoMetricsAccumulator, type StereoMetrics } from '../eval/metrics.js';
import { CurveDistanceAccumulator, type CurveDistanceStats } from '../eval/curve-distance.js';
import { curveOf } from '../models/head-decode.js';
import { isLinearOutput } from '../models/output-map.js';
import type { PairErrorSummary } from '../eval/bootstrap.js';
import { errorHistogram, QuantErrorAccumulator, type QuantErrorStats } from '../eval/quant-error.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import { MANIFEST_FILE, WEIGHTS_FILE } from '../models/weights-io.js';
import { exportModelDir } from '../onnx/export-dir.js';
import { CALIBRATION_SEED, syntheticCalibration, type CalibrationData } from '../quant/calibration-data.js';
import type { ConvRounding } from '../quant/output-rounding.js';
import type { CalibrationMethod } from '../quant/calibrators/index.js';
import { quantizeModel } from '../quant/quantize.js';
import type { QuantScheme } from '../quant/schemes.js';
import { writeFileAtomic } from '../util/fs.js';
import { packageVersion } from '../util/provenance.js';
import type { ZooModel } from './zoo.js';

export type Precision = 'fp32' | QuantScheme;

/** The histograms of (quantized - fp32) disparity: 80 bins over +-1 px. */
export const HISTOGRAM = { extent: 1, bins: 80 };

export interface EvaluationSettings {
  schemes: QuantScheme[];
  testPairs: number;
  calibrationPairs: number;
  /**
   * Calibration sets for w8a8 (>= 1): the first is the headline's; the others (disjoint seeds)
   * show how much the choice of calibration pairs alone moves the quantization error.
   */
  calibrationSets: number;
  calibrationMethod: CalibrationMethod;
  convRounding: ConvRounding;
  pictures: number;
  reduceRange: boolean;
}

export interface PrecisionResult {
  precision: Precision;
  onnxFile: string;
  metrics: StereoMetrics;
  /** Against the same model's FP32 ONNX prediction; null for fp32 itself. */
  quantError: QuantErrorStats | null;
  /** log2(maxDisp / robust std of the quantization error). */
  effectiveBits: number | null;
  /** Counts in HISTOGRAM's bins of the quantization error, all test pixels; null for fp32. */
  histogram: number[] | null;
  /** Disparity of the first `pictures` test pairs, Float32 little-endian, base64. */
  pictures: string[];
  /** A hilbert head's FP32 outputs: their distance to the curve (whether the model commits to a fold); null otherwise. */
  curveDistance: CurveDistanceStats | null;
  /** Per-pair summaries of the quantization error, for the bootstrap; null for fp32. */
  pairErrors: StoredPairErrors | null;
  /** w8a8 only: the same model quantized with each calibration set (the first is this result's own). */
  calibrationSets?: { seed: number; robustStd: number; rmse: number; epe: number }[];
}

/** PairErrorSummary as JSON: the sample as little-endian float32, base64. */
export type StoredPairErrors = Omit<PairErrorSummary, 'sample'> & { sample: string };

export function loadPairErrors(stored: StoredPairErrors): PairErrorSummary {
  const bytes = Buffer.from(stored.sample, 'base64');
  return { ...stored, sample: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
}

function storePairErrors(s: PairErrorSummary): StoredPairErrors {
  return { ...s, sample: Buffer.from(s.sample.buffer, s.sample.byteOffset, s.sample.byteLength).toString('base64') };
}

/** Seeds of the extra calibration sets: apart from the validation, test and headline calibration seeds. */
export function calibrationSeed(set: number): number {
  return set === 0 ? CALIBRATION_SEED : CALIBRATION_SEED + set * 100_000;
}

export interface ModelEvaluation {
  /** Of the model's files and the settings: a cached evaluation is reused only when it matches. */
  fingerprint: string;
  model: Omit<ZooModel, 'dir'>;
  precisions: PrecisionResult[];
}

const EVALUATION_FILE = 'evaluation.json';

/**
 * One zoo model through the paper's protocol: export to ONNX, quantize in every scheme, run
 * every precision on the same held-out pairs on ONNX Runtime, and measure accuracy and the
 * quantization error against the model's own FP32 prediction, afresh. The result is cached in
 * workDir/NAME/evaluation.json (written last, atomically), where cachedEvaluation finds it, so an
 * interrupted experiment resumes at the first model without one.
 */
export async function evaluateZooModel(zoo: ZooModel, settings: EvaluationSettings, workDir: string, onProgress: (what: string) => void): Promise<ModelEvaluation> {
  const dir = join(workDir, zoo.name);
  const fingerprint = fingerprintOf(zoo, settings);
  const files = new Map<Precision, string>([['fp32', join(dir, 'fp32.onnx')]]);
  exportModelDir(zoo.dir, files.get('fp32') as string);
  onProgress(`${zoo.name}: export`);
  const { height, width, scenes } = zoo.trainingSize;
  const fp32Bytes = readFileSync(files.get('fp32') as string);
  // One set of pairs per calibration seed, rendered once for every scheme quantized on it.
  const calibrations = new Map<number, CalibrationData>();
  const calibrationOf = (set: number): CalibrationData => {
    let data = calibrations.get(set);
    if (!data) {
      data = syntheticCalibration({ height, width, maxDisp: zoo.config.maxDisp, count: settings.calibrationPairs, scenes, seed: calibrationSeed(set) });
      calibrations.set(set, data);
    }
    return data;
  };
  const quantize = async (scheme: QuantScheme, set: number): Promise<string> => {
    const calibration = calibrationOf(set);
    const { model } = await quantizeModel(fp32Bytes, { scheme, method: settings.calibrationMethod, calibration, reduceRange: settings.reduceRange, convRounding: settings.convRounding });
    const file = join(dir, set === 0 ? `${scheme}.onnx` : `${scheme}.calibration-${set}.onnx`);
    writeFileAtomic(file, model);
    return file;
  };
  for (const scheme of settings.schemes) {
    files.set(scheme, await quantize(scheme, 0));
    onProgress(`${zoo.name}: quantize ${scheme}`);
  }
  const extraSets: { seed: number; file: string }[] = [];
  if (settings.schemes.includes('w8a8')) {
    for (let set = 1; set < settings.calibrationSets; set++) extraSets.push({ seed: calibrationSeed(set), file: await quantize('w8a8', set) });
  }
  // The rendered pairs (25 MB a set at 128x256) are not needed while evaluating.
  calibrations.clear();
  const predictors = new Map<Precision, DepthPredictor>();
  const variants: { seed: number; predictor: DepthPredictor }[] = [];
  try {
    for (const [precision, file] of files) predictors.set(precision, await DepthPredictor.load(file, { threads: 1 }));
    for (const { seed, file } of extraSets) variants.push({ seed, predictor: await DepthPredictor.load(file, { threads: 1 }) });
    const precisions = await evaluatePrecisions(zoo, predictors, variants, files, settings, () => onProgress(`${zoo.name}: evaluate`));
    const { dir: _dir, ...model } = zoo;
    const evaluation: ModelEvaluation = { fingerprint, model, precisions };
    writeFileAtomic(join(dir, EVALUATION_FILE), JSON.stringify(evaluation));
    return evaluation;
  } finally {
    for (const p of predictors.values()) await p.release();
    for (const v of variants) await v.predictor.release();
  }
}

async function evaluatePrecisions(
  zoo: ZooModel,
  predictors: Map<Precision, DepthPredictor>,
  variants: { seed: number; predictor: DepthPredictor }[],
  files: Map<Precision, string>,
  settings: EvaluationSettings,
  onPair: () => void,
): Promise<PrecisionResult[]> {
  const { height, width, scenes } = zoo.trainingSize;
  const testSet = syntheticTestSet(settings.testPairs, height, width, zoo.config.maxDisp, scenes);
  const precisions = [...predictors.keys()];
  const metrics = new Map(precisions.map((p) => [p, new StereoMetricsAccumulator()]));
  const errors = new Map<Precision, QuantErrorAccumulator>(precisions.filter((p) => p !== 'fp32').map((p) => [p, new QuantErrorAccumulator()]));
  const pictures = new Map(precisions.map((p) => [p, [] as string[]]));
  const fp32 = predictors.get('fp32') as DepthPredictor;
  const distances = zoo.config.head === 'hilbert' ? new CurveDistanceAccumulator(curveOf(zoo.config)) : null;
  const variantMetrics = variants.map(() => new StereoMetricsAccumulator());
  const variantErrors = variants.map(() => new QuantErrorAccumulator());
  for (let i = 0; i < testSet.length; i++) {
    const sample = testSet.get(i);
    const batch = makeBatch([sample]);
    const reference = await fp32.predictBatch(batch, distances ? (raw) => distances.add(raw as Float32Array) : undefined);
    for (const [precision, predictor] of predictors) {
      const disp = precision === 'fp32' ? reference : await predictor.predictBatch(batch);
      if (sample.disp && sample.valid) metrics.get(precision)?.add(disp, sample.disp, sample.valid, sample.occ);
      errors.get(precision)?.add(disp, reference);
      if (i < settings.pictures) pictures.get(precision)?.push(Buffer.from(disp.buffer, disp.byteOffset, disp.byteLength).toString('base64'));
    }
    for (const [k, v] of variants.entries()) {
      const disp = await v.predictor.predictBatch(batch);
      if (sample.disp && sample.valid) variantMetrics[k].add(disp, sample.disp, sample.valid, sample.occ);
      variantErrors[k].add(disp, reference);
    }
    onPair();
  }
  const variantResults = variants.map((v, k) => {
    const e = variantErrors[k].result();
    return { seed: v.seed, robustStd: e.robustStd, rmse: e.rmse, epe: variantMetrics[k].result().nonOccluded.epe };
  });
  return precisions.map((precision) => {
    const error = errors.get(precision);
    const quantError = error?.result() ?? null;
    return {
      precision,
      onnxFile: files.get(precision) as string,
      metrics: (metrics.get(precision) as StereoMetricsAccumulator).result(),
      quantError,
      // Bits over a linear range only: with a log or depth output map a step's worth in pixels varies.
      effectiveBits: quantError && quantError.robustStd > 0 && isLinearOutput(zoo.config) ? Math.log2(zoo.config.maxDisp / quantError.robustStd) : null,
      histogram: error ? errorHistogram(error.differences(), HISTOGRAM.extent, HISTOGRAM.bins) : null,
      pictures: pictures.get(precision) as string[],
      curveDistance: precision === 'fp32' ? (distances?.result() ?? null) : null,
      pairErrors: error ? storePairErrors(error.pairSummary()) : null,
      ...(precision === 'w8a8' && variants.length > 0 && quantError
        ? {
            calibrationSets: [
              { seed: CALIBRATION_SEED, robustStd: quantError.robustStd, rmse: quantError.rmse, epe: (metrics.get(precision) as StereoMetricsAccumulator).result().nonOccluded.epe },
              ...variantResults,
            ],
          }
        : {}),
    };
  });
}

/** The disparity maps stored by evaluateZooModel for the report's pictures. */
export function decodePicture(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The modules an evaluation's numbers depend on (not training, the CLI or the report). */
const EVALUATION_CODE = ['curve', 'data', 'eval', 'experiment', 'infer', 'models', 'onnx', 'quant', 'util'];

/**
 * Hash of the evaluation code this process runs (every .js/.ts file of those modules, from dist/
 * when installed, src/ under tsx), so that a change to the exporter, quantizer or metrics
 * invalidates cached results, not only a new version number. Under 1 MB, read once per process.
 */
function codeHash(): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const hash = createHash('sha256');
  for (const dir of EVALUATION_CODE) {
    const files = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
      .sort();
    for (const file of files) hash.update(`${dir}/${file}`).update(readFileSync(join(root, dir, file)));
  }
  return hash.digest('hex');
}

/** The code that produced a cached result: a change to the evaluation code, or another ONNX Runtime, invalidates it. */
export const CODE_VERSION = JSON.stringify({
  hilbertq: packageVersion(),
  code: codeHash(),
  onnxruntime: ort.env.versions.node ?? 'unknown',
});

function fingerprintOf(zoo: ZooModel, settings: EvaluationSettings): string {
  const hash = createHash('sha256');
  for (const file of [MANIFEST_FILE, WEIGHTS_FILE]) hash.update(readFileSync(join(zoo.dir, file)));
  hash.update(JSON.stringify(settings));
  hash.update(CODE_VERSION);
  return hash.digest('hex');
}

/** The stage cache's evaluation of `zoo` with `settings` in workDir, if one is complete and of this code; else null. */
export function cachedEvaluation(zoo: ZooModel, settings: EvaluationSettings, workDir: string): ModelEvaluation | null {
  return readCached(join(workDir, zoo.name, EVALUATION_FILE), fingerprintOf(zoo, settings));
}

function readCached(file: string, fingerprint: string): ModelEvaluation | null {
  if (!existsSync(file)) return null;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as ModelEvaluation;
    const complete = cached.fingerprint === fingerprint && cached.precisions.every((p) => existsSync(p.onnxFile));
    return complete ? cached : null;
  } catch {
    return null;
  }
}
