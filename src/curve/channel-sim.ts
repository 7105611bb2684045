import { Rng } from '../util/rng.js';
import { rmse, robustStd } from '../util/stats.js';
import type { HilbertCurve } from './hilbert-curve.js';
import type { SoftFold } from './cube-walk.js';

/**
 * The ideal quantized-output channel: a perfect network whose outputs are only rounded to
 * `bits` bits over [0, 1] after Gaussian noise of `sigma` LSB (standing for the noise the
 * quantized layers add). It predicts the best reduction a trained model can reach.
 */
export interface ChannelOptions {
  bits: number;
  noise: number[];
  samples?: number;
  seed?: number;
  /** HilbertCurve.decode's corner blend for the cube walk (default 0, the nearest point). */
  cornerBlend?: number;
  /** HilbertCurve.decode's soft fold for the cube walk (default off). */
  softFold?: SoftFold;
}

export interface ErrorSummary {
  rmse: number;
  robustStd: number;
}

export interface ChannelRow {
  noiseLsb: number;
  direct: ErrorSummary;
  curve: ErrorSummary;
  /** direct RMSE / curve RMSE */
  rmseRatio: number;
  /** direct robust std / curve robust std */
  robustRatio: number;
  /** Share of samples whose decoded position is more than one segment away along the curve. */
  jumpShare: number;
}

export interface ChannelReport {
  dims: number;
  order: number;
  margin: number;
  bits: number;
  samples: number;
  seed: number;
  length: number;
  spacing: number;
  spacingLsb: number;
  bitsGained: number;
  rows: ChannelRow[];
}

export function simulateChannel(curve: HilbertCurve, options: ChannelOptions): ChannelReport {
  const { bits, noise, samples = 200_000, seed = 1, cornerBlend = 0, softFold } = options;
  const maxCode = 2 ** bits - 1;
  const scale = 1 / maxCode;
  const d = curve.dims;
  const decode = curve.quantizedDecoder({
    bits,
    scales: new Array<number>(d).fill(scale),
    zeroPoints: new Array<number>(d).fill(0),
    cornerBlend,
    ...(softFold ? { softFold } : {}),
  });
  const quantize = (x: number, sigma: number, rng: Rng): number => {
    const c = Math.round(x / scale + sigma * rng.gaussian());
    return c < 0 ? 0 : c > maxCode ? maxCode : c;
  };
  const segments = curve.vertexCount - 1;
  const rows = noise.map((sigma, level) => {
    // One stream per noise level, so adding a level never changes the others' numbers.
    const rng = new Rng(seed, level);
    const q = new Float32Array(samples);
    for (let i = 0; i < samples; i++) q[i] = rng.next();
    const points = curve.encode(q);
    const codes = bits <= 8 ? new Uint8Array(points.length) : new Uint16Array(points.length);
    for (let i = 0; i < points.length; i++) codes[i] = quantize(points[i], sigma, rng);
    const decoded = decode(codes);
    const directErr = new Float64Array(samples);
    const curveErr = new Float64Array(samples);
    let jumps = 0;
    for (let i = 0; i < samples; i++) {
      directErr[i] = quantize(q[i], sigma, rng) * scale - q[i];
      curveErr[i] = decoded[i] - q[i];
      if (Math.abs(curveErr[i]) * segments > 1) jumps++;
    }
    const direct = { rmse: rmse(directErr), robustStd: robustStd(directErr) };
    const viaCurve = { rmse: rmse(curveErr), robustStd: robustStd(curveErr) };
    return {
      noiseLsb: sigma,
      direct,
      curve: viaCurve,
      rmseRatio: direct.rmse / viaCurve.rmse,
      robustRatio: direct.robustStd / viaCurve.robustStd,
      jumpShare: jumps / samples,
    };
  });
  return {
    dims: d,
    order: curve.order,
    margin: curve.margin,
    bits,
    samples,
    seed,
    length: curve.length,
    spacing: curve.spacing,
    spacingLsb: curve.spacing / scale,
    bitsGained: Math.log2(curve.length),
    rows,
  };
}
