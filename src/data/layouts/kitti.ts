import { basename, join } from 'node:path';
import { FileFormatError } from '../../util/errors.js';
import type { SamplePaths } from '../sample-io.js';
import { FileListDataset } from './file-list.js';
import { isDirectory, isFile, listSorted } from './folder-util.js';

/** KITTI 2015 and KITTI 2012 folder names. */
const LAYOUTS = [
  { left: 'image_2', right: 'image_3', occ: 'disp_occ_0', noc: 'disp_noc_0' },
  { left: 'colored_0', right: 'colored_1', occ: 'disp_occ', noc: 'disp_noc' },
] as const;

/** KITTI ground truth exists for the reference frame "_10"; "_11" is the next video frame. */
const REFERENCE_FRAME = /_10\.png$/;

function layoutOf(dir: string): (typeof LAYOUTS)[number] | undefined {
  return LAYOUTS.find((l) => isDirectory(join(dir, l.left)) && isDirectory(join(dir, l.right)));
}

export function isKittiFolder(dir: string): boolean {
  return layoutOf(dir) !== undefined;
}

/** A KITTI training or testing folder; the disparity folders are optional (testing has none). */
export function openKittiDataset(dir: string): FileListDataset {
  const layout = layoutOf(dir);
  if (!layout) throw new FileFormatError(dir, 'not a KITTI folder: expected image_2/ and image_3/ (or colored_0/ and colored_1/)');
  const leftDir = join(dir, layout.left);
  const pngs = listSorted(leftDir, (n) => n.toLowerCase().endsWith('.png'));
  const frames = pngs.some((n) => REFERENCE_FRAME.test(n)) ? pngs.filter((n) => REFERENCE_FRAME.test(n)) : pngs;
  if (frames.length === 0) throw new FileFormatError(leftDir, 'no PNG images in the KITTI left-image folder');
  const occDir = join(dir, layout.occ);
  const nocDir = join(dir, layout.noc);
  const hasGt = isDirectory(occDir);
  const hasNoc = hasGt && isDirectory(nocDir);
  const items: SamplePaths[] = frames.map((name) => {
    const item: SamplePaths = { left: join(leftDir, name), right: join(dir, layout.right, name) };
    if (hasGt) item.disp = join(occDir, name);
    if (hasNoc) item.occ = { kind: 'kitti-noc', path: join(nocDir, name) };
    return item;
  });
  // A listed pair with a missing piece fails now, naming the file, rather than mid-training.
  for (const item of items) {
    for (const path of [item.right, item.disp, item.occ?.path]) {
      if (path !== undefined && !isFile(path)) throw new FileFormatError(path, `missing (the KITTI folder ${dir} has ${basename(item.left)} in ${layout.left}/)`);
    }
  }
  return new FileListDataset(`kitti:${basename(dir)}`, items);
}
