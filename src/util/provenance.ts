import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CodeProvenance {
  version: string;
  /** The git commit the package runs from, with "+dirty" for uncommitted changes; null outside a git checkout. */
  commit: string | null;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** hilbertq's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string }).version;
}

/**
 * Which hilbertq made a result. Training records it because floating-point details (kernel
 * order, float32 vs float64 in Adam) change the weights a command produces from one commit to
 * the next, while the command stays the same.
 */
export function codeProvenance(): CodeProvenance {
  const version = packageVersion();
  let commit: string | null = null;
  try {
    const git = (args: string[]): string => execFileSync('git', args, { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // Installed under node_modules of another project, git would answer for that project.
    if (realpathSync(git(['rev-parse', '--show-toplevel'])) === realpathSync(PACKAGE_ROOT)) {
      commit = git(['rev-parse', '--short=12', 'HEAD']) + (git(['status', '--porcelain', '--untracked-files=no']) ? '+dirty' : '');
    }
  } catch {
    commit = null;
  }
  return { version, commit };
}
