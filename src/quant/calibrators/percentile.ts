import type { Range } from '../qparams.js';
import { HistogramCollector } from './histogram.js';

/**
 * ORT HistogramCalibrater, method 'percentile', asymmetric: pass 1 finds min/max, pass 2 bins
 * [min, max]; the range keeps the central `percentile` % of the values, cutting half of the
 * rest from each tail (activations are asymmetric uint8/uint16).
 */
export class PercentileCollector extends HistogramCollector {
  constructor(
    private readonly percentile: number,
    bins: number,
  ) {
    super(bins);
  }

  range(): Range {
    const full = this.tracker.range();
    const h = this.histogram;
    if (!h || !(full.max > full.min)) return full;
    const total = h.total();
    const tail = ((100 - this.percentile) / 200) * total;
    let below = 0;
    let left = 0;
    while (left < h.bins - 1 && below + h.counts[left] <= tail) below += h.counts[left++];
    let above = 0;
    let right = h.bins - 1;
    while (right > left && above + h.counts[right] <= tail) above += h.counts[right--];
    return { min: Math.max(full.min, h.edge(left)), max: Math.min(full.max, h.edge(right + 1)) };
  }
}
