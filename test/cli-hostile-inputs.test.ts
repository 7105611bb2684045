import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingSizeOf, TRAINING_SIZE_KEY } from '../src/onnx/metadata.js';
import { ConfigError, FileFormatError } from '../src/util/errors.js';
import { oneLine, runCli } from './cli-support.js';

// Hostile files and paths given to export, eval, web build and curve: one line naming the file or
// flag, nothing written.

const MODEL = new URL('../models/unet-hilbert/', import.meta.url).pathname;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'hilbertq-hostile-'));
}

test('export: a model.json of null is refused naming the file, not a TypeError', async () => {
  const dir = scratch();
  try {
    cpSync(MODEL, join(dir, 'm'), { recursive: true });
    writeFileSync(join(dir, 'm', 'model.json'), 'null\n');
    await assert.rejects(runCli(['export', join(dir, 'm'), '--out', join(dir, 'm.onnx')]), oneLine(FileFormatError, /model\.json: is not a hilbertq-weights v1 float32 manifest/));
    assert.equal(existsSync(join(dir, 'm.onnx')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export: a recorded training size of 0 or Infinity is refused naming the file and field', async () => {
  const dir = scratch();
  try {
    cpSync(MODEL, join(dir, 'm'), { recursive: true });
    const manifest = join(dir, 'm', 'model.json');
    const text = readFileSync(manifest, 'utf8');
    for (const bad of ['0', '1e400']) {
      writeFileSync(manifest, text.replace(/"height": \d+/, `"height": ${bad}`));
      await assert.rejects(runCli(['export', join(dir, 'm'), '--out', join(dir, 'm.onnx')]), oneLine(FileFormatError, /model\.json: meta\.training\.config\.height is (0|Infinity), not a size in pixels/));
    }
    assert.equal(existsSync(join(dir, 'm.onnx')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("eval/quantize: an ONNX file's training size of 0x0 is refused naming the file", () => {
  assert.throws(() => trainingSizeOf({ [TRAINING_SIZE_KEY]: '0x0' }, 'm.onnx'), oneLine(FileFormatError, /^m\.onnx: has hilbertq\.training_size 0x0, not a size in pixels$/));
  assert.deepEqual(trainingSizeOf({ [TRAINING_SIZE_KEY]: '64x128' }, 'm.onnx'), { height: 64, width: 128, scenes: 'mixed' });
});

test('web build keeps a dataset folder (it has a manifest.json too) and refuses paths under a file', async () => {
  const dir = scratch();
  try {
    const dataset = join(dir, 'ds');
    mkdirSync(join(dataset, 'left'), { recursive: true });
    writeFileSync(join(dataset, 'manifest.json'), JSON.stringify({ format: 'hilbertq-stereo', version: 1, count: 0 }));
    await assert.rejects(runCli(['web', 'build', '--out', dataset, '--calib', '1']), oneLine(ConfigError, /not a site from 'hilbertq web build'/));
    assert.deepEqual(readdirSync(dataset).sort(), ['left', 'manifest.json']);
    await assert.rejects(runCli(['web', 'serve', '--dir', dataset, '--port', '0']), oneLine(ConfigError, /holds no manifest\.json of a built site/));
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    await assert.rejects(runCli(['web', 'build', '--out', join(file, 'site')]), oneLine(ConfigError, /--out = .*file is a file, not a folder/));
    await assert.rejects(runCli(['web', 'build', '--out', join(dir, 'site'), '--models', file]), oneLine(ConfigError, /--models = .*: is a file, not a folder of models/));
    assert.deepEqual(readdirSync(dir).sort(), ['ds', 'file']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('curve: --noise takes decimal notation only, and --plot is checked before the simulation', async () => {
  await assert.rejects(runCli(['curve', '--noise', '1,0x10']), oneLine(ConfigError, /invalid --noise = 1,0x10/));
  const dir = scratch();
  try {
    writeFileSync(join(dir, 'file'), 'x');
    // 10^7 samples run for seconds: a refusal after them would take as long.
    const started = performance.now();
    await assert.rejects(runCli(['curve', '--samples', '10000000', '--plot', join(dir, 'file', 'p.svg')]), oneLine(ConfigError, /invalid --plot/));
    await assert.rejects(runCli(['curve', '--samples', '10000000', '--plot', dir]), oneLine(ConfigError, /--plot = .*: is a folder/));
    await assert.rejects(runCli(['curve', '--plot', '']), oneLine(ConfigError, /invalid --plot = '': name an \.svg file/));
    assert.ok(performance.now() - started < 2000, 'refused before simulating');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('web build: Ctrl-C leaves no temporary site folder behind', async () => {
  const dir = scratch();
  try {
    const cli = new URL('../src/cli/main.ts', import.meta.url).pathname;
    const out = join(dir, 'site');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { main } from ${JSON.stringify(cli)}; await main(['node', 'hilbertq', 'web', 'build', '--out', ${JSON.stringify(out)}, '--calib', '1']);`], {
      cwd: new URL('..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Interrupted once the temporary folder holds a model.
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('fp32 (export)')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    assert.equal(code, 130, stderr);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
