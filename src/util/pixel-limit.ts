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

/** "6.0 MP": pixel counts in messages; three significant digits below 0.1 MP (not "0.000 MP" for 256 pixels). */
export function megapixels(pixels: number): string {
  return `${pixels < 1e5 ? (pixels / 1e6).toPrecision(3) : (pixels / 1e6).toFixed(1)} MP`;
}

/** megapixels() for a count over `limit`, with the digits that show it is over (4.002 MP, not "4.0 MP, over the limit of 4.0 MP"). */
export function megapixelsOver(pixels: number, limit: number): string {
  const shown = megapixels(pixels);
  if (shown !== megapixels(limit)) return shown;
  for (let digits = 2; digits <= 6; digits++) {
    if ((pixels / 1e6).toFixed(digits) !== (limit / 1e6).toFixed(digits)) return `${(pixels / 1e6).toFixed(digits)} MP`;
  }
  return `${pixels} pixels`;
}
