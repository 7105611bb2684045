import { rmse, robustStd } from '../util/stats.js';
import { summarizePairs, type PairErrorSummary } from './bootstrap.js';

/**
 * The paper's quantization error: the quantized model's disparity minus the FP32 disparity of
 * the same model, per pixel, in pixels. Robust std (1.4826 x MAD) is the headline figure; RMSE
 * also counts the rare large jumps. Differences are kept (4 bytes per pixel) because the median
 * needs them all: 200 pairs of 64x128 are 6.5 MB.
 */
export interface QuantErrorStats {
  robustStd: number;
  rmse: number;
  mean: number;
  /** Share of pixels whose |difference| exceeds 1 px: segment jumps and other gross errors. */
  over1px: number;
  pixels: number;
  /**
   * Pixels left out because either disparity was NaN or infinite (a broken model): no difference
   * to measure. The bootstrap's pairs then no longer share their pixels exactly; eval warns.
   */
  nonFinite: number;
}

export class QuantErrorAccumulator {
  private chunks: Float32Array[] = [];
  private count = 0;
  /** Pixels of each add() call: one test pair each, for the bootstrap over pairs. */
  private lengths: number[] = [];
  private nonFinite = 0;

  add(quantized: ArrayLike<number>, reference: ArrayLike<number>): void {
    if (quantized.length !== reference.length) {
      throw new Error(`quantized (${quantized.length}) and reference (${reference.length}) sizes differ`);
    }
    const diff = new Float32Array(quantized.length);
    let kept = 0;
    for (let i = 0; i < diff.length; i++) {
      // As stored: a finite float64 difference of two huge outputs can overflow float32.
      const d = Math.fround(quantized[i] - reference[i]);
      // A NaN would poison every statistic (and sort anywhere in the median); counted instead.
      if (Number.isFinite(d)) diff[kept++] = d;
    }
    this.nonFinite += diff.length - kept;
    this.chunks.push(kept === diff.length ? diff : diff.slice(0, kept));
    this.count += kept;
    this.lengths.push(kept);
  }

  /** Per-pair summaries for bootstrapping the reduction over test pairs. */
  pairSummary(): PairErrorSummary {
    const all = this.differences();
    const pairs: Float32Array[] = [];
    let offset = 0;
    for (const n of this.lengths) {
      pairs.push(all.subarray(offset, offset + n));
      offset += n;
    }
    return summarizePairs(pairs);
  }

  differences(): Float32Array {
    const all = new Float32Array(this.count);
    let offset = 0;
    for (const c of this.chunks) {
      all.set(c, offset);
      offset += c.length;
    }
    this.chunks = [all];
    return all;
  }

  result(): QuantErrorStats {
    const d = this.differences();
    let sum = 0;
    let over = 0;
    for (let i = 0; i < d.length; i++) {
      sum += d[i];
      if (Math.abs(d[i]) > 1) over++;
    }
    return { robustStd: robustStd(d), rmse: rmse(d), mean: sum / d.length, over1px: over / d.length, pixels: d.length, nonFinite: this.nonFinite };
  }
}

/** Counts of differences in `bins` equal bins over [-extent, extent]; values outside are not counted. */
export function errorHistogram(values: ArrayLike<number>, extent: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const step = (2 * extent) / bins;
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((values[i] + extent) / step);
    if (b >= 0 && b < bins) counts[b]++;
  }
  return counts;
}
