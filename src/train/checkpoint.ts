import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelGraph } from '../models/ir.js';
import { loadWeights, saveWeights, type ParamMap } from '../models/tfjs-build.js';
import { FileFormatError, onFileSystem } from '../util/errors.js';
import type { CodeProvenance } from '../util/provenance.js';
import { shown } from './config.js';
import { makeFolder, writeFileAtomic } from '../util/fs.js';

/**
 * RUN_DIR/checkpoint/ holds model.json + weights.bin (the model format), optimizer.bin (Adam's
 * moments, float32 LE, m then v in parameter order), state.json and, written last, the marker
 * file `complete`. A checkpoint is written into checkpoint.new and swapped in by two renames
 * (checkpoint -> checkpoint.old, checkpoint.new -> checkpoint). A kill at any moment leaves a
 * complete checkpoint in checkpoint/ or, between the renames, in checkpoint.old/; the next save
 * first moves that one back, and an old checkpoint is deleted only once a newer one is in place.
 */
export interface CheckpointState {
  /** Steps completed. */
  step: number;
  adamStep: number;
  /** Wall-clock seconds spent training up to this checkpoint (for ETA across resumes). */
  elapsedSeconds: number;
  /** Number of metrics.jsonl lines that belong to steps up to `step`. */
  metricsLines: number;
  /** The hilbertq code of each training segment so far (absent in checkpoints from before it was recorded). */
  code?: CodeProvenance[];
  /** Each resume of the run: its command line and the step it continued from. */
  resumes?: ResumeRecord[];
}

export interface ResumeRecord {
  command: string | null;
  fromStep: number;
}

const DIR = 'checkpoint';
const COMPLETE = 'complete';
const FILES = ['model.json', 'weights.bin', 'optimizer.bin', 'state.json', COMPLETE];

export function saveCheckpoint(
  runDir: string,
  graph: ModelGraph,
  params: ParamMap,
  moments: Float32Array[],
  state: CheckpointState,
): void {
  const target = join(runDir, DIR);
  const fresh = join(runDir, `${DIR}.new`);
  const old = join(runDir, `${DIR}.old`);
  if (!isComplete(target) && isComplete(old)) onFileSystem(target, 'restore the checkpoint', () => renameSync(old, target));
  onFileSystem(fresh, 'remove', () => rmSync(fresh, { recursive: true, force: true }));
  makeFolder(fresh);
  saveWeights(fresh, graph, params);
  const total = moments.reduce((s, m) => s + m.length, 0);
  const bin = new Float32Array(total);
  let offset = 0;
  for (const m of moments) {
    bin.set(m, offset);
    offset += m.length;
  }
  writeFileAtomic(join(fresh, 'optimizer.bin'), new Uint8Array(bin.buffer));
  writeFileAtomic(join(fresh, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
  writeFileAtomic(join(fresh, COMPLETE), '');
  onFileSystem(target, 'replace the checkpoint', () => {
    rmSync(old, { recursive: true, force: true });
    if (existsSync(target)) renameSync(target, old);
    renameSync(fresh, target);
    rmSync(old, { recursive: true, force: true });
  });
}

/** The last complete checkpoint, or null when the run has none. */
export function findCheckpoint(runDir: string): string | null {
  for (const name of [DIR, `${DIR}.old`]) {
    const dir = join(runDir, name);
    if (isComplete(dir)) return dir;
  }
  return null;
}

/**
 * The checkpoint a resume continues from: the last complete one, or null when the run stopped
 * before its first save (no checkpoint/ and no checkpoint.old/; a checkpoint.new/ is a save the
 * kill cut short), so that it trains again from step 0. A checkpoint/ (or checkpoint.old/) that
 * is there but incomplete, with no complete one beside it, is no state a kill leaves (`complete`
 * is written before the folder moves in): it was damaged, and is refused in one line. Training
 * from step 0 instead wiped metrics.jsonl without a word.
 */
export function checkpointToResume(runDir: string): string | null {
  const found = findCheckpoint(runDir);
  if (found) return found;
  for (const name of [DIR, `${DIR}.old`]) {
    const dir = join(runDir, name);
    const stat = onFileSystem(dir, 'read', () => statSync(dir, { throwIfNoEntry: false }));
    if (!stat) continue;
    const missing = FILES.filter((f) => !existsSync(join(dir, f))).map((f) => (f === COMPLETE ? `the marker file '${COMPLETE}'` : f));
    const problem = stat.isDirectory() ? `is incomplete (missing ${missing.join(', ')})` : 'is not a folder';
    throw new FileFormatError(dir, `${problem}: the run cannot resume from it; move it away to train the run again from step 0`);
  }
  return null;
}

function isComplete(dir: string): boolean {
  return FILES.every((f) => existsSync(join(dir, f)));
}

/**
 * The run's `steps` bounds a checkpoint's step: a state.json edited to 1e9 published a 120-step
 * model as done. The small files are checked before the weights become tensors, so a refusal
 * leaves none allocated.
 */
export function loadCheckpoint(dir: string, momentShapes: number[][], steps: number): {
  params: ParamMap;
  graph: ModelGraph;
  moments: Float32Array[];
  state: CheckpointState;
} {
  const stateFile = join(dir, 'state.json');
  let state: CheckpointState;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as CheckpointState;
  } catch (err) {
    throw new FileFormatError(stateFile, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  checkState(state, stateFile, steps);
  const file = join(dir, 'optimizer.bin');
  const raw = onFileSystem(file, 'read', () => readFileSync(file));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const sizes = momentShapes.map((s) => s.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (all.length !== total) throw new FileFormatError(file, `holds ${all.length} values, expected ${total}`);
  const moments: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    moments.push(all.slice(offset, offset + size));
    offset += size;
  }
  const { graph, params } = loadWeights(dir);
  return { params, graph, moments, state };
}

/** The fields of state.json the trainer counts with, each refused in one line naming the file. */
function checkState(state: CheckpointState, file: string, steps: number): void {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new FileFormatError(file, 'does not hold a checkpoint state object');
  const integer = (field: 'step' | 'adamStep' | 'metricsLines', max: number, why: string): void => {
    const v: unknown = state[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      throw new FileFormatError(file, `invalid ${field} = ${shown(v)}: must be an integer in 0..${max}${why}`);
    }
  };
  integer('step', steps, " (the run's steps in config.json)");
  integer('adamStep', Number.MAX_SAFE_INTEGER, '');
  integer('metricsLines', Number.MAX_SAFE_INTEGER, '');
  if (typeof state.elapsedSeconds !== 'number' || !(state.elapsedSeconds >= 0)) {
    throw new FileFormatError(file, `invalid elapsedSeconds = ${shown(state.elapsedSeconds)}: must be a number >= 0`);
  }
  for (const field of ['code', 'resumes'] as const) {
    if (state[field] !== undefined && !Array.isArray(state[field])) throw new FileFormatError(file, `invalid ${field}: must be a list`);
  }
}
