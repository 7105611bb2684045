import { basename } from 'node:path';
import { FileFormatError } from '../../util/errors.js';
import type { SamplePaths } from '../sample-io.js';
import { FileListDataset } from './file-list.js';
import { isFile } from './folder-util.js';

/** Two image files and an optional ground truth, as given on a command line: a dataset of one. */
export function openPairDataset(paths: SamplePaths, middleburyScale?: number): FileListDataset {
  for (const path of [paths.left, paths.right, paths.disp]) {
    if (path !== undefined && !isFile(path)) throw new FileFormatError(path, 'file not found');
  }
  return new FileListDataset(`pair:${basename(paths.left)}`, [{ left: paths.left, right: paths.right, disp: paths.disp }], middleburyScale);
}
