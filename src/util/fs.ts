import { appendFileSync, closeSync, createWriteStream, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { FileFormatError, FileSystemError, onFileSystem } from './errors.js';
import { dirname, join, basename } from 'node:path';

/**
 * Write a file so that readers see either the old content or the whole new content, never a
 * truncated file: write beside it, then rename (atomic on one filesystem).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeFolder(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  onFileSystem(path, 'write', () => {
    try {
      writeFileSync(tmp, data);
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  });
}

/**
 * The file name whose writeFileAtomic temporary (".NAME.PID.tmp") `name` is, or null: a process
 * killed mid-write leaves one behind.
 */
export function atomicWriteTarget(name: string): string | null {
  return /^\.(.+)\.\d+\.tmp$/.exec(name)?.[1] ?? null;
}

/** Appends `text` to a file (created if absent), with a FileSystemError naming the file. */
export function appendToFile(path: string, text: string): void {
  onFileSystem(path, 'append to', () => appendFileSync(path, text));
}

/**
 * A stream appending to `path`. The file is opened here, synchronously, so a path that cannot be
 * written (a folder, a file where a folder should be, no permission) fails in one line before
 * anything starts; later write errors (a full disk) reach `onError` as a FileSystemError.
 */
export function openAppendStream(path: string, onError: (err: FileSystemError) => void): WriteStream {
  const fd = onFileSystem(path, 'append to', () => openSync(path, 'a'));
  try {
    const stream = createWriteStream('', { fd });
    stream.on('error', (err) => onError(new FileSystemError(path, 'append to', err)));
    return stream;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** mkdir -p, with a FileSystemError naming the folder. */
export function makeFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // mkdir -p over a file says EEXIST (the file itself) or ENOTDIR (a file further up).
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new FileSystemError(dir, 'create the folder', new Error('a file stands where a folder should be'));
    throw new FileSystemError(dir, 'create the folder', err);
  }
}

/**
 * Read a whole file, turning "not there" and "not a file" into errors that name it. Only a
 * regular file: a device such as /dev/zero would be read until memory ran out, a FIFO would
 * block until a writer came.
 */
export function readFileBytes(path: string): Uint8Array {
  try {
    const stats = statSync(path);
    if (!stats.isFile() && !stats.isDirectory()) throw new FileFormatError(path, 'is not a regular file (a device, FIFO or socket); expected a file');
    return readFileSync(path);
  } catch (err) {
    if (err instanceof FileFormatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileFormatError(path, 'file not found');
    if (code === 'EISDIR') throw new FileFormatError(path, 'is a directory, expected a file');
    throw new FileFormatError(path, `cannot read: ${(err as Error).message}`);
  }
}
