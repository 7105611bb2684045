import type { RgbImage } from '../data/types.js';
import { Rng } from '../util/rng.js';
import type { DepthPredictor } from './depth-predictor.js';

/** The seed of the rounds' random order: the same order on every run. */
const LATENCY_ORDER_SEED = 20_261_206;

/** Warm-up rounds of interleavedTimes, not timed. */
export const LATENCY_WARMUP = 5;

/**
 * Wall times of DepthPredictor.predict (padding, the ORT run, the head's decoding) for several
 * models, one array per model with one time per round, their runs interleaved (every model once
 * per round), so that load drift on the host hits every model alike and the overhead of one over
 * another is fair. Each round takes the models in a fresh (seeded) random order: in a fixed order
 * a model always follows the same one and inherits its garbage and cache evictions (in one demo
 * run with a fixed order, the vit curve head, timed right after its own FP32 variant, whose float
 * decode allocates much, measured 9.0 % over its direct twin; in random order 5.6 %, and 4 %
 * timed in pairs). `onRound` is called after each round (warm-up rounds included).
 */
export async function interleavedTimes(
  predictors: DepthPredictor[],
  left: RgbImage,
  right: RgbImage,
  runs: number,
  warmup = LATENCY_WARMUP,
  onRound?: () => void,
): Promise<number[][]> {
  const times = predictors.map(() => [] as number[]);
  const rng = new Rng(LATENCY_ORDER_SEED);
  const order = predictors.map((_, k) => k);
  for (let i = 0; i < warmup + runs; i++) {
    for (let j = order.length - 1; j > 0; j--) {
      const swap = Math.floor(rng.next() * (j + 1));
      [order[j], order[swap]] = [order[swap], order[j]];
    }
    for (const k of order) {
      const t = performance.now();
      await predictors[k].predict(left, right);
      if (i >= warmup) times[k].push(performance.now() - t);
    }
    onRound?.();
  }
  return times;
}

/**
 * How much slower model b runs than model a, from their times in the same interleaved rounds:
 * the median over rounds of b / a - 1. Pairing the two runs of a round cancels what drifts from
 * round to round (the host's load, the models that ran just before), which the ratio of the two
 * medians keeps: in six stretches of 100 rounds of the demo's 16-model loop (a throwaway script,
 * AMD EPYC), the precision vit's w8a8 curve-head overhead measured 0.2-9.1 % as a ratio of
 * medians and 1.8-2.7 % paired; the unet's 0.9-6.8 % and 2.4-5.4 %.
 */
export function pairedOverhead(a: number[], b: number[]): number {
  if (a.length === 0 || a.length !== b.length) throw new RangeError(`pairedOverhead: ${a.length} and ${b.length} rounds`);
  return median(b.map((x, i) => x / a[i])) - 1;
}

/** The middle value (the upper of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
