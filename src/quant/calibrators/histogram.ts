/** Fixed bins over [lo, hi]; values outside land in the edge bins, non-finite ones are skipped. */
export class Histogram {
  readonly counts: Float64Array;
  private readonly scale: number;

  constructor(
    readonly lo: number,
    readonly hi: number,
    bins: number,
  ) {
    this.counts = new Float64Array(bins);
    this.scale = hi > lo ? bins / (hi - lo) : 0;
  }

  get bins(): number {
    return this.counts.length;
  }

  /** Left edge of bin i (i = bins gives hi). */
  edge(i: number): number {
    return this.lo + ((this.hi - this.lo) * i) / this.bins;
  }

  add(values: Float32Array): void {
    const last = this.bins - 1;
    const { lo, scale, counts } = this;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(v - v === 0)) continue;
      const b = Math.floor((v - lo) * scale);
      counts[b < 0 ? 0 : b > last ? last : b]++;
    }
  }

  total(): number {
    let sum = 0;
    for (const c of this.counts) sum += c;
    return sum;
  }
}
