import { readdirSync, statSync } from 'node:fs';
import { ConfigError, onFileSystem } from '../util/errors.js';
import { atomicWriteTarget } from '../util/fs.js';
import { isLockFile } from '../util/lock.js';

/** The command line that started a run, written beside config.json (a resume never replaces it). */
export const COMMAND_FILE = 'command.json';

/**
 * The arguments `experiment --train` started a run with, written into its folder before the
 * training starts (src/experiment/train-zoo.ts): a rerun must ask for the same.
 */
export const ARGS_FILE = 'experiment-args.json';

/**
 * What a run folder may hold before its config.json: what `train` writes (trainer.ts, and
 * checkpoint.ts's checkpoint/, checkpoint.old/, checkpoint.new/), and ARGS_FILE. A start killed
 * before config.json leaves some of these.
 */
const RUN_ENTRIES = new Set([
  'config.json',
  'metrics.jsonl',
  COMMAND_FILE,
  'checkpoint',
  'checkpoint.old',
  'checkpoint.new',
  'model',
  ARGS_FILE,
]);

/** A run's own entry, its lock, or writeFileAtomic's temporary of one (left by a kill mid-write). */
function isRunEntry(name: string): boolean {
  if (RUN_ENTRIES.has(name) || isLockFile(name)) return true;
  const target = atomicWriteTarget(name);
  return target !== null && RUN_ENTRIES.has(target);
}

/**
 * Refuses, before anything is written, a new run's --out that holds anything a run does not
 * write: a folder of unrelated files was written into, its files mixed with the run's. An
 * absent or empty folder is fine, and so is one that a run or `experiment --train` began (with
 * a config.json it holds a run, which only --resume continues: the trainer refuses it).
 */
export function refuseForeignRunFolder(runDir: string): void {
  const found = onFileSystem(runDir, 'read', () => statSync(runDir, { throwIfNoEntry: false }));
  if (!found) return;
  if (!found.isDirectory()) throw new ConfigError('--out', runDir, 'exists and is not a folder');
  const names = onFileSystem(runDir, 'read', () => readdirSync(runDir));
  if (names.includes('config.json')) return;
  const foreign = names.filter((name) => !isRunEntry(name)).sort();
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
  throw new ConfigError('--out', runDir, `is not empty and is not a training run folder (it holds ${shown}); train into a new or empty folder`);
}
