import { ConfigError, FileFormatError } from '../util/errors.js';
import { checkNotInterrupted, isGeneratedFolder, openGeneratedDataset } from './layouts/generated.js';
import { isKittiFolder, openKittiDataset } from './layouts/kitti.js';
import { isMiddleburyCollection, isMiddleburyScene, openMiddleburyDataset } from './layouts/middlebury.js';
import { openPairDataset } from './layouts/pair.js';
import { isDirectory } from './layouts/folder-util.js';
import type { StereoDataset } from './types.js';

export type DatasetFormat = 'generated' | 'middlebury' | 'kitti' | 'pair';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['generated', 'middlebury', 'kitti', 'pair'];

export interface OpenDatasetOptions {
  format?: DatasetFormat;
  /** Scale of 8-bit Middlebury disparity PNGs (stored value = disparity * scale). */
  middleburyScale?: number;
}

function detectFormat(dir: string): DatasetFormat {
  if (isGeneratedFolder(dir)) return 'generated';
  if (isKittiFolder(dir)) return 'kitti';
  if (isMiddleburyScene(dir) || isMiddleburyCollection(dir)) return 'middlebury';
  checkNotInterrupted(dir);
  throw new FileFormatError(dir, 'unknown dataset layout (expected manifest.json, im0.png/im1.png, or image_2/ and image_3/)');
}

/**
 * Open a stereo dataset: a folder (layout auto-detected or named by `format`) or an explicit
 * left/right(/disparity) file triple.
 */
export function openDataset(pathOrPaths: string | { left: string; right: string; disp?: string }, opts: OpenDatasetOptions = {}): StereoDataset {
  const { format, middleburyScale } = opts;
  if (format !== undefined && !DATASET_FORMATS.includes(format)) {
    throw new ConfigError('format', format, `must be one of ${DATASET_FORMATS.join(', ')}`);
  }
  if (typeof pathOrPaths !== 'string') {
    if (format !== undefined && format !== 'pair') throw new ConfigError('format', format, 'a left/right file pair is format "pair"');
    return openPairDataset(pathOrPaths, middleburyScale);
  }
  const dir = pathOrPaths;
  if (format === 'pair') throw new ConfigError('format', format, `needs left and right image files, not the folder ${dir}`);
  if (!isDirectory(dir)) throw new FileFormatError(dir, 'not a folder (pass left and right image files for a single pair)');
  switch (format ?? detectFormat(dir)) {
    case 'generated':
      return openGeneratedDataset(dir);
    case 'kitti':
      return openKittiDataset(dir);
    case 'middlebury':
      return openMiddleburyDataset(dir, middleburyScale);
    default:
      throw new ConfigError('format', format, 'unsupported');
  }
}
