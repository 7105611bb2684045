/**
 * Counts valid ground-truth pixels a model cannot predict: negative, non-finite although marked
 * valid, below the minDisp of an output map that has one (log, inverse: its output cannot go
 * lower), or above its maxDisp. Such pixels are still scored (a wrong reader or an unconverted
 * KITTI/Middlebury scale shows up as a huge EPE), but the user learns why. A dataset that records
 * no maxDisp (KITTI, Middlebury without calib.txt) gets its range from the ground truth seen.
 */
export class GroundTruthRangeCheck {
  private checked = 0;
  private negative = 0;
  private nonFinite = 0;
  private below = 0;
  private above = 0;
  private largest = -Infinity;

  /** `minDisp`: the smallest disparity the model's output map reaches (0 for the linear map). */
  constructor(
    readonly maxDisp: number,
    readonly minDisp = 0,
  ) {}

  add(truth: ArrayLike<number>, valid: ArrayLike<number>): void {
    for (let i = 0; i < truth.length; i++) {
      if (!valid[i]) continue;
      this.checked++;
      const d = truth[i];
      if (!Number.isFinite(d)) {
        this.nonFinite++;
        continue;
      }
      if (d < 0) this.negative++;
      else if (d < this.minDisp) this.below++;
      else if (d > this.maxDisp) this.above++;
      if (d > this.largest) this.largest = d;
    }
  }

  /** Out-of-range pixels over all valid ones checked. */
  get outOfRange(): number {
    return this.negative + this.below + this.nonFinite + this.above;
  }

  /** One line for stderr, or null when every valid pixel is within minDisp..maxDisp. */
  warning(dataset: string): string | null {
    const bad = this.outOfRange;
    if (bad === 0) return null;
    const share = ((100 * bad) / this.checked).toFixed(2);
    const largest = Number.isFinite(this.largest) ? `; largest ${Number(this.largest.toFixed(2))} px` : '';
    return (
      `warning: ${bad} of ${this.checked} valid ground-truth pixels of ${dataset} (${share} %) are outside the model's range ${this.minDisp}..${this.maxDisp} px ` +
      `(${this.negative} negative, ${this.minDisp > 0 ? `${this.below} below ${this.minDisp} px, ` : ''}${this.nonFinite} non-finite, ${this.above} above ${this.maxDisp} px${largest}); ` +
      'they are scored as given, non-finite ones skipped'
    );
  }
}
