import type { HilbertCurve } from '../curve/hilbert-curve.js';

/**
 * How firmly a hilbert head commits to one fold of its curve: the distribution of its FP32
 * outputs' distance to the curve, in units of the vertex spacing. At 0.5 a point sits on the
 * midline between two parallel folds, where any output noise may decode it onto the other fold:
 * a jump of several pixels. Points that sit near the curve survive INT8.
 */
export interface CurveDistanceStats {
  /** Bin width in spacings; bin k counts distances in [k, k+1) * binWidth, the last bin everything beyond. */
  binWidth: number;
  counts: number[];
  /** Share of pixels at 3/8 of the spacing or more: the band the demo's INT8 runs flip. */
  hedging: number;
  median: number;
  pixels: number;
}

export const CURVE_DISTANCE_BINS = { binWidth: 0.025, bins: 28 };
const HEDGING = 0.375;

export class CurveDistanceAccumulator {
  private readonly counts = new Array<number>(CURVE_DISTANCE_BINS.bins).fill(0);
  private hedging = 0;
  private pixels = 0;

  constructor(private readonly curve: HilbertCurve) {}

  /** One image's planar head output (dims planes). */
  add(output: Float32Array): void {
    const distances = this.curve.distance(output);
    const { binWidth, bins } = CURVE_DISTANCE_BINS;
    const inv = 1 / (this.curve.spacing * binWidth);
    for (let i = 0; i < distances.length; i++) {
      const d = distances[i];
      if (d !== d) continue;
      this.counts[Math.min(bins - 1, Math.floor(d * inv))]++;
      if (d >= HEDGING * this.curve.spacing) this.hedging++;
      this.pixels++;
    }
  }

  result(): CurveDistanceStats {
    const { binWidth } = CURVE_DISTANCE_BINS;
    // The centre of the bin holding the median (NaN without pixels).
    let median = NaN;
    let seen = 0;
    for (let k = 0; k < this.counts.length; k++) {
      seen += this.counts[k];
      if (this.pixels > 0 && seen * 2 >= this.pixels) {
        median = (k + 0.5) * binWidth;
        break;
      }
    }
    return { binWidth, counts: [...this.counts], hedging: this.pixels ? this.hedging / this.pixels : 0, median, pixels: this.pixels };
  }
}
