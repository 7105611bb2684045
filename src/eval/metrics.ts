/**
 * Stereo accuracy against ground truth, accumulated pair by pair so that a whole test set never
 * sits in memory. D1 follows KITTI: error > 3 px and > 5 % of the true disparity.
 */
export interface RegionMetrics {
  epe: number;
  d1: number;
  rmse: number;
  pixels: number;
}

export interface StereoMetrics {
  /** Valid ground truth that is visible in both views. */
  nonOccluded: RegionMetrics;
  /** All pixels with valid ground truth. */
  all: RegionMetrics;
  nonFinitePredictions: number;
}

class RegionAccumulator {
  private absSum = 0;
  private sqSum = 0;
  private bad = 0;
  private count = 0;

  add(error: number, truth: number): void {
    const e = Math.abs(error);
    this.absSum += e;
    this.sqSum += e * e;
    if (e > 3 && e > 0.05 * Math.abs(truth)) this.bad++;
    this.count++;
  }

  result(): RegionMetrics {
    const n = this.count;
    return {
      epe: n ? this.absSum / n : NaN,
      d1: n ? this.bad / n : NaN,
      rmse: n ? Math.sqrt(this.sqSum / n) : NaN,
      pixels: n,
    };
  }
}

export class StereoMetricsAccumulator {
  private readonly nonOcc = new RegionAccumulator();
  private readonly all = new RegionAccumulator();
  private nonFinite = 0;

  /**
   * pred and truth in pixels; valid: 1 where truth is known; occ: 1 where the pixel has no match
   * (null when unknown: then nonOccluded equals all). A non-finite prediction is scored as a
   * prediction of 0 and counted, so a broken model cannot look good by producing NaN.
   */
  add(pred: ArrayLike<number>, truth: ArrayLike<number>, valid: ArrayLike<number>, occ: ArrayLike<number> | null): void {
    for (let i = 0; i < truth.length; i++) {
      if (!valid[i] || !Number.isFinite(truth[i])) continue;
      const p = pred[i];
      const finite = Number.isFinite(p);
      if (!finite) this.nonFinite++;
      const error = finite ? p - truth[i] : -truth[i];
      this.all.add(error, truth[i]);
      if (occ === null || !occ[i]) this.nonOcc.add(error, truth[i]);
    }
  }

  result(): StereoMetrics {
    return { nonOccluded: this.nonOcc.result(), all: this.all.result(), nonFinitePredictions: this.nonFinite };
  }
}
