import { ConfigError, FileFormatError } from '../../util/errors.js';
import type { DisparityMap } from '../types.js';
import { decodePngFile, writePngFile } from './png.js';

function checkScale(scale: number): void {
  if (!(Number.isFinite(scale) && scale > 0)) throw new ConfigError('middleburyScale', scale, 'must be a positive number');
}

/**
 * Middlebury 2001-2006 ground truth: an 8-bit PNG holding disparity * scale (scale 8 for 2001,
 * 4 for the 2003 quarter-size sets, ...); 0 means unknown. A colour file uses its first channel.
 */
export function readMiddleburyDisparityPng(path: string, scale: number): DisparityMap {
  checkScale(scale);
  const png = decodePngFile(path);
  if (png.depth !== 8) throw new FileFormatError(path, `not a Middlebury disparity map (expected an 8-bit PNG, got ${png.depth}-bit)`);
  const { width, height, channels, data } = png;
  const disp = new Float32Array(width * height);
  const valid = new Uint8Array(width * height);
  for (let i = 0; i < disp.length; i++) {
    const v = data[i * channels];
    if (v > 0) {
      disp[i] = v / scale;
      valid[i] = 1;
    }
  }
  return { width, height, disp, valid };
}

/** Write an 8-bit Middlebury disparity PNG; valid values are kept in [1, 255] so 0 stays "unknown". */
export function writeMiddleburyDisparityPng(path: string, map: DisparityMap, scale: number): void {
  checkScale(scale);
  const { width, height, disp, valid } = map;
  if (disp.length !== width * height || valid.length !== width * height) {
    throw new ConfigError('disparity', `${width}x${height}`, `cannot write ${path}: arrays have ${disp.length}/${valid.length} values`);
  }
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    if (!valid[i] || !Number.isFinite(disp[i])) continue;
    data[i] = Math.min(255, Math.max(1, Math.round(disp[i] * scale)));
  }
  writePngFile(path, width, height, data, 1, 8);
}
