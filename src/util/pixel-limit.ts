import { ConfigError } from './errors.js';

/**
 * A pixel ceiling that an environment variable may change (HILBERTQ_MAX_IMAGE_PIXELS,
 * HILBERTQ_MAX_INFER_PIXELS, HILBERTQ_MAX_BATCH_PIXELS): the ceilings keep a bad input from
 * allocating gigabytes, and the variable lets a machine with the memory go further.
 */
export function pixelLimit(envVar: string, fallback: number): number {
  const raw = process.env[envVar];
  const value = raw === undefined || raw.trim() === '' ? fallback : Number(raw);
  if (!(Number.isFinite(value) && value >= 1)) throw new ConfigError(envVar, raw ?? '', 'must be a number of pixels >= 1');
  return value;
}

/** "6.0 MP": pixel counts in messages. */
export function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(pixels < 1e5 ? 3 : 1)} MP`;
}
