import { readFileSync } from 'node:fs';
import { FileFormatError } from '../../util/errors.js';

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

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
