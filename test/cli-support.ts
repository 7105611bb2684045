import { buildProgram } from '../src/cli/main.js';

/** Runs `hilbertq ARGS` in-process and returns what it printed with console.log. */
export async function runCli(args: string[]): Promise<string> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'hilbertq', ...args]);
  } finally {
    console.log = original;
  }
  return lines.join('\n');
}
