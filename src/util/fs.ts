import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { FileFormatError } from './errors.js';
import { dirname, join, basename } from 'node:path';

/**
 * Write a file so that readers see either the old content or the whole new content, never a
 * truncated file: write beside it, then rename (atomic on one filesystem).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Read a whole file, turning "not there" and "not a file" into errors that name it. */
export function readFileBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileFormatError(path, 'file not found');
    if (code === 'EISDIR') throw new FileFormatError(path, 'is a directory, expected a file');
    throw new FileFormatError(path, `cannot read: ${(err as Error).message}`);
  }
}
