import type { ChildProcess } from 'node:child_process';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Runs `work`, which starts child processes into `children`: on SIGTERM, SIGINT or SIGHUP meanwhile
 * the children get SIGTERM first, then this process exits with the signal's code (128 + n), so no
 * training or evaluation outlives the command that started it.
 */
export async function stoppingChildrenOnSignal<T>(children: ReadonlySet<ChildProcess>, work: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const child of children) child.kill('SIGTERM');
    process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    return await work();
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}
