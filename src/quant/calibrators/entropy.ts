import type { Range } from '../qparams.js';
import { Histogram, HistogramCollector } from './histogram.js';

/**
 * ORT HistogramCalibrater, method 'entropy' (KL divergence, after TensorRT): a histogram over
 * [-t, t], t = max |x|; candidate windows grow symmetrically around zero, each is merged into
 * `quantizedBins` levels and compared with the clipped reference distribution; the window with
 * the least KL divergence wins, clipped to the observed min/max. Unlike ORT, the expanded
 * candidate keeps fractional counts (ORT truncates them to integers).
 */
export class EntropyCollector extends HistogramCollector {
  constructor(
    bins: number,
    private readonly quantizedBins: number,
  ) {
    super(bins);
  }

  /** Symmetric about zero: [-t, t], t = max |x|. */
  protected override extent(min: number, max: number): [number, number] {
    const t = Math.max(Math.abs(min), Math.abs(max));
    return [-t, t];
  }

  range(): Range {
    const full = this.tracker.range();
    const h = this.histogram;
    if (!h || !(h.hi > h.lo)) return full;
    const [lo, hi] = bestWindow(h, this.quantizedBins);
    return { min: Math.max(full.min, lo), max: Math.min(full.max, hi) };
  }
}

function bestWindow(h: Histogram, quantizedBins: number): [number, number] {
  const hist = h.counts;
  const bins = hist.length;
  const zero = Math.floor(bins / 2);
  const half = Math.floor(quantizedBins / 2);
  const p = new Float64Array(bins);
  const q = new Float64Array(bins);
  let best: [number, number] = [h.lo, h.hi];
  let bestKl = Infinity;
  for (let i = half; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(zero + i + 1, bins);
    const kl = windowDivergence(hist, start, end, quantizedBins, p, q);
    if (kl < bestKl) {
      bestKl = kl;
      best = [h.edge(start), h.edge(end)];
    }
  }
  return best;
}

const EPS = 1e-4;

/**
 * KL(p || q) of the window [start, end): p is the window with the outliers folded into its
 * edge bins, q its copy merged into `quantizedBins` levels and spread back over p's non-empty
 * bins. Both get ORT's smoothing (eps on empty bins, taken evenly from the others), which
 * leaves their sums unchanged. `p` and `q` are scratch buffers.
 */
function windowDivergence(hist: Float64Array, start: number, end: number, quantizedBins: number, p: Float64Array, q: Float64Array): number {
  const size = end - start;
  for (let j = 0; j < size; j++) p[j] = hist[start + j];
  for (let i = 0; i < start; i++) p[0] += hist[i];
  for (let i = end; i < hist.length; i++) p[size - 1] += hist[i];
  const merged = Math.floor(size / quantizedBins);
  q.fill(0, 0, size);
  for (let k = 0; k < quantizedBins; k++) {
    const from = k * merged;
    const to = k === quantizedBins - 1 ? size : from + merged;
    let sum = 0;
    for (let j = from; j < to; j++) sum += hist[start + j];
    const expandTo = from + merged;
    let nonzero = 0;
    for (let j = from; j < expandTo; j++) if (p[j] !== 0) nonzero++;
    if (nonzero > 0) for (let j = from; j < expandTo; j++) q[j] = sum / nonzero;
  }
  const sp = smoothing(p, size);
  const sq = smoothing(q, size);
  if (!sp || !sq) return Infinity;
  let kl = 0;
  for (let j = 0; j < size; j++) {
    const pj = (p[j] === 0 ? EPS : p[j] - sp.eps1) / sp.sum;
    const qj = (q[j] === 0 ? EPS : q[j] - sq.eps1) / sq.sum;
    kl += pj * Math.log(pj / qj);
  }
  return kl;
}

/** ORT's smooth_distribution, as a description: the amount taken from non-empty bins, and the (unchanged) sum; null when impossible. */
function smoothing(v: Float64Array, size: number): { eps1: number; sum: number } | null {
  let zeros = 0;
  let sum = 0;
  let smallest = Infinity;
  for (let j = 0; j < size; j++) {
    sum += v[j];
    if (v[j] === 0) zeros++;
    else if (v[j] < smallest) smallest = v[j];
  }
  const nonzeros = size - zeros;
  if (nonzeros === 0) return null;
  const eps1 = (EPS * zeros) / nonzeros;
  return smallest - eps1 > 0 ? { eps1, sum } : null;
}
