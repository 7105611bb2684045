/**
 * Linear warm-up, then cosine decay to `floor` x the base rate: warm-up keeps Adam's first,
 * badly estimated steps small; the decay lets the final steps settle.
 */
export function cosineLearningRate(step: number, totalSteps: number, base: number, warmup: number, floor = 0.02): number {
  const warm = warmup > 0 ? Math.min(1, (step + 1) / warmup) : 1;
  const progress = Math.min(1, step / Math.max(1, totalSteps - 1));
  const cosine = floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
  return base * warm * cosine;
}
