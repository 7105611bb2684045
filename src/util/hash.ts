import { createHash } from 'node:crypto';
import { readFileBytes } from './fs.js';

/** Hex sha256 of bytes: how hilbertq records which file a derived one was made from. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hex sha256 of a file's content (a missing file is a FileFormatError naming it). */
export function fileSha256(path: string): string {
  return sha256Hex(readFileBytes(path));
}
