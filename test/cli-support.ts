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

/** Runs `hilbertq ARGS` in-process and returns what it printed on stdout (console.log) and stderr (console.error). */
export async function runCliWithStderr(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => errors.push(parts.join(' '));
  try {
    const stdout = await runCli(args);
    return { stdout, stderr: errors.join('\n') };
  } finally {
    console.error = original;
  }
}
