import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataset } from '../src/data/dataset.js';
import { IN_PROGRESS_NAME } from '../src/data/generate.js';
import { decodeModel, encodeModel } from '../src/onnx/onnx-proto.js';
import { TRAINING_SIZE_KEY } from '../src/onnx/metadata.js';
import { ConfigError, FileFormatError } from '../src/util/errors.js';
import { megapixels, megapixelsOver } from '../src/util/pixel-limit.js';
import { modelPixelLimit } from '../src/infer/infer-limits.js';
import { writePng } from '../src/data/formats/image.js';
import { oneLine, runCli } from './cli-support.js';
import { main } from '../src/cli/main.js';
import { printable } from '../src/util/printable.js';
import { tinyModel } from './quant-support.js';
import { parseIntOption, parseNumberOption } from '../src/cli/options.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hilbertq-limits-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));


test('train --batch 100000 is refused up front, before the run folder exists', async () => {
  const out = join(dir, 'run');
  await assert.rejects(
    runCli(['train', '--batch', '100000', '--out', out]),
    oneLine(ConfigError, /^invalid --batch = 100000: 100000 x 64x128 is 819\.2 MP per step, over the limit of 4\.2 MP \(HILBERTQ_MAX_BATCH_PIXELS\); use --batch 512 or less at 64x128$/),
  );
  assert.ok(!existsSync(out), 'no run folder written');
  process.env.HILBERTQ_MAX_BATCH_PIXELS = '1000';
  try {
    await assert.rejects(runCli(['train', '--batch', '1', '--out', out]), oneLine(ConfigError, /even --batch 1 does not fit at 64x128: use a smaller --size/));
  } finally {
    delete process.env.HILBERTQ_MAX_BATCH_PIXELS;
  }
  assert.ok(!existsSync(out));
});

test('quantize --synthetic refuses a huge recorded training size instead of allocating it', async () => {
  const proto = decodeModel(tinyModel('unet'));
  proto.metadata_props = [...(proto.metadata_props ?? []).filter((p) => p.key !== TRAINING_SIZE_KEY), { key: TRAINING_SIZE_KEY, value: '100000x100000' }];
  const file = join(dir, 'huge.onnx');
  writeFileSync(file, encodeModel(proto));
  const out = join(dir, 'huge.w8a8.onnx');
  await assert.rejects(
    runCli(['quantize', file, '--scheme', 'w8a8', '--synthetic', '2', '--out', out]),
    oneLine(FileFormatError, /huge\.onnx: records training size 100000x100000 \(10000\.0 MP per pair\), over the inference limit of 4\.0 MP per pair \(HILBERTQ_MAX_INFER_PIXELS\); pass --size 2000x2000 or smaller$/),
  );
  assert.ok(!existsSync(out));
  // 8000x8000 passes the per-side check of synthetic scenes, so it used to be rendered: 64 MP per view.
  proto.metadata_props = [...proto.metadata_props.filter((p) => p.key !== TRAINING_SIZE_KEY), { key: TRAINING_SIZE_KEY, value: '8000x8000' }];
  writeFileSync(file, encodeModel(proto));
  await assert.rejects(runCli(['quantize', file, '--scheme', 'w8a8', '--synthetic', '2', '--out', out]), oneLine(FileFormatError, /records training size 8000x8000 \(64\.0 MP per pair\).*--size 2000x2000/));
  await assert.rejects(runCli(['quantize', file, '--scheme', 'w8a8', '--synthetic', '2', '--size', '4096x4096', '--out', out]), oneLine(ConfigError, /^invalid --size = 4096x4096: is 16\.8 MP per pair, over the inference limit/));
  assert.ok(!existsSync(out));
});

test('data generate --count 1e9 says the count is above the maximum', async () => {
  const out = join(dir, 'gen');
  await assert.rejects(runCli(['data', 'generate', '--out', out, '--count', '1e9']), oneLine(ConfigError, /^invalid --count = 1e9: is above the maximum of 1000000$/));
  assert.ok(!existsSync(out));
});

test('experiment --steps without --train is refused in one line', async () => {
  const out = join(dir, 'experiment');
  await assert.rejects(
    runCli(['experiment', '--steps', '5', '--out', out, '--models', join(dir, 'no-such-zoo')]),
    oneLine(ConfigError, /^invalid --steps = 5: applies only with --train/),
  );
  assert.ok(!existsSync(out));
});

test('an interrupted data generate folder is "incomplete", for openDataset and eval --data', async () => {
  const partial = join(dir, 'partial');
  mkdirSync(join(partial, 'left'), { recursive: true });
  writeFileSync(join(partial, IN_PROGRESS_NAME), '{}');
  const incomplete = /partial: incomplete: an interrupted `hilbertq data generate`; rerun it with the same options$/;
  assert.throws(() => openDataset(partial), oneLine(FileFormatError, incomplete));
  assert.throws(() => openDataset(partial, { format: 'generated' }), oneLine(FileFormatError, incomplete));
  const model = join(dir, 'unet.onnx');
  writeFileSync(model, tinyModel('unet'));
  await assert.rejects(runCli(['eval', '--model', model, '--data', partial]), oneLine(FileFormatError, incomplete));
  // A folder with neither marker nor manifest is still an unknown layout.
  rmSync(join(partial, IN_PROGRESS_NAME));
  assert.throws(() => openDataset(partial), /unknown dataset layout/);
  assert.deepEqual(readdirSync(partial), ['left']);
});

test('limit messages show the digits that tell a count from its limit; eval --synthetic is capped like data generate --count', async () => {
  assert.equal(megapixels(256), '0.000256 MP');
  assert.equal(megapixels(4_000_000), '4.0 MP');
  assert.equal(megapixelsOver(4_002_000, 4_000_000), '4.002 MP');
  assert.equal(megapixelsOver(6_000_000, 4_000_000), '6.0 MP');
  await assert.rejects(runCli(['eval', '--model', join(dir, 'none.onnx'), '--synthetic', '1e9']), oneLine(ConfigError, /^invalid --synthetic = 1000000000: is above the maximum of 1000000$/));
});

test('a vit is run up to the size its attention fits in (about 2 MP with 4 heads), unless HILBERTQ_MAX_INFER_PIXELS says otherwise', async () => {
  const vit = { family: 'vit', head: 'hilbert', dims: 5, order: 1, margin: 0.1, maxDisp: 64 } as const;
  assert.equal(modelPixelLimit({ ...vit, heads: 4 }).pixels, 2_023_857);
  assert.ok(modelPixelLimit({ ...vit, heads: 128 }).pixels < 400_000, 'more heads, less room');
  assert.equal(modelPixelLimit({ ...vit, family: 'unet' }).pixels, 4_000_000);
  process.env.HILBERTQ_MAX_INFER_PIXELS = '3000000';
  try {
    assert.equal(modelPixelLimit({ ...vit, heads: 4 }).pixels, 3_000_000);
  } finally {
    delete process.env.HILBERTQ_MAX_INFER_PIXELS;
  }
  // infer refuses a 1500x1500 pair for a vit, with a --resize that fits, before running it.
  const model = join(dir, 'vit.onnx');
  writeFileSync(model, tinyModel('vit'));
  const image = join(dir, 'square.png');
  writePng(image, { width: 1500, height: 1500, data: new Uint8Array(1500 * 1500 * 3).fill(120) });
  await assert.rejects(
    runCli(['infer', '--model', model, '--left', image, '--right', image, '--out', join(dir, 'square.pfm')]),
    oneLine(FileFormatError, /square\.png: 1500x1500 pixels \(2\.3 MP\) is over the vit's limit of 2\.0 MP per pair \(its attention over \d+ heads grows with the square of the pixels; HILBERTQ_MAX_INFER_PIXELS overrides it\): run it smaller with --resize \d+x\d+/),
  );
  assert.ok(!existsSync(join(dir, 'square.pfm')));
  // eval --synthetic refuses such a size before rendering, with a --size that fits (it has no --downscale).
  await assert.rejects(
    runCli(['eval', '--model', model, '--synthetic', '1', '--size', '1024x2048']),
    oneLine(ConfigError, /^invalid --size = 1024x2048: is 2\.1 MP per pair, over the vit's limit of 2\.0 MP per pair .*; pass --size \d+x\d+ or smaller$/),
  );
});

test('an error echoing control characters (a NUL, an escape, a newline) prints them as escapes, on one line', async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => errors.push(parts.join(' '));
  try {
    await main(['node', 'hilbertq', 'data', 'generate', '--out', '/nonexistent/never-written', '--size', '64\u0000x\u001b[2J\n128']);
  } finally {
    console.error = original;
    process.exitCode = undefined;
  }
  assert.equal(errors.length, 1);
  assert.equal(errors[0], 'hilbertq: invalid --size = 64\\x00x\\x1b[2J\\n128: expected HxW, e.g. 64x128');
  assert.equal(printable('a\tb\u007f\u009b\u202e\u2028'), 'a\\x09b\\x7f\\x9b\\u202e\\u2028');
});

test('a manifest past what can be parsed is refused by its size, before it is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-bigmanifest-'));
  try {
    // Sparse: 600 MiB on paper, nothing on disk.
    writeFileSync(join(dir, 'manifest.json'), '');
    truncateSync(join(dir, 'manifest.json'), 600 * 2 ** 20);
    assert.throws(() => openDataset(dir), oneLine(FileFormatError, /manifest\.json: is too large for a manifest \(600 MiB, over the 512 MiB read;/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("numeric flags take decimal notation only: '' is not 0, '0x10' not 16", () => {
  const steps = parseIntOption('--steps');
  for (const bad of ['', ' ', '0x10', '0b11', '0o7', '12abc', '1.5', 'NaN', '99999999999999999999']) {
    assert.throws(() => steps(bad), (e: unknown) => e instanceof ConfigError && e.message === `invalid --steps = ${bad}: must be an integer`, JSON.stringify(bad));
  }
  assert.deepEqual(['12', ' 7 ', '-3', '+4', '1e3'].map(steps), [12, 7, -3, 4, 1000]);
  const lr = parseNumberOption('--lr');
  for (const bad of ['', '0x10', '0b1', 'Infinity', '1e309', '5e-4x']) {
    assert.throws(() => lr(bad), (e: unknown) => e instanceof ConfigError && e.message === `invalid --lr = ${bad}: must be a number`, JSON.stringify(bad));
  }
  assert.deepEqual(['5e-4', '.5', '1.', '-2.5E+1'].map(lr), [5e-4, 0.5, 1, -25]);
});
