import { decode, encode, convertIndexedToRgb, type DecodedPng } from 'fast-png';
import { FileFormatError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { checkImageSize } from './image-limits.js';
import { errorText, readFileBytes } from './read-file.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Decode a PNG with CRC checks, so a corrupt or truncated file fails here and names itself
 * instead of yielding a silently damaged image. The size its header declares is checked first
 * (checkImageSize), then shown to `beforeDecode`, which may refuse it before any pixel is decoded.
 */
export function decodePngFile(path: string, bytes: Uint8Array = readFileBytes(path), beforeDecode?: (size: { width: number; height: number }) => void): DecodedPng {
  if (!hasPngSignature(bytes)) throw new FileFormatError(path, 'not a PNG file (bad signature)');
  if (!hasIendChunk(bytes)) throw new FileFormatError(path, 'truncated PNG (no IEND chunk at the end)');
  const size = pngHeaderSize(path, bytes);
  checkImageSize(path, size);
  beforeDecode?.(size);
  let png: DecodedPng;
  try {
    png = decode(bytes, { checkCrc: true });
  } catch (err) {
    // The decoder's messages can end in a colon with nothing after it ("Error while decompressing the data:").
    throw new FileFormatError(path, `corrupt PNG: ${errorText(err).replace(/[\s:]+$/, '') || 'the decoder refused it'}`);
  }
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    png = { ...png, data: rgb, depth: 8, channels: rgb.length / (png.width * png.height), palette: undefined };
  } else if (png.depth < 8) {
    const rows = Math.ceil((png.width * png.depth) / 8) * png.height;
    if (png.data.length !== rows) throw new FileFormatError(path, `corrupt PNG: ${png.data.length} bytes of ${png.depth}-bit samples for ${png.width}x${png.height}`);
    // One byte per sample, the values as stored (0..2^depth - 1): readers that need 8 bits
    // (images) scale them; readers of codes (Middlebury disparity) see the depth and refuse.
    png = { ...png, data: unpackGrey(png) };
  }
  if (png.data.length !== png.width * png.height * png.channels) {
    throw new FileFormatError(path, `corrupt PNG: ${png.data.length} samples for ${png.width}x${png.height}x${png.channels}`);
  }
  return png;
}

/**
 * 1-, 2- and 4-bit greyscale (the only non-palette PNGs below 8 bits): fast-png leaves the
 * samples packed, rows padded to whole bytes. Unpacked to a byte each, not scaled.
 */
function unpackGrey(png: DecodedPng): Uint8Array {
  const { width, height, depth } = png;
  const packed = png.data as Uint8Array;
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & max;
    }
  }
  return out;
}

function hasIendChunk(bytes: Uint8Array): boolean {
  // IEND is the 12 bytes: length 0, "IEND", CRC. Tolerate trailing bytes after it.
  const n = bytes.length;
  for (let i = n - 12; i >= Math.max(8, n - 1024); i--) {
    if (bytes[i + 4] === 0x49 && bytes[i + 5] === 0x45 && bytes[i + 6] === 0x4e && bytes[i + 7] === 0x44) return true;
  }
  return false;
}

export function writePngFile(path: string, width: number, height: number, data: Uint8Array | Uint16Array, channels: 1 | 3, depth: 8 | 16): void {
  const bytes = encode({ width, height, data, channels, depth });
  writeFileAtomic(path, bytes);
}

/** An 8-bit RGB image as PNG bytes (for embedding, e.g. as a data URI). */
export function encodeRgbPng(width: number, height: number, data: Uint8Array): Uint8Array {
  return encode({ width, height, data, channels: 3, depth: 8 });
}

/** The critical chunks of PNG 1.2 after IHDR. */
const KNOWN_CRITICAL = new Set(['PLTE', 'IDAT', 'IEND']);

/**
 * Width and height from a PNG's IHDR, which must be the first chunk and the only one (a decoder
 * that takes a later IHDR would otherwise decode another size than the one checked).
 */
function pngHeaderSize(path: string, bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 33 || view.getUint32(8) !== 13 || type(12) !== 'IHDR') throw new FileFormatError(path, 'corrupt PNG: the first chunk is not a 13-byte IHDR');
  for (let at = 33; at + 8 <= bytes.length; at += 12 + view.getUint32(at)) {
    const chunk = type(at + 4);
    if (chunk === 'IHDR') throw new FileFormatError(path, 'corrupt PNG: a second IHDR chunk');
    if (chunk === 'IEND') break;
    // An upper-case first letter marks a chunk critical: the PNG spec has a decoder refuse one it
    // does not know (fast-png skips it, and the image may then mean something else).
    if (/^[A-Z]/.test(chunk) && !KNOWN_CRITICAL.has(chunk)) throw new FileFormatError(path, `corrupt PNG: an unknown critical chunk "${chunk.replace(/[^\x20-\x7e]/g, '?')}"`);
  }
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
