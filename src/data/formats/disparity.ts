import { FileFormatError } from '../../util/errors.js';
import type { DisparityMap } from '../types.js';
import { readKittiDisparity } from './kitti.js';
import { readMiddleburyDisparityPng } from './middlebury.js';
import { hasPngSignature } from './png.js';
import { readPfm, writePfm } from './pfm.js';
import { readFileBytes } from './read-file.js';

const PNG_BIT_DEPTH_OFFSET = 24;

/** Disparity from a PFM: the first channel; inf and NaN (Middlebury's "unknown") are invalid. */
export function readPfmDisparity(path: string): DisparityMap {
  const pfm = readPfm(path);
  const { width, height, channels, data } = pfm;
  const disp = new Float32Array(width * height);
  const valid = new Uint8Array(width * height);
  for (let i = 0; i < disp.length; i++) {
    const v = data[i * channels];
    if (Number.isFinite(v)) {
      disp[i] = v;
      valid[i] = 1;
    }
  }
  return { width, height, disp, valid };
}

/** Write disparity as a grey PFM, invalid pixels as +inf as Middlebury does. */
export function writePfmDisparity(path: string, map: DisparityMap): void {
  const { width, height, disp, valid } = map;
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = valid[i] ? disp[i] : Infinity;
  writePfm(path, { width, height, channels: 1, data });
}

/**
 * Read a ground-truth file by its content: PFM, KITTI 16-bit PNG, or Middlebury 8-bit PNG (which
 * needs its scale factor, since 8-bit files do not say what they were multiplied by).
 */
export function readDisparityFile(path: string, middleburyScale?: number): DisparityMap {
  const head = readFileBytes(path).subarray(0, 32);
  if (head[0] === 0x50 && (head[1] === 0x66 || head[1] === 0x46)) return readPfmDisparity(path);
  if (!hasPngSignature(head)) throw new FileFormatError(path, 'unknown disparity format (expected PFM or PNG)');
  // The bit depth sits in the IHDR chunk, which the PNG format requires to come first.
  if (head[PNG_BIT_DEPTH_OFFSET] === 16) return readKittiDisparity(path);
  if (middleburyScale === undefined) {
    throw new FileFormatError(path, '8-bit disparity PNG needs its scale factor (Middlebury: e.g. 4 or 8; `hilbertq data show --middlebury-scale`, or the middleburyScale option of openDataset)');
  }
  return readMiddleburyDisparityPng(path, middleburyScale);
}
