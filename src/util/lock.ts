import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { HilbertqError } from './errors.js';
import { makeFolder } from './fs.js';

export const LOCK_FILE = 'hilbertq.lock';

/** A folder another live process is writing. */
export class FolderBusyError extends HilbertqError {
  constructor(dir: string, pid: number) {
    super(`${dir} is in use by process ${pid} (${join(dir, LOCK_FILE)}); wait for it to finish or stop it`);
    this.name = 'FolderBusyError';
  }
}

/**
 * Takes the folder's lock file (created exclusively, holding this process's pid) and returns its
 * release. A lock whose process is gone (killed, crashed) is stale and taken over; a live holder
 * is refused in one line. Two processes writing one run folder corrupted it before: a resume
 * beside a running training interleaved their checkpoints and logs.
 */
export function lockFolder(dir: string): () => void {
  makeFolder(dir);
  const file = join(dir, LOCK_FILE);
  const key = resolve(file);
  if (heldHere.has(key)) throw new FolderBusyError(dir, process.pid);
  // pid and a token of this process: after a restart in a container the pid (often 1) repeats,
  // and a lock left by the dead process must not look like ours.
  const mine = `${process.pid} ${TOKEN}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, mine);
      closeSync(fd);
      heldHere.add(key);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(key);
        // Only our own lock: a stale-lock takeover by another process must not be undone.
        if (contents(file) === mine) rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = holder(file);
      if (pid !== null && pid !== process.pid && alive(pid)) throw new FolderBusyError(dir, pid);
      // Dead holder, or our pid with another token (a previous life): stale. Take it over only if
      // nobody else did meanwhile (the same contents are still there).
      const stale = contents(file);
      if (contents(file) === stale) rmSync(file, { force: true });
    }
  }
  throw new HilbertqError(`${dir}: could not take ${LOCK_FILE} (another process keeps replacing it)`);
}

/** Folders this process holds: a second lock on one of them is refused without reading the file. */
const heldHere = new Set<string>();
const TOKEN = randomBytes(8).toString('hex');

function contents(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function holder(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
