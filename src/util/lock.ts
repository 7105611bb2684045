import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HilbertqError } from './errors.js';

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
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        // Only our own lock: a stale-lock takeover by another process must not be undone.
        if (holder(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = holder(file);
      if (pid !== null && pid !== process.pid && alive(pid)) throw new FolderBusyError(dir, pid);
      if (pid === process.pid) throw new FolderBusyError(dir, pid);
      rmSync(file, { force: true });
    }
  }
  throw new HilbertqError(`${dir}: could not take ${LOCK_FILE} (another process keeps replacing it)`);
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
