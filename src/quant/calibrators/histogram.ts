import type { Range } from '../qparams.js';
import { MinMaxTracker, type RangeCollector } from './collector.js';

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

/**
 * The two passes every histogram method makes (as ORT's HistogramCalibrater): pass 1 finds the
 * finite min/max, pass 2 bins the values over extent(min, max); range() reads the histogram.
 */
export abstract class HistogramCollector implements RangeCollector {
  readonly passes = 2;
  protected readonly tracker = new MinMaxTracker();
  protected histogram: Histogram | null = null;

  constructor(protected readonly bins: number) {}

  /** The binned interval: [min, max], unless a method needs another. */
  protected extent(min: number, max: number): [number, number] {
    return [min, max];
  }

  observe(pass: number, values: Float32Array): void {
    if (pass === 0) return this.tracker.observe(values);
    if (!this.histogram) {
      const { min, max } = this.tracker.range();
      this.histogram = new Histogram(...this.extent(min, max), this.bins);
    }
    this.histogram.add(values);
  }

  abstract range(): Range;

  stateSize(): number {
    return 2 + this.bins;
  }
}
