export { readFileBytes } from '../../util/fs.js';

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
