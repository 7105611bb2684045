import { basename, dirname, extname } from 'node:path';
import { FileListDataset } from './layouts/file-list.js';
import type { StereoDataset } from './types.js';

/**
 * A file-name stem per sample, for writing one output per pair: the left image's name
 * (000000_10 for KITTI, the scene folder for Middlebury's im0.png), or the zero-padded index
 * when the dataset has no files or two samples would share a name.
 */
export function sampleNames(dataset: StereoDataset): string[] {
  const byIndex = Array.from({ length: dataset.length }, (_, i) => String(i).padStart(6, '0'));
  if (!(dataset instanceof FileListDataset)) return byIndex;
  const names = byIndex.map((_, i) => fileStem(dataset.paths(i).left));
  return new Set(names).size === names.length && names.every((n) => n !== '') ? names : byIndex;
}

function fileStem(left: string): string {
  const stem = basename(left, extname(left));
  // Every Middlebury scene calls its left view im0: the folder is the scene's name.
  const name = /^im0$/i.test(stem) ? basename(dirname(left)) : stem;
  return name.replace(/[^\w.-]/g, '_').replace(/^\.+/, '');
}
