import { ConfigError } from '../util/errors.js';
import { megapixels, megapixelsOver, pixelLimit } from '../util/pixel-limit.js';

export const MAX_BATCH_PIXELS_ENV = 'HILBERTQ_MAX_BATCH_PIXELS';

/**
 * The largest batch x height x width a training step takes (default 2^22, e.g. batch 32 at
 * 256x512; the zoo trains batch 8 at 128x256, 0.26 MP). Training keeps every activation of the
 * batch for the gradients, hundreds of floats per pixel: `--batch 100000` would try to allocate
 * far beyond any machine's memory after the run folder was created.
 */
export const DEFAULT_MAX_BATCH_PIXELS = 4_194_304;

/** Refuses a batch above the ceiling, suggesting the largest batch that fits at this size. */
export function checkBatchPixels(batch: number, height: number, width: number): void {
  const limit = pixelLimit(MAX_BATCH_PIXELS_ENV, DEFAULT_MAX_BATCH_PIXELS);
  const pixels = batch * height * width;
  if (pixels <= limit) return;
  const fits = Math.floor(limit / (height * width));
  const advice = fits >= 1 ? `use --batch ${fits} or less at ${height}x${width}` : `even --batch 1 does not fit at ${height}x${width}: use a smaller --size`;
  throw new ConfigError('--batch', batch, `${batch} x ${height}x${width} is ${megapixelsOver(pixels, limit)} per step, over the limit of ${megapixels(limit)} (${MAX_BATCH_PIXELS_ENV}); ${advice}`);
}
