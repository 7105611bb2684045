import { ConfigError, FileFormatError } from '../../util/errors.js';
import type { DisparityMap } from '../types.js';
import { decodePngFile, writePngFile } from './png.js';

/** KITTI stores disparity * 256 in a 16-bit grey PNG; 0 means no ground truth. */
export const KITTI_SCALE = 256;

export function readKittiDisparity(path: string): DisparityMap {
  const png = decodePngFile(path);
  if (png.depth !== 16 || png.channels !== 1) {
    throw new FileFormatError(path, `not a KITTI disparity map (expected a 16-bit grey PNG, got ${png.depth}-bit with ${png.channels} channels)`);
  }
  const { width, height, data } = png;
  const disp = new Float32Array(width * height);
  const valid = new Uint8Array(width * height);
  for (let i = 0; i < disp.length; i++) {
    const v = data[i];
    if (v > 0) {
      disp[i] = v / KITTI_SCALE;
      valid[i] = 1;
    }
  }
  return { width, height, disp, valid };
}

/**
 * Write a KITTI disparity PNG. Valid disparities are stored as at least 1 (1/256 px) so that a
 * true zero does not turn into "no data"; values above 255.996 px saturate.
 */
export function writeKittiDisparity(path: string, map: DisparityMap): void {
  const { width, height, disp, valid } = map;
  if (disp.length !== width * height || valid.length !== width * height) {
    throw new ConfigError('disparity', `${width}x${height}`, `cannot write ${path}: arrays have ${disp.length}/${valid.length} values`);
  }
  const data = new Uint16Array(width * height);
  for (let i = 0; i < data.length; i++) {
    if (!valid[i] || !Number.isFinite(disp[i])) continue;
    data[i] = Math.min(65535, Math.max(1, Math.round(disp[i] * KITTI_SCALE)));
  }
  writePngFile(path, width, height, data, 1, 16);
}
