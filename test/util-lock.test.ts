import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LOCK_FILE, lockFolder } from '../src/util/lock.js';

const CHILD = join(import.meta.dirname, 'lock-child.ts');

/** A child running lock-child.ts, and its output lines as they come. */
function child(args: string[]): { process: ChildProcess; line: () => Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  const line = (): Promise<string> => {
    const ready = lines.shift();
    return ready !== undefined ? Promise.resolve(ready) : new Promise((r) => waiting.push(r));
  };
  return { process: proc, line };
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

/** A lock left by a process that is gone. */
function staleLock(dir: string): void {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
  writeFileSync(join(dir, LOCK_FILE), `${dead} 0123456789abcdef\n`);
}

test('processes racing for one stale lock: exactly one of them holds it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-lock-race-'));
  const racers: ReturnType<typeof child>[] = [];
  try {
    const rounds = 25;
    const folders = Array.from({ length: rounds }, (_, i) => join(dir, `run${i}`));
    for (const folder of folders) {
      lockFolder(folder)(); // creates the folder
      staleLock(folder);
    }
    const go = join(dir, 'go');
    for (let i = 0; i < 3; i++) racers.push(child(['race', go, ...folders]));
    for (const racer of racers) assert.equal(await racer.line(), 'ready');
    for (let i = 0; i < rounds; i++) {
      writeFileSync(`${go}.${i}`, '');
      const results = await Promise.all(racers.map((r) => r.line()));
      const holders = results.filter((r) => r === `${i} held`);
      assert.equal(holders.length, 1, `round ${i}: ${results.join(' | ')}`);
      for (const r of results.filter((x) => x !== `${i} held`)) assert.match(r, new RegExp(`^${i} busy: .*run${i} is in use by process \\d+`));
      const pid = Number.parseInt(readFileSync(join(folders[i], LOCK_FILE), 'utf8'), 10);
      assert.ok(racers.some((r) => r.process.pid === pid), `round ${i}: the lock names the winner`);
    }
  } finally {
    for (const racer of racers) racer.process.kill('SIGKILL');
    await Promise.all(racers.map((r) => exited(r.process)));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a live holder in another process refuses a second one in one line; after its kill -9 the stale lock is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-lock-holder-'));
  const holder = child(['hold', dir]);
  try {
    assert.equal(await holder.line(), 'held');
    const second = child(['hold', dir]);
    const refused = await second.line();
    second.process.kill('SIGKILL');
    // The pid may have been reused by another program: the message says the lock file can go.
    assert.equal(refused, `busy: ${dir} is in use by process ${holder.process.pid} (${join(dir, LOCK_FILE)}); wait for it to finish or stop it, or delete ${join(dir, LOCK_FILE)} if no hilbertq process is using the folder`);
    assert.throws(() => lockFolder(dir), /is in use by process/);

    holder.process.kill('SIGKILL');
    await exited(holder.process);
    assert.ok(existsSync(join(dir, LOCK_FILE)), 'kill -9 left the lock behind');
    const third = child(['hold', dir]);
    assert.equal(await third.line(), 'held', 'the stale lock was taken over');
    assert.equal(Number.parseInt(readFileSync(join(dir, LOCK_FILE), 'utf8'), 10), third.process.pid);
    third.process.stdin?.end();
    await exited(third.process);
    // Exiting without release leaves a stale lock again: this process takes it over and releases it.
    const release = lockFolder(dir);
    release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
    assert.deepEqual(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim(), '', 'no marker or temporary file is left');
  } finally {
    holder.process.kill('SIGKILL');
    await exited(holder.process);
    rmSync(dir, { recursive: true, force: true });
  }
});
