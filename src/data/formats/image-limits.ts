import { ConfigError, FileFormatError } from '../../util/errors.js';

/**
 * The largest image decoded, in pixels (default 64 MP, about 200 MB of RGB plus the decoder's
 * own buffers); HILBERTQ_MAX_IMAGE_PIXELS changes it. A 243 KB PNG can declare 16000x16000
 * pixels: the size is read from the header and refused before anything is decoded.
 */
export function maxImagePixels(): number {
  const raw = process.env.HILBERTQ_MAX_IMAGE_PIXELS;
  const value = raw === undefined ? 64e6 : Number(raw);
  if (!(Number.isFinite(value) && value >= 1)) throw new ConfigError('HILBERTQ_MAX_IMAGE_PIXELS', raw ?? '', 'must be a number of pixels >= 1');
  return value;
}

/**
 * The size an image file's header declares, refused in one line naming the file when it has no
 * pixel (ONNX Runtime would fail on it later, naming the model) or more than maxImagePixels.
 * Every PNG and JPEG read goes through it: images, ground truth and masks alike.
 */
export function checkImageSize(path: string, size: { width: number; height: number }): void {
  if (size.width === 0 || size.height === 0) throw new FileFormatError(path, `declares ${size.width}x${size.height} pixels: an image needs at least one`);
  const limit = maxImagePixels();
  if (size.width * size.height > limit) {
    throw new FileFormatError(path, `declares ${size.width}x${size.height} pixels, over the limit of ${limit} (HILBERTQ_MAX_IMAGE_PIXELS); resize it first`);
  }
}
