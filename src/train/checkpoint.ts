import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelGraph } from '../models/ir.js';
import { loadWeights, saveWeights, type ParamMap } from '../models/tfjs-build.js';
import { FileFormatError, onFileSystem } from '../util/errors.js';
import type { CodeProvenance } from '../util/provenance.js';
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

function isComplete(dir: string): boolean {
  return FILES.every((f) => existsSync(join(dir, f)));
}

export function loadCheckpoint(dir: string, momentShapes: number[][]): {
  params: ParamMap;
  graph: ModelGraph;
  moments: Float32Array[];
  state: CheckpointState;
} {
  const { graph, params } = loadWeights(dir);
  const file = join(dir, 'optimizer.bin');
  const raw = readFileSync(file);
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
  const stateFile = join(dir, 'state.json');
  let state: CheckpointState;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as CheckpointState;
  } catch (err) {
    throw new FileFormatError(stateFile, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return { params, graph, moments, state };
}
