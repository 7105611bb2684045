import { decode as decodeJpegBytes, encode as encodeJpegBytes } from 'jpeg-js';
import { ConfigError, FileFormatError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { RgbImage } from '../types.js';
import { checkImageSize, maxImagePixels } from './image-limits.js';
import { decodePngFile, hasPngSignature, writePngFile } from './png.js';
import { errorText, readFileBytes } from './read-file.js';

/**
 * Read an 8-bit RGB image from a PNG (any colour type and depth) or a baseline/progressive JPEG.
 * `beforeDecode` sees the size its header declares and may refuse it before any pixel is decoded
 * (infer's inference limit: an 8000x8000 PNG took 1.8 GB and 23 s to refuse once decoded).
 */
export function readImage(path: string, beforeDecode?: (size: { width: number; height: number }) => void): RgbImage {
  const bytes = readFileBytes(path);
  const png = hasPngSignature(bytes);
  const jpeg = !png && bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpeg) throw new FileFormatError(path, 'not a PNG or JPEG image');
  // A PNG's header is checked by decodePngFile, as for every PNG read.
  if (png) return pngToRgb(path, bytes, beforeDecode);
  const size = jpegHeaderSize(path, bytes);
  checkImageSize(path, size);
  beforeDecode?.(size);
  return jpegToRgb(path, bytes, maxImagePixels());
}

/**
 * Width and height from a JPEG's frame header (SOF0-SOF15 but DHT, JPG, DAC), walking the marker
 * segments: fill bytes (0xFF runs) and the standalone markers (TEM, RST0-7) carry no length. A
 * scan before any frame header, or a walk that does not reach one, is refused.
 */
function jpegHeaderSize(path: string, bytes: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 1 < bytes.length) {
    if (bytes[i] !== 0xff) break;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9 || i + 9 >= bytes.length) break;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[i + 5] << 8) | bytes[i + 6], width: (bytes[i + 7] << 8) | bytes[i + 8] };
    }
    i += 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
  }
  throw new FileFormatError(path, 'corrupt JPEG: no frame header (SOF) before its scan');
}

function pngToRgb(path: string, bytes: Uint8Array, beforeDecode?: (size: { width: number; height: number }) => void): RgbImage {
  const png = decodePngFile(path, bytes, beforeDecode);
  const { width, height, channels, data } = png;
  const n = width * height;
  const shift = png.depth === 16 ? 8 : 0;
  // 1-, 2- and 4-bit grey comes unpacked but unscaled: 15 -> 255 at 4 bits.
  const low = png.depth < 8 ? 255 / ((1 << png.depth) - 1) : 0;
  const rgb = new Uint8Array(n * 3);
  // Grey (+alpha) is replicated, RGB(A) copied; alpha is dropped (stereo images are opaque).
  const grey = channels <= 2;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    if (grey) {
      const v = low ? Math.round(data[s] * low) : data[s] >> shift;
      rgb[3 * i] = v;
      rgb[3 * i + 1] = v;
      rgb[3 * i + 2] = v;
    } else {
      rgb[3 * i] = data[s] >> shift;
      rgb[3 * i + 1] = data[s + 1] >> shift;
      rgb[3 * i + 2] = data[s + 2] >> shift;
    }
  }
  return { width, height, data: rgb };
}

function jpegToRgb(path: string, bytes: Uint8Array, maxPixels: number): RgbImage {
  if (!endsWithEoiAfterLastScan(bytes)) throw new FileFormatError(path, 'truncated JPEG (no end-of-image marker after the last scan)');
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decodeJpegBytes(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 2048, maxResolutionInMP: maxPixels / 1e6 });
  } catch (err) {
    throw new FileFormatError(path, `corrupt JPEG: ${errorText(err)}`);
  }
  const { width, height, data } = decoded;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new FileFormatError(path, 'corrupt JPEG: decoded size does not match its header');
  }
  return { width, height, data };
}

/**
 * jpeg-js decodes a truncated scan without complaint (grey fill), so check that an EOI marker
 * follows the last start-of-scan. Entropy-coded data escapes 0xFF, so markers cannot hide in it;
 * comparing with the last SOS keeps an embedded EXIF thumbnail's EOI from passing the check.
 */
function endsWithEoiAfterLastScan(bytes: Uint8Array): boolean {
  let lastSos = -1;
  let lastEoi = -1;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    const marker = bytes[i + 1];
    if (marker === 0xda) lastSos = i;
    else if (marker === 0xd9) lastEoi = i;
  }
  return lastSos >= 0 && lastEoi > lastSos;
}

function checkRgb(image: RgbImage, path: string): void {
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new ConfigError('image', `${width}x${height} (${data.length} bytes)`, `cannot write ${path}: not an RGB8 image`);
  }
}

/** Write an 8-bit RGB PNG atomically. */
export function writePng(path: string, image: RgbImage): void {
  checkRgb(image, path);
  writePngFile(path, image.width, image.height, image.data, 3, 8);
}

/** Write an 8-bit RGB JPEG atomically (quality 1..100). */
export function writeJpeg(path: string, image: RgbImage, quality = 95): void {
  checkRgb(image, path);
  if (!(quality >= 1 && quality <= 100)) throw new ConfigError('quality', quality, 'must be in [1, 100]');
  const { width, height, data } = image;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i];
    rgba[j + 1] = data[i + 1];
    rgba[j + 2] = data[i + 2];
    rgba[j + 3] = 255;
  }
  writeFileAtomic(path, encodeJpegBytes({ width, height, data: rgba }, quality).data);
}

/** Write by extension: .jpg/.jpeg as JPEG, anything else as PNG. */
/** Writes PNG or JPEG as the extension says; any other extension is refused (it wrote PNG bytes into x.bmp before). */
export function writeImage(path: string, image: RgbImage): void {
  checkImageExtension(path);
  if (/\.jpe?g$/i.test(path)) writeJpeg(path, image);
  else writePng(path, image);
}

/** Refuses an output name whose extension is not one writeImage writes, before any work is done. */
export function checkImageExtension(path: string, option = '--out'): void {
  if (!/\.(png|jpe?g)$/i.test(path)) throw new ConfigError(option, path, 'the extension decides the format: .png, .jpg or .jpeg');
}

/** Read an 8-bit single-channel mask PNG as 0/1 (values above 127 are 1). */
export function readMaskPng(path: string): { width: number; height: number; mask: Uint8Array } {
  const png = decodePngFile(path);
  const { width, height, channels, data } = png;
  // Half the largest sample: 32767 at 16 bits, 127 at 8, 0.5 for a 1-bit mask.
  const threshold = ((1 << png.depth) - 1) / 2;
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i * channels] > threshold ? 1 : 0;
  return { width, height, mask };
}

/** Write a 0/1 mask as an 8-bit grey PNG with 0/255, viewable as it is. */
export function writeMaskPng(path: string, width: number, height: number, mask: Uint8Array): void {
  if (mask.length !== width * height) throw new ConfigError('mask', mask.length, `expected ${width}x${height} values for ${path}`);
  const grey = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 255 : 0;
  writePngFile(path, width, height, grey, 1, 8);
}
