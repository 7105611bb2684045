import { simulateChannel } from '../curve/channel-sim.js';
import { HilbertCurve, type DecodeOptions } from '../curve/hilbert-curve.js';

export interface IdealChannel {
  curveLength: number;
  /** Vertex spacing in LSB of the output codes: noise beyond about half of it makes jumps. */
  spacingLsb: number;
  /** direct / curve robust std with rounding only (tends to the curve length). */
  ratioNoiseless: number;
  /** The same with Gaussian noise of noiseLsb on every output component. */
  ratioAtNoise: number;
  noiseLsb: number;
  jumpShareAtNoise: number;
}

const SAMPLES = 100_000;

/**
 * What `hilbertq curve` predicts for a trained model: the ideal quantized channel of its curve,
 * with noise equal to what the direct model of the same family and scheme actually shows, in LSB
 * of the output codes (robust std in px / (maxDisp / (2^bits - 1)), its rounding part taken out,
 * since the simulation rounds again).
 */
export function idealChannel(
  curve: { dims: number; order: number; margin: number },
  bits: number,
  noiseLsb: number,
  decode: DecodeOptions = {},
): IdealChannel {
  const c = new HilbertCurve(curve);
  // Decoded as the model's head is (the corner blend and soft fold of cube-walk heads), so the two compare.
  const report = simulateChannel(c, { bits, noise: [0, noiseLsb], samples: SAMPLES, seed: 1, ...decode });
  return {
    curveLength: c.length,
    spacingLsb: report.spacingLsb,
    ratioNoiseless: report.rows[0].robustRatio,
    ratioAtNoise: report.rows[1].robustRatio,
    noiseLsb,
    jumpShareAtNoise: report.rows[1].jumpShare,
  };
}

/** Output code bits of a scheme's last QuantizeLinear. */
export function outputBits(precision: string): number {
  return precision === 'w8a16' ? 16 : 8;
}
