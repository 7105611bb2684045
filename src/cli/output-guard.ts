import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { StereoDataset } from '../data/types.js';
import { FileListDataset } from '../data/layouts/file-list.js';
import { ConfigError } from '../util/errors.js';

/** The file a path names once symlinks are resolved (through its folder, for a file not there yet). */
function resolvedPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * Refuses, before any work, an output that is one of the run's inputs: `infer --data DS --out
 * DS/disp` wrote its predictions over the ground truth, `--png` over a left image, and a second
 * `--eval` then scored the model against itself.
 */
export function refuseOverwritingInputs(outputs: readonly { flag: string; path: string }[], inputs: readonly string[]): void {
  const byFile = new Map(inputs.map((input) => [resolvedPath(input), input]));
  for (const { flag, path } of outputs) {
    const input = byFile.get(resolvedPath(path));
    if (input !== undefined) throw new ConfigError(flag, path, `would be written over ${input}, an input of this run`);
  }
}

/** Every file a dataset reads (images, ground truth, occlusion masks), where it is a list of files. */
export function datasetFiles(dataset: StereoDataset): string[] {
  if (!(dataset instanceof FileListDataset)) return [];
  const files: string[] = [];
  for (let i = 0; i < dataset.length; i++) {
    const { left, right, disp, occ } = dataset.paths(i);
    files.push(left, right, ...(disp ? [disp] : []), ...(occ ? [occ.path] : []));
  }
  return files;
}
