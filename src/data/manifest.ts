import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { FileFormatError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import type { ResolvedSyntheticOptions } from './options.js';

export const MANIFEST_NAME = 'manifest.json';
/** Present while `data generate` runs, in place of the manifest (written last): which options the files on disk belong to. */
export const IN_PROGRESS_NAME = '.hilbertq-generate.json';
export const MANIFEST_FORMAT = 'hilbertq-stereo';
/** The largest manifest read: V8's strings end near 2^29 characters, and a million pairs need about 150 MiB. */
export const MAX_MANIFEST_BYTES = 512 * 2 ** 20;
/** Bump when the generator's output for a given (seed, index) changes, so old folders are not mixed with new samples. */
export const GENERATOR_VERSION = 1;

export interface ManifestEntry {
  left: string;
  right: string;
  disp: string;
  occ: string;
}

export interface GeneratorRecord {
  name: 'synthetic';
  version: number;
  /** `scenes` is left out for mixed scenes, so records from before scene styles still match. */
  options: Omit<ResolvedSyntheticOptions, 'scenes'> & { scenes?: ResolvedSyntheticOptions['scenes'] };
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  generator: GeneratorRecord;
  count: number;
  /** Paths relative to the dataset folder. */
  samples: ManifestEntry[];
}

export function sampleEntry(index: number): ManifestEntry {
  const stem = String(index).padStart(6, '0');
  return { left: `left/${stem}.png`, right: `right/${stem}.png`, disp: `disp/${stem}.pfm`, occ: `occ/${stem}.png` };
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileAtomic(join(dir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
}

function isEntry(value: unknown): value is ManifestEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  // An empty path names the dataset folder itself.
  return ['left', 'right', 'disp', 'occ'].every((k) => typeof v[k] === 'string' && v[k] !== '');
}

/**
 * Read a manifest and check that it is ours, well formed, and (unless told not to) that every
 * listed file exists.
 */
export function readManifest(dir: string, checkFiles = true): Manifest {
  const path = join(dir, MANIFEST_NAME);
  // Checked before reading: a manifest past V8's string limit cannot be parsed, and reading one
  // took more than its size in memory before failing.
  const size = existsSync(path) ? statSync(path).size : 0;
  if (size > MAX_MANIFEST_BYTES) {
    throw new FileFormatError(path, `is too large for a manifest (${(size / 2 ** 20).toFixed(0)} MiB, over the ${MAX_MANIFEST_BYTES / 2 ** 20} MiB read; a million pairs, the most data generate writes, take about 150 MiB)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(err as Error).message})`;
    throw new FileFormatError(path, reason);
  }
  const m = parsed as Partial<Manifest>;
  if (typeof m !== 'object' || m === null || m.format !== MANIFEST_FORMAT) {
    throw new FileFormatError(path, `not a ${MANIFEST_FORMAT} manifest`);
  }
  // A later format may list its files differently: read as version 1 they would be misread.
  if (m.version !== 1) throw new FileFormatError(path, `is manifest version ${JSON.stringify(m.version)}; this hilbertq reads version 1`);
  if (!Array.isArray(m.samples) || !m.samples.every(isEntry) || m.count !== m.samples.length) {
    throw new FileFormatError(path, 'malformed manifest: "samples" must list {left, right, disp, occ} and match "count"');
  }
  if (typeof m.generator?.options?.maxDisp !== 'number') {
    throw new FileFormatError(path, 'malformed manifest: "generator.options" is missing');
  }
  for (const entry of checkFiles ? m.samples : []) {
    for (const rel of [entry.left, entry.right, entry.disp, entry.occ]) {
      if (isAbsolute(rel) || normalize(rel).startsWith('..')) {
        throw new FileFormatError(path, `lists "${rel}", which is outside the dataset folder`);
      }
      if (!existsSync(join(dir, rel))) throw new FileFormatError(path, `lists ${join(dir, rel)}, which does not exist`);
    }
  }
  return m as Manifest;
}
