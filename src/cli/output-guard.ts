import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { StereoDataset } from '../data/types.js';
import { FileListDataset } from '../data/layouts/file-list.js';
import { ConfigError } from '../util/errors.js';

/**
 * Where a path's file is once its folder's symlinks are resolved, the folders' real paths cached:
 * a dataset of 100,000 pairs took 24 s with a realpath per file. A file that is itself a symlink
 * is taken where it stands: the outputs are written beside themselves and renamed over, which
 * replaces such a link, not its target.
 */
function inFolder(path: string, folders: Map<string, string>): string {
  const dir = resolve(dirname(path));
  let real = folders.get(dir);
  if (real === undefined) {
    try {
      real = realpathSync(dir);
    } catch {
      real = dir;
    }
    folders.set(dir, real);
  }
  return join(real, basename(path));
}

/**
 * Refuses, before any work, an output that is one of the run's inputs: `infer --data DS --out
 * DS/disp` wrote its predictions over the ground truth, `--png` over a left image, and a second
 * `--eval` then scored the model against itself.
 */
export function refuseOverwritingInputs(outputs: readonly { flag: string; path: string }[], inputs: readonly string[]): void {
  const folders = new Map<string, string>();
  const byFile = new Map(inputs.map((input) => [inFolder(input, folders), input]));
  for (const { flag, path } of outputs) {
    const input = byFile.get(inFolder(path, folders));
    if (input !== undefined) throw new ConfigError(flag, path, `would be written over ${input}, an input of this run`);
  }
}

/**
 * Refuses, before any work, an output folder that is replaced whole (infer --data) while it
 * holds one of the run's inputs, symlinked folders resolved as refuseOverwritingInputs does.
 */
export function refuseInputsInside(folder: string, inputs: readonly string[], flag: string): void {
  const folders = new Map<string, string>();
  const target = existsSync(folder) ? realpathSync(folder) : resolve(folder);
  for (const input of inputs) {
    const real = inFolder(input, folders);
    if (real !== target && holds(target, real)) throw new ConfigError(flag, folder, `holds ${input}, an input of this run, and would be replaced`);
  }
}

/** Whether `path` is `folder` or lies inside it (both absolute). */
export function holds(folder: string, path: string): boolean {
  const up = relative(folder, path);
  return up === '' || !(up === '..' || up.startsWith('../'));
}

/** Every file a dataset reads (its manifest, images, ground truth, occlusion masks), where it is a list of files. */
export function datasetFiles(dataset: StereoDataset): string[] {
  if (!(dataset instanceof FileListDataset)) return [];
  const files: string[] = [...dataset.indexFiles];
  for (let i = 0; i < dataset.length; i++) {
    const { left, right, disp, occ } = dataset.paths(i);
    files.push(left, right, ...(disp ? [disp] : []), ...(occ ? [occ.path] : []));
  }
  return files;
}

/**
 * Refuses, before any work, an output whose folder cannot be made because a file stands on its
 * path: `infer --png x.png/v.png` used to write the PFM, run for nothing, then fail on the picture.
 */
export function refuseFileOnPath(output: string, flag: string): void {
  for (let d = dirname(resolve(output)); ; d = dirname(d)) {
    if (existsSync(d)) {
      if (!statSync(d).isDirectory()) throw new ConfigError(flag, output, `${d} is a file, not a folder`);
      return;
    }
    if (dirname(d) === d) return;
  }
}
