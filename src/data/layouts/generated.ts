import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_NAME, readManifest } from '../manifest.js';
import { FileListDataset } from './file-list.js';

export function isGeneratedFolder(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_NAME));
}

/** A folder written by `hilbertq data generate`; the manifest is checked before any sample is read. */
export function openGeneratedDataset(dir: string): FileListDataset {
  const manifest = readManifest(dir);
  const items = manifest.samples.map((e) => ({
    left: join(dir, e.left),
    right: join(dir, e.right),
    disp: join(dir, e.disp),
    occ: { kind: 'mask' as const, path: join(dir, e.occ) },
  }));
  return new FileListDataset(`generated:${dir}`, items, undefined, manifest.generator.options.maxDisp);
}
