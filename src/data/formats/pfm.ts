import { ConfigError, FileFormatError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { readFileBytes } from './read-file.js';

/** A float image, rows top to bottom (the file stores them bottom to top), channels interleaved. */
export interface PfmImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

const MAX_HEADER_BYTES = 256;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Read a PFM: header "Pf" (grey) or "PF" (RGB), "W H", then a scale whose sign gives the byte
 * order (negative = little-endian); exactly one whitespace byte (or "\r\n") precedes the raster,
 * which ends the file.
 */
export function readPfm(path: string): PfmImage {
  const bytes = readFileBytes(path);
  const tokens: string[] = [];
  let pos = 0;
  while (tokens.length < 4) {
    while (pos < bytes.length && pos < MAX_HEADER_BYTES && isSpace(bytes[pos])) pos++;
    const start = pos;
    while (pos < bytes.length && pos < MAX_HEADER_BYTES && !isSpace(bytes[pos])) pos++;
    if (pos >= bytes.length || pos >= MAX_HEADER_BYTES || pos === start) {
      throw new FileFormatError(path, 'not a PFM file (incomplete header)');
    }
    tokens.push(String.fromCharCode(...bytes.subarray(start, pos)));
  }
  // One whitespace byte ends the header; a Windows line end is two ("\r\n"), else the raster
  // is read one byte off and every value comes out as garbage.
  const dataStart = bytes[pos] === 0x0d && bytes[pos + 1] === 0x0a ? pos + 2 : pos + 1;
  const [magic, wText, hText, scaleText] = tokens;
  if (magic !== 'Pf' && magic !== 'PF') throw new FileFormatError(path, `not a PFM file (magic "${magic.slice(0, 8)}")`);
  const channels = magic === 'PF' ? 3 : 1;
  const width = Number(wText);
  const height = Number(hText);
  const scale = Number(scaleText);
  if (!/^\d+$/.test(wText) || !/^\d+$/.test(hText) || width < 1 || height < 1 || width * height > 1 << 28) {
    throw new FileFormatError(path, `bad PFM size "${wText} ${hText}"`);
  }
  if (!Number.isFinite(scale) || scale === 0) throw new FileFormatError(path, `bad PFM scale "${scaleText}"`);
  const count = width * height * channels;
  const available = bytes.length - dataStart;
  if (available < count * 4) {
    throw new FileFormatError(path, `truncated PFM: ${width}x${height}x${channels} needs ${count * 4} data bytes, file has ${Math.max(0, available)}`);
  }
  // Bytes beyond the raster mean the header or the size is not what the file holds.
  if (available > count * 4) {
    throw new FileFormatError(path, `PFM of ${width}x${height}x${channels} holds ${available - count * 4} bytes after its ${count * 4} data bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart, count * 4);
  const littleEndian = scale < 0;
  const data = new Float32Array(count);
  const rowValues = width * channels;
  for (let fileRow = 0; fileRow < height; fileRow++) {
    const imageRow = height - 1 - fileRow;
    const src = fileRow * rowValues * 4;
    const dst = imageRow * rowValues;
    for (let i = 0; i < rowValues; i++) data[dst + i] = view.getFloat32(src + i * 4, littleEndian);
  }
  return { width, height, channels, data };
}

/** Write a PFM (little-endian by default), rows bottom to top as the format defines. */
export function writePfm(path: string, image: PfmImage, littleEndian = true): void {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new ConfigError('pfm', `${width}x${height}x${channels}`, `cannot write ${path}: data has ${data.length} values`);
  }
  const header = new TextEncoder().encode(`${channels === 3 ? 'PF' : 'Pf'}\n${width} ${height}\n${littleEndian ? '-1.0' : '1.0'}\n`);
  const out = new Uint8Array(header.length + data.length * 4);
  out.set(header);
  const view = new DataView(out.buffer, header.length);
  const rowValues = width * channels;
  for (let fileRow = 0; fileRow < height; fileRow++) {
    const src = (height - 1 - fileRow) * rowValues;
    const dst = fileRow * rowValues * 4;
    for (let i = 0; i < rowValues; i++) view.setFloat32(dst + i * 4, data[src + i], littleEndian);
  }
  writeFileAtomic(path, out);
}
