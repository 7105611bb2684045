import { fstatSync } from 'node:fs';

/** Set by `experiment --train` for its children: their stdin is a pipe from the parent. */
export const EXIT_WITH_PARENT_ENV = 'HILBERTQ_EXIT_WITH_PARENT';

/**
 * A child of `experiment --train` ends when its parent does, however the parent ends (kill -9
 * included): the parent holds the write end of the child's stdin, and the kernel closes it with
 * the parent. Orphans used to train on and collide with the rerun. The last checkpoint stays, so
 * the rerun resumes. The trainer yields between steps, so the end of the pipe is seen within one.
 */
export function exitWithParent(): void {
  if (process.env[EXIT_WITH_PARENT_ENV] !== '1') return;
  // Only a pipe (or socket) from a parent: a terminal or /dev/null stdin would end at once or never.
  const stdin = fstatSync(0);
  if (!stdin.isFIFO() && !stdin.isSocket()) return;
  const leave = (): void => {
    console.error('hilbertq train: the parent experiment ended; stopping (the last checkpoint is kept)');
    process.exit(143);
  };
  process.stdin.on('end', leave);
  process.stdin.on('close', leave);
  process.stdin.on('error', leave);
  process.stdin.resume();
  // Watching must not keep a finished training alive (stdin stays open as long as the parent is).
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}
