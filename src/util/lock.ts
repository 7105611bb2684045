import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { FileFormatError, HilbertqError, onFileSystem } from './errors.js';
import { makeFolder } from './fs.js';

export const LOCK_FILE = 'hilbertq.lock';

/**
 * The lock and the files of its protocol (takeover markers, link sources): what a folder may hold
 * besides its own contents. A process killed mid-takeover leaves a marker behind, and an
 * emptiness check must not count it as data.
 */
export function isLockFile(name: string): boolean {
  return name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`);
}

/**
 * A folder another live process is writing. The pid may be a reused one (the holder was killed
 * and another program got its number): then only deleting the lock file frees the folder.
 */
export class FolderBusyError extends HilbertqError {
  constructor(dir: string, pid: number) {
    const file = join(dir, LOCK_FILE);
    super(`${dir} is in use by process ${pid} (${file}); wait for it to finish or stop it, or delete ${file} if no hilbertq process is using the folder`);
    this.name = 'FolderBusyError';
  }
}

/**
 * Takes the folder's lock file (holding this process's pid) and returns its release. A lock whose
 * process is gone (killed, crashed) is stale and taken over; a live holder is refused in one line.
 * Two processes writing one run folder corrupted it before: a resume beside a running training
 * interleaved their checkpoints and logs.
 */
export function lockFolder(dir: string): () => void {
  makeFolder(dir);
  const file = join(dir, LOCK_FILE);
  const key = resolve(file);
  if (heldHere.has(key)) throw new FolderBusyError(dir, process.pid);
  // pid and a token of this process: after a restart in a container the pid (often 1) repeats,
  // and a lock left by the dead process must not look like ours.
  const mine = `${process.pid} ${TOKEN}\n`;
  // Not one of ours, and no attempt would replace it: say so now, not after 100 retries.
  const found = onFileSystem(file, 'read', () => statSync(file, { throwIfNoEntry: false }));
  if (found && !found.isFile()) {
    throw new FileFormatError(file, `is ${found.isDirectory() ? 'a folder' : 'a special file'}, not a lock file: remove it if no hilbertq process is using ${dir}`);
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const outcome = claim(file, mine, 0);
    if (typeof outcome === 'number') throw new FolderBusyError(dir, outcome);
    if (outcome === 'held') {
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        heldHere.delete(key);
        // Only our own lock: a takeover by another process (after we were judged dead) must not be undone.
        if (contents(file) === mine) rmSync(file, { force: true });
      };
      heldHere.set(key, release);
      releaseOnExit();
      return release;
    }
    // Another process is taking a stale lock over right now: it holds the lock in a moment.
    sleep(Math.min(50, 1 + attempt));
  }
  throw new HilbertqError(`${dir}: could not take ${LOCK_FILE} (another process keeps replacing it)`);
}

/**
 * One attempt at making `file` hold `mine`: 'held', the pid of a live holder, or 'retry'.
 *
 * Why a takeover is atomic: removing a stale lock and creating a new one are two steps, and two
 * processes that both read the same stale lock could both remove and recreate it, each then
 * believing it holds the folder. So a stale lock is replaced only by the process that creates
 * the takeover marker for exactly the contents it found stale (`file.takeover-HASH`, created
 * exclusively: one process wins it). Under the marker it checks the lock still holds those
 * contents (nothing else can change them: their owner is dead and a plain create needs the file
 * gone) and renames its own lock over them in one step. A marker left by a process killed
 * midway is itself a stale lock, taken over the same way (a marker of the marker).
 */
function claim(file: string, mine: string, depth: number): 'held' | 'retry' | number {
  if (createExclusive(file, mine)) return 'held';
  const seen = contents(file);
  if (seen === null) return 'retry'; // released meanwhile
  const pid = holderOf(seen);
  if (pid !== null && pid !== process.pid && processAlive(pid)) return pid;
  // Dead holder, or our pid with another token (a previous life): stale. A file without a pid
  // is stale too: createExclusive never shows a lock before its contents are complete.
  if (depth >= 3) return 'retry';
  const marker = `${file}.takeover-${createHash('sha256').update(seen).digest('hex').slice(0, 16)}`;
  if (claim(marker, mine, depth + 1) !== 'held') return 'retry';
  try {
    if (contents(file) !== seen) return 'retry'; // taken over by someone who held the marker before us
    const tmp = `${file}.${process.pid}.${TOKEN}.tmp`;
    onFileSystem(file, 'take over the lock', () => {
      try {
        writeFileSync(tmp, mine);
        renameSync(tmp, file);
      } finally {
        rmSync(tmp, { force: true });
      }
    });
    return 'held';
  } finally {
    // Safe to remove: whoever wins it next finds the lock no longer holds `seen` and backs off.
    if (contents(marker) === mine) rmSync(marker, { force: true });
  }
}

/**
 * Creates `file` holding `text` only if it does not exist. Written beside it and hard-linked into
 * place, so no reader ever sees an empty lock (an O_EXCL create shows the file before its pid is
 * written, and an empty lock would look stale to another process).
 */
function createExclusive(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${TOKEN}.new`;
  return onFileSystem(file, 'create the lock', () => {
    writeFileSync(tmp, text);
    try {
      linkSync(tmp, file);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // A file system without hard links: an exclusive create, briefly empty (see above).
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createWithOExcl(file, text);
      throw err;
    } finally {
      rmSync(tmp, { force: true });
    }
  });
}

function createWithOExcl(file: string, text: string): boolean {
  try {
    writeFileSync(file, text, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Folders this process holds, with their release: a second lock on one of them is refused without reading the file. */
const heldHere = new Map<string, () => void>();

let exitHook = false;

/**
 * A process.exit (a signal guard's, util/child-processes.ts, or the parent pipe's) skips the
 * `finally` that releases a lock: release what is still held as the process exits. A kill -9
 * cannot be caught; its lock is stale and taken over by the next command.
 */
function releaseOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const release of [...heldHere.values()]) release();
  });
}
const TOKEN = randomBytes(8).toString('hex');

function contents(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function holderOf(text: string): number | null {
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Whether process `pid` runs (on this machine): a lock or staging folder of a dead one is stale. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
