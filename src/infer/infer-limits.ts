import { MAX_SIDE, MIN_SIDE } from '../data/options.js';
import { backboneSettings, type ModelConfig } from '../models/model.js';
import { VIT_STRIDE } from '../models/vit.js';
import { ConfigError, FileFormatError } from '../util/errors.js';
import { megapixels, megapixelsOver, pixelLimit } from '../util/pixel-limit.js';

export const MAX_INFER_PIXELS_ENV = 'HILBERTQ_MAX_INFER_PIXELS';

/**
 * The largest H*W a model is run at, per pair (default 4 MP, e.g. 2000x2000). The activations
 * of one pair grow with its area: a full-size Middlebury pair (about 2000x2900) already needs
 * several GB on ONNX Runtime. Larger pairs are refused up front with a --resize that fits.
 */
export const DEFAULT_MAX_INFER_PIXELS = 4_000_000;

export function maxInferPixels(): number {
  return pixelLimit(MAX_INFER_PIXELS_ENV, DEFAULT_MAX_INFER_PIXELS);
}

/**
 * Bytes a ViT's attention may take for one pair: its scores and their softmax, heads x T^2
 * float32 each, T the tokens at 1/16. At 4 MP a 4-head vit needed about 9 GB (15,625 tokens),
 * and a model whose metadata asks for 128 heads would need 32 times that.
 */
const ATTENTION_BYTES = 2e9;

/**
 * The largest H*W a model is run at by default: the inference limit, and for a ViT the size at
 * which its attention reaches ATTENTION_BYTES (about 2 MP with 4 heads). Setting
 * HILBERTQ_MAX_INFER_PIXELS replaces both: the machine's owner knows its memory.
 */
export function modelPixelLimit(config: ModelConfig | null): { pixels: number; what: string } {
  const limit = maxInferPixels();
  const inference = { pixels: limit, what: `the inference limit of ${megapixels(limit)} per pair (${MAX_INFER_PIXELS_ENV})` };
  if (config === null || process.env[MAX_INFER_PIXELS_ENV]?.trim()) return inference;
  const body = backboneSettings(config);
  if (body.family !== 'vit') return inference;
  const tokens = Math.sqrt(ATTENTION_BYTES / (2 * 4 * body.heads));
  const pixels = Math.floor(tokens * VIT_STRIDE * VIT_STRIDE);
  if (pixels >= inference.pixels) return inference;
  return { pixels, what: `the vit's limit of ${megapixels(pixels)} per pair (its attention over ${body.heads} heads grows with the square of the pixels; ${MAX_INFER_PIXELS_ENV} overrides it)` };
}

export interface Size {
  height: number;
  width: number;
}

/**
 * The largest size of the same aspect ratio within `limit` pixels, both sides multiples of
 * `multiple` (a model stride, at least MIN_SIDE so that parseSize accepts it): what messages
 * suggest as --resize or --size.
 */
export function sizeWithin(size: Size, limit: number, multiple = MIN_SIDE): Size {
  const step = Math.ceil(MIN_SIDE / multiple) * multiple;
  const scale = Math.min(1, Math.sqrt(limit / (size.height * size.width)));
  const side = (s: number): number => Math.min(Math.floor(MAX_SIDE / step) * step, Math.max(step, Math.floor((s * scale) / step) * step));
  return { height: side(size.height), width: side(size.width) };
}

/**
 * Refuse a pair whose run size (the --resize size, else the pair's own) is above the ceiling.
 * `source` names the pair (its left image or dataset sample) in the message.
 */
export function checkInferSize(source: string, pair: Size, resize: Size | undefined, resizeText?: string, config: ModelConfig | null = null): void {
  const { pixels: limit, what } = modelPixelLimit(config);
  const run = resize ?? pair;
  const pixels = run.height * run.width;
  if (pixels <= limit) return;
  const fit = sizeWithin(pair, limit);
  const suggestion = `--resize ${fit.height}x${fit.width}`;
  const over = `over ${what}`;
  if (resize) throw new ConfigError('--resize', resizeText ?? `${resize.height}x${resize.width}`, `is ${megapixelsOver(pixels, limit)}, ${over}; try ${suggestion}`);
  throw new FileFormatError(source, `${pair.height}x${pair.width} pixels (${megapixelsOver(pixels, limit)}) is ${over}: run it smaller with ${suggestion} (disparity comes back at the input size)`);
}

/**
 * eval's form of checkInferSize: eval has no --resize (it scores at the ground truth's size),
 * so the suggestion is the --downscale factor that fits.
 */
export function checkEvalSize(source: string, pair: Size, config: ModelConfig | null = null, downscaled = 1): void {
  const { pixels: limit, what } = modelPixelLimit(config);
  const pixels = pair.height * pair.width;
  if (pixels <= limit) return;
  // The pair may already be shrunk by --downscale: the suggestion is the whole factor.
  const factor = downscaled * Math.ceil(Math.sqrt(pixels / limit));
  throw new FileFormatError(source, `${pair.height}x${pair.width} pixels (${megapixelsOver(pixels, limit)}) is over ${what}: evaluate it with --downscale ${factor}`);
}

/**
 * Refuse synthetic pairs (calibration, test) above the ceiling before any is rendered: a model
 * whose metadata records a training size of 100000x100000 would otherwise allocate gigabytes.
 * `recordedBy` names the model file when the size came from its hilbertq.training_size.
 */
export function checkSyntheticSize(size: Size, recordedBy: string | null, multiple = MIN_SIDE, config: ModelConfig | null = null): void {
  const { pixels: limit, what } = modelPixelLimit(config);
  const pixels = size.height * size.width;
  if (pixels <= limit) return;
  const fit = sizeWithin(size, limit, multiple);
  const over = `over ${what}; pass --size ${fit.height}x${fit.width} or smaller`;
  const text = `${size.height}x${size.width}`;
  if (recordedBy !== null) throw new FileFormatError(recordedBy, `records training size ${text} (${megapixelsOver(pixels, limit)} per pair), ${over}`);
  throw new ConfigError('--size', text, `is ${megapixelsOver(pixels, limit)} per pair, ${over}`);
}
