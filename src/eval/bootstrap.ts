import { Rng } from '../util/rng.js';

/**
 * Per-pair summaries of a quantization error, enough to bootstrap it over the test pairs: the
 * exact sum of squares and pixel count (RMSE), and a stratified random sample of each pair's
 * differences (the robust std; exact medians over every pixel of every resample would cost
 * seconds each).
 */
export interface PairErrorSummary {
  sumSq: number[];
  count: number[];
  /** PAIR_SAMPLE differences per pair (fewer for a smaller pair), concatenated. */
  sample: Float32Array;
  /** Where each pair's sample starts in `sample` (length pairs + 1). */
  offsets: number[];
}

export const PAIR_SAMPLE = 256;
const PAIR_SAMPLE_SEED = 0x5a3b1e;

export function summarizePairs(pairs: Float32Array[]): PairErrorSummary {
  const sumSq: number[] = [];
  const count: number[] = [];
  const parts: Float32Array[] = [];
  const offsets = [0];
  for (let index = 0; index < pairs.length; index++) {
    const d = pairs[index];
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i] * d[i];
    sumSq.push(s);
    count.push(d.length);
    const k = Math.min(PAIR_SAMPLE, d.length);
    const part = new Float32Array(k);
    // Stratified: one pixel at a random place in each of k equal runs. A fixed stride (before)
    // is a multiple of a row's length whenever k divides the pixel count, and then sampled only
    // 2-4 columns. Seeded by the pair's index, so both models' samples share their pixels.
    const rng = new Rng(PAIR_SAMPLE_SEED, index);
    for (let j = 0; j < k; j++) part[j] = d[Math.min(d.length - 1, Math.floor(((j + rng.next()) * d.length) / k))];
    parts.push(part);
    offsets.push(offsets[offsets.length - 1] + k);
  }
  const sample = new Float32Array(offsets[offsets.length - 1]);
  parts.forEach((p, i) => sample.set(p, offsets[i]));
  return { sumSq, count, sample, offsets };
}

/** k-th smallest value (0-based) in place, Hoare's quickselect: linear time, which sorting is not. */
function select(a: Float64Array, k: number, n: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function medianOf(a: Float64Array, n: number): number {
  if (n % 2 === 1) return select(a, (n - 1) / 2, n);
  const upper = select(a, n / 2, n);
  // After selecting n/2, everything below it sits left of it: the lower middle is their max.
  let lower = -Infinity;
  for (let i = 0; i < n / 2; i++) lower = Math.max(lower, a[i]);
  return (lower + upper) / 2;
}

/** 1.4826 x MAD of the first n values of `a` (reordered in place). */
function robustStdInPlace(a: Float64Array, n: number): number {
  const m = medianOf(a, n);
  for (let i = 0; i < n; i++) a[i] = Math.abs(a[i] - m);
  return 1.4826 * medianOf(a, n);
}

export interface RatioInterval {
  low: number;
  high: number;
  resamples: number;
}

/**
 * 95 % percentile intervals of the reductions numerator / denominator (robust std and RMSE),
 * from a paired bootstrap over test pairs: each resample draws pair indices with replacement
 * and uses the same ones for both models, as both ran on the same pairs.
 */
export function bootstrapReduction(
  numerator: PairErrorSummary,
  denominator: PairErrorSummary,
  resamples = 400,
  seed = 1,
): { robustStd: RatioInterval; rmse: RatioInterval } {
  const pairs = numerator.count.length;
  if (pairs !== denominator.count.length || pairs === 0) throw new Error(`paired bootstrap needs the same test pairs (${pairs} vs ${denominator.count.length})`);
  const rng = new Rng(seed, 0x600b);
  // A resample can repeat the largest pair every time.
  const largest = (s: PairErrorSummary): number => Math.max(...s.offsets.slice(1).map((end, i) => end - s.offsets[i]));
  const buffer = new Float64Array(pairs * Math.max(largest(numerator), largest(denominator)));
  const robust: number[] = [];
  const rms: number[] = [];
  const picks = new Int32Array(pairs);
  const gather = (s: PairErrorSummary): number => {
    let n = 0;
    for (const p of picks) for (let i = s.offsets[p]; i < s.offsets[p + 1]; i++) buffer[n++] = s.sample[i];
    return n;
  };
  const rmsOf = (s: PairErrorSummary): number => {
    let sum = 0;
    let count = 0;
    for (const p of picks) {
      sum += s.sumSq[p];
      count += s.count[p];
    }
    return Math.sqrt(sum / count);
  };
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < pairs; i++) picks[i] = rng.int(0, pairs - 1);
    const top = robustStdInPlace(buffer, gather(numerator));
    const bottom = robustStdInPlace(buffer, gather(denominator));
    robust.push(top / bottom);
    rms.push(rmsOf(numerator) / rmsOf(denominator));
  }
  return { robustStd: percentileInterval(robust, resamples), rmse: percentileInterval(rms, resamples) };
}

/** NaN ends (null in JSON) when no resample gave a finite ratio, e.g. a head with no error at all. */
function percentileInterval(values: number[], resamples: number): RatioInterval {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { low: NaN, high: NaN, resamples };
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  return { low: at(0.025), high: at(0.975), resamples };
}
