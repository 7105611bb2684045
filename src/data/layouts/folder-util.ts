import { existsSync, readdirSync, statSync } from 'node:fs';

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Sorted names of entries in `dir` that pass `keep`. */
export function listSorted(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(keep).sort();
}

/** The first of `names` that exists in `dir`, joined to it. */
export function firstExisting(dir: string, names: readonly string[], join: (a: string, b: string) => string): string | undefined {
  for (const name of names) {
    const path = join(dir, name);
    if (isFile(path)) return path;
  }
  return undefined;
}
