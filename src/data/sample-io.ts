import { FileFormatError } from '../util/errors.js';
import { readDisparityFile } from './formats/disparity.js';
import { decodePngFile } from './formats/png.js';
import { readImage, readMaskPng } from './formats/image.js';
import type { DisparityMap, StereoSample } from './types.js';

/**
 * Where occlusion comes from: a 0/255 mask (ours), Middlebury's mask0nocc.png (128 = occluded),
 * or KITTI's non-occluded disparity map (occluded = valid in disp_occ but not in disp_noc).
 */
export type OcclusionSource =
  | { kind: 'mask'; path: string }
  | { kind: 'middlebury-nocc'; path: string }
  | { kind: 'kitti-noc'; path: string };

/** Where one sample's files are. */
export interface SamplePaths {
  left: string;
  right: string;
  disp?: string;
  occ?: OcclusionSource;
}

/** Middlebury's nocc mask marks occluded pixels with this grey level. */
const MIDDLEBURY_OCCLUDED = 128;

function checkSize(path: string, what: string, width: number, height: number, leftPath: string, lw: number, lh: number): void {
  if (width !== lw || height !== lh) {
    throw new FileFormatError(path, `${what} is ${width}x${height} but the left view ${leftPath} is ${lw}x${lh}`);
  }
}

function readOcclusion(source: OcclusionSource, gt: DisparityMap, leftPath: string, middleburyScale?: number): Uint8Array {
  const { width, height } = gt;
  if (source.kind === 'mask') {
    const m = readMaskPng(source.path);
    checkSize(source.path, 'occlusion mask', m.width, m.height, leftPath, width, height);
    return m.mask;
  }
  if (source.kind === 'middlebury-nocc') {
    const png = decodePngFile(source.path);
    checkSize(source.path, 'occlusion mask', png.width, png.height, leftPath, width, height);
    const occ = new Uint8Array(width * height);
    for (let i = 0; i < occ.length; i++) occ[i] = png.data[i * png.channels] === MIDDLEBURY_OCCLUDED ? 1 : 0;
    return occ;
  }
  const noc = readDisparityFile(source.path, middleburyScale);
  checkSize(source.path, 'non-occluded disparity map', noc.width, noc.height, leftPath, width, height);
  const occ = new Uint8Array(width * height);
  for (let i = 0; i < occ.length; i++) occ[i] = gt.valid[i] && !noc.valid[i] ? 1 : 0;
  return occ;
}

/** Load images and ground truth, refusing pairs whose pieces do not line up. */
export function loadSample(paths: SamplePaths, middleburyScale?: number): StereoSample {
  const left = readImage(paths.left);
  const right = readImage(paths.right);
  checkSize(paths.right, 'right view', right.width, right.height, paths.left, left.width, left.height);
  const { width, height } = left;
  if (!paths.disp) return { width, height, left: left.data, right: right.data, disp: null, valid: null, occ: null };
  const gt = readDisparityFile(paths.disp, middleburyScale);
  checkSize(paths.disp, 'disparity map', gt.width, gt.height, paths.left, width, height);
  const occ = paths.occ ? readOcclusion(paths.occ, gt, paths.left, middleburyScale) : null;
  return { width, height, left: left.data, right: right.data, disp: gt.disp, valid: gt.valid, occ };
}
