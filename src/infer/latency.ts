import type { RgbImage } from '../data/types.js';
import type { DepthPredictor } from './depth-predictor.js';

/**
 * Median wall time of DepthPredictor.predict (padding, the ORT run, the head's decoding) for
 * several models, with their runs interleaved (A B C A B C ...), so that load drift on the host
 * hits every model alike and the overhead of one over another is fair.
 */
export async function interleavedLatency(
  predictors: DepthPredictor[],
  left: RgbImage,
  right: RgbImage,
  runs: number,
  warmup = 5,
): Promise<number[]> {
  const times = predictors.map(() => [] as number[]);
  for (let i = 0; i < warmup + runs; i++) {
    for (let k = 0; k < predictors.length; k++) {
      const t = performance.now();
      await predictors[k].predict(left, right);
      if (i >= warmup) times[k].push(performance.now() - t);
    }
  }
  return times.map(median);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
