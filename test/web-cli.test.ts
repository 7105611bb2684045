import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../src/util/errors.js';
import { runCli } from './cli-support.js';

// Bad input ends `web build` and `web serve` with one ConfigError line, before anything is written.

test('web build refuses to replace a folder that is not a site, and a zoo without the headline models', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-webcli-'));
  try {
    const notASite = join(dir, 'notes');
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    await assert.rejects(runCli(['web', 'build', '--out', dir]), (err: Error) => err instanceof ConfigError && /not a site from 'hilbertq web build'/.test(err.message));
    assert.deepEqual(readdirSync(dir), ['keep.txt']);
    await assert.rejects(runCli(['web', 'build', '--out', notASite, '--models', dir]), (err: Error) => err instanceof ConfigError && /holds no model folders/.test(err.message));
    assert.equal(existsSync(notASite), false);
    await assert.rejects(runCli(['web', 'serve', '--dir', dir, '--port', '0']), (err: Error) => err instanceof ConfigError && /holds no manifest\.json/.test(err.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
