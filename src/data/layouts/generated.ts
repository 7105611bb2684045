import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '../../util/errors.js';
import { IN_PROGRESS_NAME, MANIFEST_NAME, readManifest } from '../manifest.js';
import { FileListDataset } from './file-list.js';

export function isGeneratedFolder(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_NAME));
}

/**
 * A `data generate` that was interrupted leaves its in-progress record and no manifest (the
 * manifest is written last); such a folder is named as what it is, not as an unknown layout.
 */
export function checkNotInterrupted(dir: string): void {
  if (!isGeneratedFolder(dir) && existsSync(join(dir, IN_PROGRESS_NAME))) {
    throw new FileFormatError(dir, 'incomplete: an interrupted `hilbertq data generate`; rerun it with the same options');
  }
}

/** A folder written by `hilbertq data generate`; the manifest is checked before any sample is read. */
export function openGeneratedDataset(dir: string): FileListDataset {
  checkNotInterrupted(dir);
  const manifest = readManifest(dir);
  const items = manifest.samples.map((e) => ({
    left: join(dir, e.left),
    right: join(dir, e.right),
    disp: join(dir, e.disp),
    occ: { kind: 'mask' as const, path: join(dir, e.occ) },
  }));
  return new FileListDataset(`generated:${dir}`, items, undefined, manifest.generator.options.maxDisp, [join(dir, MANIFEST_NAME)]);
}
