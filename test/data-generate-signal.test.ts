// `hilbertq data generate` stopped by Ctrl-C or SIGTERM: it must exit with the signal's code,
// release the folder's lock, and leave a folder that reads as incomplete and that the next run
// resumes to the bytes an uninterrupted run writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../src/data/dataset.js';
import { generateDataset } from '../src/data/generate.js';
import { IN_PROGRESS_NAME, type GeneratorRecord } from '../src/data/manifest.js';
import { FileFormatError } from '../src/util/errors.js';
import { LOCK_FILE } from '../src/util/lock.js';
import { oneLine, runCli } from './cli-support.js';
import { withTempDirAsync } from './data-helpers.js';

const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const OPTIONS = ['--size', '32x64', '--max-disp', '10', '--seed', '5'];

/** Starts `hilbertq data generate` into `out` in a child process; resolves to its exit code, or its signal if it was killed by one. */
function generateInChild(out: string, count: number): { exited: Promise<number | string | null>; kill: (signal: NodeJS.Signals) => void; running: () => boolean } {
  const args = ['data', 'generate', '--out', out, '--count', String(count), ...OPTIONS];
  const script = `import { main } from ${JSON.stringify(MAIN)}; await main(['node', 'hilbertq', ...${JSON.stringify(args)}]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return { exited, kill: (signal) => child.kill(signal), running: () => child.exitCode === null && child.signalCode === null };
}

test('data generate interrupted by SIGINT or SIGTERM exits 130/143, releases its lock, and a rerun completes the same bytes', () =>
  withTempDirAsync(async (dir) => {
    const interruptedBy = async (signal: 'SIGINT' | 'SIGTERM'): Promise<string> => {
      const out = join(dir, signal);
      // Far more pairs than are written before the signal: it lands mid-generation.
      const child = generateInChild(out, 100_000);
      const deadline = performance.now() + 60_000;
      while (!existsSync(join(out, 'occ', '000002.png'))) {
        assert.ok(child.running() && performance.now() < deadline, 'the generation never began');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(existsSync(join(out, LOCK_FILE)), 'the lock is held while generating');
      child.kill(signal);
      assert.equal(await child.exited, signal === 'SIGINT' ? 130 : 143);
      assert.ok(!existsSync(join(out, LOCK_FILE)), `${signal} left ${LOCK_FILE} behind`);
      // No manifest was written: the folder is named as incomplete, not read as a dataset.
      assert.ok(!existsSync(join(out, 'manifest.json')));
      assert.throws(() => openDataset(out), oneLine(FileFormatError, /incomplete: an interrupted `hilbertq data generate`/));
      return out;
    };
    const [sigint, sigterm] = await Promise.all([interruptedBy('SIGINT'), interruptedBy('SIGTERM')]);

    // The reference: an uninterrupted run of the synchronous library call with the same options.
    const record = JSON.parse(readFileSync(join(sigint, IN_PROGRESS_NAME), 'utf8')) as GeneratorRecord;
    const clean = join(dir, 'clean');
    generateDataset({ ...record.options, out: clean, count: 5 });
    for (const out of [sigint, sigterm]) {
      const log = await runCli(['data', 'generate', '--out', out, '--count', '5', ...OPTIONS]);
      assert.match(log, /already present/, 'the rerun resumes rather than starting over');
      assert.ok(!existsSync(join(out, LOCK_FILE)));
      assert.equal(openDataset(out).length, 5);
      for (const rel of ['manifest.json', 'left/000000.png', 'right/000004.png', 'disp/000002.pfm', 'occ/000001.png', 'occ/000004.png']) {
        assert.deepEqual(readFileSync(join(out, rel)), readFileSync(join(clean, rel)), `${out}: ${rel}`);
      }
    }
  }));
