import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FileFormatError } from '../../util/errors.js';
import type { SamplePaths } from '../sample-io.js';
import { FileListDataset } from './file-list.js';
import { firstExisting, isDirectory, isFile, listSorted } from './folder-util.js';

const DISP_NAMES = ['disp0GT.pfm', 'disp0.pfm'];
const NOCC_MASK = 'mask0nocc.png';

export function isMiddleburyScene(dir: string): boolean {
  return isFile(join(dir, 'im0.png')) && isFile(join(dir, 'im1.png'));
}

/** A folder of scene folders (e.g. MiddEval3/trainingQ). */
export function isMiddleburyCollection(dir: string): boolean {
  return sceneFolders(dir).length > 0;
}

function sceneFolders(dir: string): string[] {
  return listSorted(dir, (name) => isDirectory(join(dir, name)) && isMiddleburyScene(join(dir, name))).map((n) => join(dir, n));
}

function sceneItem(dir: string): SamplePaths {
  const disp = firstExisting(dir, DISP_NAMES, join);
  const nocc = join(dir, NOCC_MASK);
  return {
    left: join(dir, 'im0.png'),
    right: join(dir, 'im1.png'),
    disp,
    occ: disp && isFile(nocc) ? { kind: 'middlebury-nocc', path: nocc } : undefined,
  };
}

/** calib.txt states the disparity search range as ndisp=N; it only sets the preview colour scale. */
function readNdisp(dir: string): number | undefined {
  const path = join(dir, 'calib.txt');
  if (!isFile(path)) return undefined;
  const match = /^\s*ndisp\s*=\s*(\d+(?:\.\d+)?)/m.exec(readFileSync(path, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

/** One Middlebury scene folder (im0.png, im1.png, disp0GT.pfm), or a folder of them. */
export function openMiddleburyDataset(dir: string, middleburyScale?: number): FileListDataset {
  const scenes = isMiddleburyScene(dir) ? [dir] : sceneFolders(dir);
  if (scenes.length === 0) {
    throw new FileFormatError(dir, 'not a Middlebury folder: no im0.png and im1.png in it or in its subfolders');
  }
  const ndisp = scenes.map(readNdisp).filter((n): n is number => n !== undefined);
  const maxDisp = ndisp.length ? Math.max(...ndisp) : undefined;
  return new FileListDataset(`middlebury:${basename(dir)}`, scenes.map(sceneItem), middleburyScale, maxDisp);
}
