import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, onFileSystem } from '../util/errors.js';
import { makeFolder, writeFileAtomic } from '../util/fs.js';
import { processAlive } from '../util/lock.js';
import { holds, refuseFileOnPath } from './output-guard.js';

/** What a folder's record says it was written with: the files the run put there. */
interface FolderRecord {
  files: string[];
}

/**
 * An output folder written as a whole (`infer --data`): the files go to a staging folder beside
 * it, which takes the target's place only once every file is written. A run that fails, or is
 * killed, leaves the target as it was: before, a failure at pair 3 left pairs 1-2 in the folder
 * with nothing saying the run was incomplete, and a second run into the same folder mixed its
 * files with the first one's.
 *
 * The target must be new, empty, or a folder an earlier run wrote and nobody changed since: its
 * `record` file lists exactly the other files it holds. That folder is then replaced whole; any
 * other is refused, since replacing it would delete files this command did not write.
 */
export class StagedFolder {
  private made = false;
  private readonly files = new Set<string>();
  /** A process.exit mid-run (the signal guard's, on Ctrl-C) removes the staging too. */
  private readonly onExit = (): void => this.discard();

  private constructor(
    readonly target: string,
    private readonly record: string,
    private readonly flag: string,
    private readonly staging: string,
  ) {}

  /** Checks the target for `flag` before any work, and tidies what killed runs left beside it. */
  static open(target: string, record: string, flag: string): StagedFolder {
    const full = resolve(target);
    // The folder is renamed away at the end: the working directory or one above it cannot be.
    if (holds(full, process.cwd())) throw new ConfigError(flag, target, 'is the working folder or holds it; name a folder inside it');
    refuseFileOnPath(target, flag);
    checkReplaceable(target, record, flag);
    const parent = dirname(full);
    const prefix = `.${basename(full)}.staging-`;
    tidyStagings(parent, prefix, full);
    // A token as well as the pid: after a container restart the pid of a killed run repeats.
    return new StagedFolder(target, record, flag, join(parent, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`));
  }

  /** Where to write the file `name` of the folder (the staging folder, made on first use). */
  path(name: string): string {
    if (!this.made) {
      makeFolder(dirname(this.staging));
      // Not mkdir -p: a staging folder that exists is not this run's.
      onFileSystem(this.staging, 'create the folder', () => mkdirSync(this.staging));
      process.once('exit', this.onExit);
      this.made = true;
    }
    this.files.add(name);
    return join(this.staging, name);
  }

  /**
   * Writes the record and puts the staging folder in the target's place; the old folder is
   * checked again (a long run gives time to add files to it) and removed only once the new one
   * is in place, or moved back if that fails.
   */
  commit(recordFields: object): void {
    const files = [...this.files].sort();
    writeFileAtomic(this.path(this.record), `${JSON.stringify({ ...recordFields, files }, null, 2)}\n`);
    checkReplaceable(this.target, this.record, this.flag);
    process.off('exit', this.onExit);
    const old = `${this.staging}-replaced`;
    const hadTarget = existsSync(this.target);
    if (hadTarget) onFileSystem(this.target, 'move aside', () => renameSync(this.target, old));
    try {
      onFileSystem(this.target, 'write', () => renameSync(this.staging, this.target));
    } catch (err) {
      if (hadTarget) renameSync(old, this.target);
      throw err;
    }
    rmSync(old, { recursive: true, force: true });
  }

  /** Removes what was staged: the target stays as it was. */
  discard(): void {
    process.off('exit', this.onExit);
    rmSync(this.staging, { recursive: true, force: true });
  }
}

/** Refuses a target that is a file, or a non-empty folder whose record does not list exactly what it holds. */
function checkReplaceable(target: string, record: string, flag: string): void {
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) throw new ConfigError(flag, target, 'is a file; name a folder');
  const present = readdirSync(target).sort();
  if (present.length === 0) return;
  const listed = readRecord(join(target, record));
  if (!listed) throw new ConfigError(flag, target, `is a folder holding other files (no ${record}); name a new or empty folder, or one an earlier run wrote, which is replaced`);
  const others = present.filter((f) => f !== record && !listed.files.includes(f));
  if (others.length > 0) throw new ConfigError(flag, target, `holds files its ${record} does not list (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}); move them away, or name another folder`);
}

function readRecord(file: string): FolderRecord | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<FolderRecord>;
    return Array.isArray(parsed.files) && parsed.files.every((f) => typeof f === 'string') ? (parsed as FolderRecord) : null;
  } catch {
    return null;
  }
}

/**
 * Stagings of dead processes beside the target: removed, except an old target a kill caught
 * between commit's two renames, which goes back in place when the target is missing.
 */
function tidyStagings(parent: string, prefix: string, target: string): void {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!(pid > 0) || processAlive(pid)) continue;
    const path = join(parent, name);
    if (name.endsWith('-replaced') && !existsSync(target)) renameSync(path, target);
    else rmSync(path, { recursive: true, force: true });
  }
}
