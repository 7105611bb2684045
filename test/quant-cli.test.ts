import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../src/data/generate.js';
import { decodeModel, encodeModel } from '../src/onnx/onnx-proto.js';
import { readQuantizedOutputInfo } from '../src/quant/metadata.js';
import { ConfigError, FileFormatError, HilbertqError } from '../src/util/errors.js';
import { runCli, runCliWithStderr } from './cli-support.js';
import { tinyModel } from './quant-support.js';

let dir: string;
let floatFile: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hilbertq-quant-cli-'));
  floatFile = join(dir, 'unet.onnx');
  writeFileSync(floatFile, tinyModel('unet'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

function runQuantize(args: string[]): Promise<string> {
  return runCli(['quantize', ...args]);
}

/** Runs a failing command: one-line error of `kind` that names `culprit`, and no file written. */
async function expectFailure(args: string[], kind: new (...args: never[]) => HilbertqError, culprit: string, out: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  await assert.rejects(runQuantize([...args, '--out', out]), (err: Error) => {
    assert.ok(err instanceof kind, `${err.name}: ${err.message}`);
    assert.ok(err.message.includes(culprit), err.message);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
  assert.ok(!existsSync(out), 'nothing written');
  assert.deepEqual(new Set(readdirSync(dir)), before, 'no temporary files left behind');
}

test('quantize --synthetic writes the model and prints ops, weights, ranges and the output scale', async () => {
  const out = join(dir, 'unet.w8a8.onnx');
  const text = await runQuantize([floatFile, '--scheme', 'w8a8', '--synthetic', '2', '--size', '32x64']);
  assert.ok(existsSync(out), 'default --out is <model>.<scheme>.onnx');
  for (const part of ['quantized:', 'Conv 19', 'folded', 'MatMul 2 (stem.corr/products, stem.corr2/products)', 'Conv 2 (left.enc1.conv, right.enc1.conv)', 'float:', 'Softmax 1 (stem.match.softmax)', 'weights:', 'KiB', 'ranges:', 'output:      uint8, scale']) {
    assert.ok(text.includes(part), `${part} in\n${text}`);
  }
  const info = readQuantizedOutputInfo(readFileSync(out));
  assert.equal(info?.scheme, 'w8a8');
  assert.ok(text.includes(`scale ${info?.scale}, zero point ${info?.zeroPoint}`));
});

test('quantize --calib takes pairs from a dataset folder (cropped to the model stride)', async () => {
  const data = join(dir, 'calib');
  generateDataset({ out: data, count: 2, height: 40, width: 72, maxDisp: 12, seed: 5 });
  const out = join(dir, 'unet.calib.onnx');
  const json = JSON.parse(await runQuantize([floatFile, '--scheme', 'w8a16', '--calib', data, '--method', 'percentile', '--json', '--out', out]));
  assert.equal(json.calibration.pairs, 2);
  assert.equal(json.calibration.passes, 2);
  assert.equal(json.output.dtype, 'uint16');
  assert.ok(existsSync(out));
  // The calibration data is an input of the run: --out onto it is refused, nothing written.
  const manifest = readFileSync(join(data, 'manifest.json'));
  await assert.rejects(runQuantize([floatFile, '--scheme', 'w8a8', '--calib', data, '--out', join(data, 'manifest.json')]), (err: Error) => err instanceof ConfigError && /would be written over/.test(err.message));
  assert.deepEqual(readFileSync(join(data, 'manifest.json')), manifest);
  // The data's range (12 px) is the model's: no warning. Another range is named, and calibrated on all the same.
  const quiet = await runCliWithStderr(['quantize', floatFile, '--scheme', 'w8a8', '--calib', data, '--json', '--out', join(dir, 'quiet.onnx')]);
  assert.doesNotMatch(quiet.stderr, /warning/);
  const wide = join(dir, 'calib-wide');
  generateDataset({ out: wide, count: 1, height: 32, width: 64, maxDisp: 24, seed: 5 });
  const loud = await runCliWithStderr(['quantize', floatFile, '--scheme', 'w8a8', '--calib', wide, '--json', '--out', join(dir, 'wide.onnx')]);
  assert.match(loud.stderr, /warning: --calib .*calib-wide holds mixed scenes with a range of 24 px, but .*unet\.onnx was trained on unrecorded scenes with a range of 12 px/);
  assert.ok(existsSync(join(dir, 'wide.onnx')));
});

test('quantize --exclude leaves the named nodes float and reports them', async () => {
  const out = join(dir, 'unet.excluded.onnx');
  // w8a8-pt: w8a8 leaves the image convs float by its own rule.
  const json = JSON.parse(await runQuantize([floatFile, '--scheme', 'w8a8-pt', '--synthetic', '1', '--size', '32x64', '--exclude', 'left.enc1.conv, right.enc1.conv', '--json', '--out', out]));
  assert.deepEqual(json.floatOps.Conv, ['left.enc1.conv', 'right.enc1.conv']);
  await expectFailure([floatFile, '--scheme', 'w8a8', '--synthetic', '1', '--exclude', 'nope'], ConfigError, 'nope', join(dir, 'unet.nope.onnx'));
});

test('bad input fails with one line naming the file and writes nothing', async () => {
  const out = join(dir, 'never.onnx');
  const synthetic = ['--scheme', 'w8a8', '--synthetic', '1', '--size', '32x64'];
  await expectFailure([join(dir, 'missing.onnx'), ...synthetic], FileFormatError, 'missing.onnx', out);

  const corrupt = join(dir, 'corrupt.onnx');
  writeFileSync(corrupt, 'this is not protobuf at all, just text');
  await expectFailure([corrupt, ...synthetic], FileFormatError, corrupt, out);

  const bare = join(dir, 'no-metadata.onnx');
  const model = decodeModel(tinyModel('unet'));
  writeFileSync(bare, encodeModel({ ...model, metadata_props: [] }));
  await expectFailure([bare, ...synthetic], FileFormatError, bare, out);

  // A NaN weight, and a weight kept in an external data file (no bytes in the model).
  const nanWeights = decodeModel(tinyModel('unet'));
  const conv = nanWeights.graph.initializer.find((t) => t.data_type === 1 && t.dims.length === 4)!;
  conv.raw_data = new Uint8Array(new Float32Array(conv.raw_data.byteLength / 4).fill(Number.NaN).buffer);
  writeFileSync(join(dir, 'nan.onnx'), encodeModel(nanWeights));
  await expectFailure([join(dir, 'nan.onnx'), ...synthetic], FileFormatError, `initializer ${conv.name} holds NaN or infinite weights`, out);
  conv.raw_data = new Uint8Array(0);
  writeFileSync(join(dir, 'external.onnx'), encodeModel(nanWeights));
  await expectFailure([join(dir, 'external.onnx'), ...synthetic], FileFormatError, `keeps the weights of ${conv.name} outside the model`, out);

  const quantized = join(dir, 'unet.w8a8.once.onnx');
  await runQuantize([floatFile, ...synthetic, '--out', quantized]);
  await expectFailure([quantized, ...synthetic], FileFormatError, 'already quantized', out);

  const notData = join(dir, 'not-a-dataset');
  mkdirSync(notData);
  await expectFailure([floatFile, '--scheme', 'w8a8', '--calib', notData], FileFormatError, notData, out);

  await expectFailure([floatFile, '--synthetic', '1'], ConfigError, '--scheme', out);
  await expectFailure([floatFile, '--scheme', 'w4a4', '--synthetic', '1'], ConfigError, 'w4a4', out);
  await expectFailure([floatFile, '--scheme', 'w8a8'], ConfigError, '--calib/--synthetic', out);
  // --percentile is a setting of the percentile method: with MinMax it would be ignored.
  await expectFailure([floatFile, ...synthetic, '--method', 'minmax', '--percentile', '99.9'], ConfigError, '--percentile', out);
  await expectFailure([floatFile, ...synthetic.slice(0, 4), '--size', '30x64'], ConfigError, 'stride', out);

  // An output that cannot be written is found before calibrating (it failed at the end before).
  const folder = join(dir, 'out-folder');
  mkdirSync(folder);
  await assert.rejects(runQuantize([floatFile, ...synthetic, '--out', folder]), /--out = .*out-folder: is a folder/);
  await assert.rejects(runQuantize([floatFile, ...synthetic, '--out', join(corrupt, 'x.onnx')]), /corrupt\.onnx is a file, not a folder/);
});
