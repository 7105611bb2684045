import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readImage } from '../src/data/formats/image.js';
import { ConfigError } from '../src/util/errors.js';
import { LOCK_FILE, lockFolder } from '../src/util/lock.js';
import { runCli } from './cli-support.js';
import { withTempDirAsync } from './data-helpers.js';

function runData(args: string[]): Promise<string> {
  return runCli(['data', ...args]);
}

test('hilbertq data generate writes the documented layout and manifest', async () => {
  await withTempDirAsync(async (dir) => {
    const out = join(dir, 'ds');
    const log = await runData(['generate', '--out', out, '--count', '3', '--size', '32x64', '--max-disp', '10', '--seed', '5']);
    assert.match(log, /wrote 3 pairs/);
    assert.deepEqual(readdirSync(out).sort(), ['disp', 'left', 'manifest.json', 'occ', 'right']);
    assert.deepEqual(readdirSync(join(out, 'disp')), ['000000.pfm', '000001.pfm', '000002.pfm']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.count, 3);
    assert.deepEqual(manifest.generator.options, { height: 32, width: 64, maxDisp: 10, minObjects: 4, maxObjects: 16, seed: 5, photometric: true });
    assert.deepEqual(manifest.samples[2], { left: 'left/000002.png', right: 'right/000002.png', disp: 'disp/000002.pfm', occ: 'occ/000002.png' });
  });
});

test('hilbertq data show writes left | right | disparity side by side, for a folder or a file pair', async () => {
  await withTempDirAsync(async (dir) => {
    const out = join(dir, 'ds');
    await runData(['generate', '--out', out, '--count', '2', '--size', '32x64', '--max-disp', '10']);
    const preview = join(dir, 'p.png');
    await runData(['show', out, '--index', '1', '--out', preview]);
    const im = readImage(preview);
    assert.deepEqual([im.width, im.height], [3 * 64 + 2 * 4, 32]);
    const left = readImage(join(out, 'left', '000001.png'));
    assert.deepEqual(im.data.subarray(0, 64 * 3), left.data.subarray(0, 64 * 3), 'first panel is the left view');
    const pairPreview = join(dir, 'q.jpg');
    await runData(['show', join(out, 'left', '000000.png'), join(out, 'right', '000000.png'), '--out', pairPreview]);
    assert.equal(readImage(pairPreview).width, 3 * 64 + 2 * 4);
  });
});

test('bad --size, --max-disp and --count stop with a ConfigError and write nothing', async () => {
  await withTempDirAsync(async (dir) => {
    const out = join(dir, 'ds');
    const bad: [string[], RegExp][] = [
      [['--size', '64by128'], /--size/],
      [['--size', '4x128'], /--size/],
      [['--size', '64x128', '--max-disp', '128'], /--max-disp/],
      [['--size', '64x128', '--max-disp', 'lots'], /--max-disp/],
      [['--count', '-1'], /--count/],
    ];
    for (const [args, field] of bad) {
      await assert.rejects(runData(['generate', '--out', out, ...args]), (e: unknown) => e instanceof ConfigError && field.test(e.message), args.join(' '));
    }
    assert.equal(existsSync(out), false);
  });
});

test('a dataset folder being generated is locked against a second writer', () =>
  withTempDirAsync(async (dir) => {
    const out = join(dir, 'set');
    const release = lockFolder(out);
    try {
      await assert.rejects(runData(['generate', '--out', out, '--count', '1', '--size', '32x64', '--max-disp', '8']), /is in use by process \d+/);
    } finally {
      release();
    }
    await runData(['generate', '--out', out, '--count', '1', '--size', '32x64', '--max-disp', '8']);
    assert.ok(!existsSync(join(out, LOCK_FILE)), 'released after generating');
  }));

test('a takeover marker left by a process killed mid-takeover does not make the folder look non-empty', () =>
  withTempDirAsync(async (dir) => {
    const out = join(dir, 'set');
    mkdirSync(out);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(join(out, LOCK_FILE), `${dead} 0123456789abcdef\n`);
    writeFileSync(join(out, `${LOCK_FILE}.takeover-0123456789abcdef`), `${dead} fedcba9876543210\n`);
    const log = await runData(['generate', '--out', out, '--count', '1', '--size', '32x64', '--max-disp', '8']);
    assert.match(log, /wrote 1 pairs?/);
  }));
