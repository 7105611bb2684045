import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, FileFormatError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { isLockFile, lockFolder } from '../util/lock.js';
import { writePfm } from './formats/pfm.js';
import { writeMaskPng, writePng } from './formats/image.js';
import { GENERATOR_VERSION, IN_PROGRESS_NAME, MANIFEST_FORMAT, MANIFEST_NAME, readManifest, sampleEntry, writeManifest, type GeneratorRecord } from './manifest.js';
import { isDirectory } from './layouts/folder-util.js';
import { SyntheticStereo } from './synthetic/generator.js';
import type { SyntheticOptions } from './types.js';

export interface GenerateOptions extends SyntheticOptions {
  out: string;
  count: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  written: number;
  /** Samples already complete from an interrupted earlier run with the same options. */
  skipped: number;
  manifestPath: string;
}

// Defined beside the manifest, so dataset readers can name an interrupted folder without the generator.
export { IN_PROGRESS_NAME };
const SUBFOLDERS = ['left', 'right', 'disp', 'occ'] as const;
/**
 * The most pairs one folder holds. Its manifest is one JSON string of about 150 bytes a pair, and
 * V8 cannot build a string past 2^29 characters: at 4,000,000 pairs writing it failed, after
 * every pair was rendered. A million pairs make a 150 MB manifest.
 */
export const MAX_COUNT = 1_000_000;

function sameGenerator(a: GeneratorRecord, b: GeneratorRecord): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Decide whether `out` may be written: a new or empty folder, or one that holds (part of) a
 * dataset made with exactly these options, which is then resumed or extended.
 */
function checkOutputFolder(out: string, generator: GeneratorRecord): void {
  if (!existsSync(out)) return;
  if (!isDirectory(out)) throw new ConfigError('--out', out, 'exists and is not a folder');
  const marker = join(out, IN_PROGRESS_NAME);
  let previous: GeneratorRecord | undefined;
  if (existsSync(marker)) {
    try {
      previous = JSON.parse(readFileSync(marker, 'utf8')) as GeneratorRecord;
    } catch {
      throw new FileFormatError(marker, 'unreadable generation record; delete the folder to start over');
    }
  } else if (existsSync(join(out, MANIFEST_NAME))) {
    previous = readManifest(out, false).generator;
  } else if (readdirSync(out).some((name) => !isLockFile(name))) {
    throw new ConfigError('--out', out, 'is not empty and holds no hilbertq dataset; refusing to write into it');
  }
  if (previous && !sameGenerator(previous, generator)) {
    throw new ConfigError('--out', out, 'holds a dataset generated with other options (or generator version); choose another folder or delete it');
  }
}

/** writeFileAtomic leaves ".name.pid.tmp" files behind only if the process died mid-write. */
function removeStaleTemporaries(out: string): void {
  for (const sub of SUBFOLDERS) {
    const dir = join(out, sub);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (name.startsWith('.') && name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
  }
}

/**
 * Write `count` synthetic samples and a manifest. Resumable: every file is written atomically and
 * the manifest last, so an interrupted run leaves no manifest pointing at missing files, and a
 * rerun with the same options skips the samples already complete (they are deterministic).
 */
export function generateDataset(opts: GenerateOptions): GenerateResult {
  const run = generation(opts);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/**
 * generateDataset, handing the event loop a turn after each pair: a synchronous loop over
 * thousands of pairs let no SIGINT or SIGTERM handler run, so Ctrl-C killed the process by the
 * signal's default action and left the folder's lock behind. Same files, byte for byte.
 */
export async function generateDatasetYielding(opts: GenerateOptions): Promise<GenerateResult> {
  const run = generation(opts);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The generation, pausing (yield) between pairs; never between the files of one pair. */
function* generation(opts: GenerateOptions): Generator<void, GenerateResult> {
  const { out, count, onProgress, ...synthetic } = opts;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new ConfigError('--count', count, `must be an integer in [1, ${MAX_COUNT}]`);
  }
  const generator = new SyntheticStereo(synthetic);
  const { scenes, ...options } = generator.options;
  const record: GeneratorRecord = { name: 'synthetic', version: GENERATOR_VERSION, options: scenes === 'mixed' ? options : { ...options, scenes } };
  if (existsSync(out) && !isDirectory(out)) throw new ConfigError('--out', out, 'exists and is not a folder');
  // One writer per dataset folder: two generators would interleave their files and manifests.
  // The folder is checked under the lock, so what it holds cannot change between check and write.
  // A process.exit while paused (a signal) skips this `finally`: util/lock.ts releases on exit.
  const release = lockFolder(out);
  try {
    checkOutputFolder(out, record);
    return yield* generateLocked(out, count, generator, record, onProgress);
  } finally {
    release();
  }
}

function* generateLocked(out: string, count: number, generator: SyntheticStereo, record: GeneratorRecord, onProgress: GenerateOptions['onProgress']): Generator<void, GenerateResult> {
  writeFileAtomic(join(out, IN_PROGRESS_NAME), JSON.stringify(record));
  removeStaleTemporaries(out);

  let written = 0;
  let skipped = 0;
  const samples = [];
  for (let i = 0; i < count; i++) {
    const entry = sampleEntry(i);
    samples.push(entry);
    const paths = SUBFOLDERS.map((sub) => join(out, entry[sub]));
    if (paths.every((p) => existsSync(p))) {
      skipped++;
    } else {
      const s = generator.sample(i);
      const image = (data: Uint8Array) => ({ width: s.width, height: s.height, data });
      writePng(paths[0], image(s.left));
      writePng(paths[1], image(s.right));
      writePfm(paths[2], { width: s.width, height: s.height, channels: 1, data: s.disp });
      writeMaskPng(paths[3], s.width, s.height, s.occ);
      written++;
    }
    onProgress?.(i + 1, count);
    // Stopped here, the folder keeps its in-progress record and no new manifest: a rerun resumes it.
    yield;
  }
  writeManifest(out, { format: MANIFEST_FORMAT, version: 1, generator: record, count, samples });
  rmSync(join(out, IN_PROGRESS_NAME), { force: true });
  return { written, skipped, manifestPath: join(out, MANIFEST_NAME) };
}
