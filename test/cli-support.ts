import type { HilbertqError } from '../src/util/errors.js';
import assert from 'node:assert/strict';
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

/** A one-line user-facing error of `kind` whose message matches `pattern`. */
export function oneLine(kind: new (...args: never[]) => HilbertqError, pattern: RegExp): (err: Error) => boolean {
  return (err) => {
    assert.ok(err instanceof kind, `${err.name}: ${err.message}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  };
}
