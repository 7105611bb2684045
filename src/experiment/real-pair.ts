import { existsSync } from 'node:fs';
import { openDataset } from '../data/dataset.js';
import { downscaleSample } from '../data/downscale.js';
import type { StereoSample } from '../data/types.js';
import type { StereoMetrics } from '../eval/metrics.js';
import { StereoMetricsAccumulator } from '../eval/metrics.js';
import { QuantErrorAccumulator, type QuantErrorStats } from '../eval/quant-error.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import type { ModelEvaluation } from './evaluate-model.js';

/** A real stereo pair with ground truth that ships in a package, so the report can use it offline. */
export interface RealPairSource {
  name: string;
  /** Where it comes from, for the report (and the fix when it is missing). */
  origin: string;
  left: string;
  right: string;
  disp: string;
  /** Stored value = disparity * scale in its 8-bit ground-truth PNG. */
  middleburyScale: number;
}

const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';

/**
 * Middlebury 2006 Aloe at full size (1282x1110, disparities 43-211 px, scale 1: warping the right
 * view by the stored values matches the left best at scale 1, 8.9 grey levels against 33 at 2).
 */
export const ALOE: RealPairSource = {
  name: 'Middlebury Aloe',
  origin: "Debian's opencv-doc package (apt-get install opencv-doc)",
  left: `${OPENCV_DATA}/aloeL.jpg`,
  right: `${OPENCV_DATA}/aloeR.jpg`,
  disp: `${OPENCV_DATA}/aloeGT.png`,
  middleburyScale: 1,
};

export interface RealPairRow {
  model: string;
  precision: string;
  metrics: StereoMetrics;
  /** Against the same model's FP32 prediction on this pair. */
  quantError: QuantErrorStats | null;
  /** The disparity map (float32, base64), at the downscaled size. */
  picture: string;
}

export interface RealPairResult {
  source: Omit<RealPairSource, 'left' | 'right' | 'disp'> & { files: string[] };
  /** The integer factor the pair was shrunk by so that its disparities fit the models' range. */
  downscale: number;
  width: number;
  height: number;
  maxDisp: number;
  /** The downscaled left view (RGB8, base64) and ground truth (float32, base64; NaN where unknown). */
  left: string;
  groundTruth: string;
  rows: RealPairRow[];
}

export type RealPairOutcome = RealPairResult | { missing: string; source: RealPairSource };

function base64(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

/** Smallest integer factor that brings the pair's largest known disparity within `maxDisp`. */
export function fittingFactor(sample: StereoSample, maxDisp: number): number {
  let largest = 0;
  sample.disp?.forEach((d, i) => {
    if (sample.valid?.[i]) largest = Math.max(largest, d);
  });
  return Math.max(1, Math.ceil(largest / maxDisp));
}

/**
 * Every headline model in every precision on one real pair, shrunk to fit the models' range. The
 * models were trained on synthetic scenes only; this shows how far that carries.
 */
export async function evaluateRealPair(evaluations: ModelEvaluation[], source: RealPairSource = ALOE): Promise<RealPairOutcome | null> {
  const headline = evaluations.filter((e) => e.model.role === 'headline');
  if (headline.length === 0) return null;
  const missing = [source.left, source.right, source.disp].filter((f) => !existsSync(f));
  if (missing.length > 0) return { missing: missing.join(', '), source };
  const full = openDataset({ left: source.left, right: source.right, disp: source.disp }, { middleburyScale: source.middleburyScale }).get(0);
  const maxDisp = Math.min(...headline.map((e) => e.model.config.maxDisp));
  const factor = fittingFactor(full, maxDisp);
  const sample = downscaleSample(full, factor);
  const image = (data: Uint8Array) => ({ width: sample.width, height: sample.height, data });
  const rows: RealPairRow[] = [];
  for (const e of headline) {
    let reference: Float32Array | null = null;
    // fp32 first: the quantized maps are compared with it.
    const ordered = [...e.precisions].sort((a, b) => Number(b.precision === 'fp32') - Number(a.precision === 'fp32'));
    for (const p of ordered) {
      const predictor = await DepthPredictor.load(p.onnxFile, { threads: 1 });
      try {
        const { disparity } = await predictor.predict(image(sample.left), image(sample.right));
        const metrics = new StereoMetricsAccumulator();
        metrics.add(disparity, sample.disp as Float32Array, sample.valid as Uint8Array, sample.occ);
        let quantError: QuantErrorStats | null = null;
        if (p.precision === 'fp32') reference = disparity;
        else if (reference) {
          const error = new QuantErrorAccumulator();
          error.add(disparity, reference);
          quantError = error.result();
        }
        rows.push({ model: e.model.name, precision: p.precision, metrics: metrics.result(), quantError, picture: base64(disparity) });
      } finally {
        await predictor.release();
      }
    }
  }
  const truth = Float32Array.from(sample.disp as Float32Array, (d, i) => (sample.valid?.[i] ? d : Number.NaN));
  const { left: _l, right: _r, disp: _d, ...described } = source;
  return {
    source: { ...described, files: [source.left, source.right, source.disp] },
    downscale: factor,
    width: sample.width,
    height: sample.height,
    maxDisp,
    left: base64(sample.left),
    groundTruth: base64(truth),
    rows,
  };
}
