import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../util/errors.js';
import { makeFolder, writeFileAtomic } from '../util/fs.js';
import { processAlive } from '../util/lock.js';
import { refuseFileOnPath } from './output-guard.js';

/**
 * An output folder written as a whole (`infer --data`): the files go to a staging folder beside
 * it, which takes the target's place only once every file is written. A run that fails, or is
 * killed, leaves the target as it was: before, a failure at pair 3 left pairs 1-2 in the folder
 * with nothing saying the run was incomplete, and a second run into the same folder mixed its
 * files with the first one's.
 *
 * The target must be new, empty, or a folder this command wrote before (it holds `marker`),
 * which is then replaced whole; any other folder is refused, since replacing it would delete
 * files this command did not write.
 */
export class StagedFolder {
  private made = false;

  private constructor(
    readonly target: string,
    private readonly marker: string,
    private readonly staging: string,
  ) {}

  /** Checks the target for `flag` before any work, and clears stagings that killed runs left. */
  static open(target: string, marker: string, flag: string): StagedFolder {
    if (existsSync(target)) {
      if (!statSync(target).isDirectory()) throw new ConfigError(flag, target, 'is a file; name a folder');
      if (readdirSync(target).length > 0 && !existsSync(join(target, marker))) {
        throw new ConfigError(flag, target, `is a folder holding other files (no ${marker}); name a new or empty folder, or one an earlier run wrote, which is replaced`);
      }
    } else {
      refuseFileOnPath(target, flag);
    }
    const prefix = `.${basename(target)}.staging-`;
    const parent = dirname(resolve(target));
    if (existsSync(parent)) {
      for (const name of readdirSync(parent)) {
        const pid = Number(name.slice(prefix.length));
        if (name.startsWith(prefix) && Number.isInteger(pid) && !processAlive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
      }
    }
    return new StagedFolder(target, marker, join(parent, `${prefix}${process.pid}`));
  }

  /** Where to write the file `name` of the folder (the staging folder, made on first use). */
  path(name: string): string {
    if (!this.made) makeFolder(this.staging);
    this.made = true;
    return join(this.staging, name);
  }

  /** Writes the marker and puts the staging folder in the target's place (the old one removed). */
  commit(markerText: string): void {
    writeFileAtomic(this.path(this.marker), markerText);
    const old = `${this.staging}-replaced`;
    if (existsSync(this.target)) renameSync(this.target, old);
    renameSync(this.staging, this.target);
    rmSync(old, { recursive: true, force: true });
  }

  /** Removes what was staged: the target stays as it was. */
  discard(): void {
    rmSync(this.staging, { recursive: true, force: true });
  }
}
