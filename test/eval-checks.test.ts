import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePfmDisparity } from '../src/data/formats/disparity.js';
import { writePng } from '../src/data/formats/image.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { initialParamValues } from '../src/models/init.js';
import { buildModelGraph } from '../src/models/model.js';
import { encodeWeights, writeWeightsDir } from '../src/models/weights-io.js';
import { exportModelDir } from '../src/onnx/export-dir.js';
import { METADATA_KEYS, readOnnxMetadata, TRAINING_SCENES_KEY, WEIGHTS_SHA256_KEY } from '../src/onnx/metadata.js';
import { DataType, decodeModel, encodeModel } from '../src/onnx/onnx-proto.js';
import { makeTensor } from '../src/quant/tensors.js';
import { QUANT_METADATA_KEYS } from '../src/quant/metadata.js';
import { DepthPredictor } from '../src/infer/depth-predictor.js';
import { ConfigError, FileFormatError } from '../src/util/errors.js';
import { oneLine, runCli, runCliWithStderr } from './cli-support.js';
import { TINY, tinyModel } from './quant-support.js';

let dir: string;
const folder = (name: string): string => join(dir, name);
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const SYNTHETIC = ['--synthetic', '1', '--size', '32x64'];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hilbertq-eval-checks-'));
  const graph = buildModelGraph({ ...TINY, family: 'unet', head: 'hilbert' });
  for (const [name, seed] of [['m1', 3], ['m2', 5]] as const) {
    const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, seed));
    writeWeightsDir(folder(name), manifest, bin);
    exportModelDir(folder(name), folder(`${name}.onnx`));
  }
  await runCli(['quantize', folder('m1.onnx'), '--scheme', 'w8a8', '--synthetic', '2', '--size', '32x64', '--out', folder('q1.onnx')]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('quantize records the sha256 of the float ONNX and keeps the export\'s weights.bin sha256', () => {
  const meta = readOnnxMetadata(readFileSync(folder('q1.onnx')));
  assert.equal(meta[QUANT_METADATA_KEYS.sourceSha256], sha256(folder('m1.onnx')));
  assert.equal(meta[WEIGHTS_SHA256_KEY], sha256(join(folder('m1'), 'weights.bin')));
});

test('eval --against refuses a reference the quantized model was not made from, ONNX or folder', async () => {
  await assert.rejects(runCli(['eval', '--model', folder('q1.onnx'), '--against', folder('m2.onnx'), ...SYNTHETIC]), (err: Error) => {
    assert.ok(err instanceof ConfigError, err.message);
    assert.match(err.message, /^invalid --against = .*m2\.onnx: is not the model .*q1\.onnx was quantized from \(it records float model sha256 [0-9a-f]{12}, .*m2\.onnx has [0-9a-f]{12}\)$/);
    return true;
  });
  await assert.rejects(runCli(['eval', '--model', folder('q1.onnx'), '--against', folder('m2'), ...SYNTHETIC]), /invalid --against = .*m2: holds other weights than .*q1\.onnx was made from/);
  const { stdout, stderr } = await runCliWithStderr(['eval', '--model', folder('q1.onnx'), '--against', folder('m1.onnx'), ...SYNTHETIC]);
  assert.match(stdout, /vs .*m1\.onnx: robust std/);
  assert.equal(stderr, '');
  const fromFolder = await runCliWithStderr(['eval', '--model', folder('q1.onnx'), '--against', folder('m1'), ...SYNTHETIC]);
  assert.equal(fromFolder.stderr, '');
});

test('a model quantized before the hashes were recorded gets a one-line warning, not an error', async () => {
  const proto = decodeModel(readFileSync(folder('q1.onnx')));
  proto.metadata_props = (proto.metadata_props ?? []).filter((p) => p.key !== QUANT_METADATA_KEYS.sourceSha256 && p.key !== WEIGHTS_SHA256_KEY);
  writeFileSync(folder('old.onnx'), encodeModel(proto));
  const { stdout, stderr } = await runCliWithStderr(['eval', '--model', folder('old.onnx'), '--against', folder('m2.onnx'), ...SYNTHETIC]);
  assert.match(stdout, /vs .*m2\.onnx/);
  assert.match(stderr, /^hilbertq: warning: .*old\.onnx records no source model hash \(made before hilbertq recorded it\), so whether it was made from .*m2\.onnx is not checked; requantize it to enable the check$/);
});

test('eval warns once about ground truth that is negative or above the model\'s maxDisp, and still scores', async () => {
  const s = new SyntheticStereo({ height: 32, width: 64, maxDisp: 12, seed: 4 }).sample(0);
  writePng(folder('l.png'), { width: 64, height: 32, data: s.left });
  writePng(folder('r.png'), { width: 64, height: 32, data: s.right });
  const disp = new Float32Array(32 * 64).fill(5);
  disp.fill(40, 0, 100);
  disp.fill(-2, 100, 120);
  // Unknown (inf) pixels are invalid, not out of range.
  disp.fill(Infinity, 120, 130);
  writePfmDisparity(folder('gt.pfm'), { width: 64, height: 32, disp, valid: disp.map((d) => (Number.isFinite(d) ? 1 : 0)) as unknown as Uint8Array });
  const { stdout, stderr } = await runCliWithStderr(['eval', '--model', folder('m1.onnx'), '--pair', folder('l.png'), folder('r.png'), folder('gt.pfm')]);
  assert.match(stdout, /all valid\s+EPE/);
  assert.match(
    stderr,
    /^hilbertq: warning: 120 of 2038 valid ground-truth pixels of pair:l\.png \(5\.89 %\) are outside the model's range 0\.\.12 px \(20 negative, 0 non-finite, 100 above 12 px; largest 40 px\); they are scored as given, non-finite ones skipped$/,
  );
});

test('a scene style this version does not know is refused naming the file, not read as mixed', async () => {
  // A model folder whose training record names an unknown style: eval and export refuse it.
  const graph = buildModelGraph({ ...TINY, family: 'unet', head: 'hilbert' });
  const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 3));
  const meta = { training: { config: { height: 32, width: 64, data: { scenes: 'forest' } } } };
  writeWeightsDir(folder('forest'), { ...manifest, meta }, bin);
  await assert.rejects(
    runCli(['eval', '--model', folder('forest'), '--synthetic', '1']),
    oneLine(FileFormatError, /forest\/model\.json: meta\.training\.config\.data\.scenes is "forest", not a scene style this hilbertq knows \(mixed, precision, room\)$/),
  );
  assert.throws(() => exportModelDir(folder('forest'), folder('forest.onnx')), /forest\/model\.json: meta\.training\.config\.data\.scenes is "forest"/);
  // The same in an ONNX file's metadata: quantize --synthetic and eval refuse before rendering scenes.
  const proto = decodeModel(readFileSync(folder('m1.onnx')));
  proto.metadata_props = [...(proto.metadata_props ?? []).filter((p) => p.key !== TRAINING_SCENES_KEY), { key: TRAINING_SCENES_KEY, value: 'forest' }];
  writeFileSync(folder('forest-meta.onnx'), encodeModel(proto));
  const refusal = oneLine(FileFormatError, /forest-meta\.onnx: hilbertq\.training_scenes is "forest", not a scene style/);
  await assert.rejects(runCli(['quantize', folder('forest-meta.onnx'), '--scheme', 'w8a8', '--synthetic', '1', '--out', folder('fq.onnx')]), refusal);
  await assert.rejects(runCli(['eval', '--model', folder('forest-meta.onnx'), '--synthetic', '1']), refusal);
  assert.ok(!existsSync(folder('fq.onnx')), 'nothing written');
});

test('a model whose stride or output quantization metadata is absurd is refused at load, naming the file', async () => {
  const proto = decodeModel(readFileSync(folder('q1.onnx')));
  const edited = (key: string, value: string): string => {
    const file = folder(`bad-${key.replace(/\W/g, '_')}-${value.replace(/\W/g, '_')}.onnx`);
    const copy = decodeModel(readFileSync(folder('q1.onnx')));
    copy.metadata_props = [...(proto.metadata_props ?? []).filter((p) => p.key !== key), { key, value }];
    writeFileSync(file, encodeModel(copy));
    return file;
  };
  const cases: [string, string, RegExp][] = [
    // A stride of 1e9 overflowed a typed array; 4096 padded a small pair to gigabytes.
    [METADATA_KEYS.stride, '1000000000', /has invalid hilbertq\.stride "1000000000" \(an integer in 1\.\.64\)/],
    [METADATA_KEYS.stride, '4096', /has invalid hilbertq\.stride/],
    [METADATA_KEYS.stride, '0x10', /has invalid hilbertq\.stride/],
    [QUANT_METADATA_KEYS.outputScale, 'Infinity', /inconsistent output quantization metadata \(dtype uint8, scale "Infinity"/],
    [QUANT_METADATA_KEYS.outputScale, '0x10', /inconsistent output quantization metadata/],
    [QUANT_METADATA_KEYS.outputZeroPoint, '300', /zero point "300": expected/],
    [QUANT_METADATA_KEYS.outputZeroPoint, '-5', /zero point "-5": expected/],
    [QUANT_METADATA_KEYS.outputZeroPoint, '', /inconsistent output quantization metadata/],
    // null, an array or a number used to reach the checks as "Cannot read properties of null".
    [METADATA_KEYS.config, 'null', /has invalid hilbertq\.config: invalid model config = null: expected a JSON object$/],
    [METADATA_KEYS.config, '[1,2]', /invalid model config = \[1,2\]: expected a JSON object$/],
    [METADATA_KEYS.config, '7', /invalid model config = 7: expected a JSON object$/],
  ];
  for (const [key, value, message] of cases) {
    const file = edited(key, value);
    await assert.rejects(DepthPredictor.load(file), (e: unknown) => e instanceof FileFormatError && e.message.startsWith(`${file}: `) && message.test(e.message), `${key} = "${value}"`);
  }
  // A curve the codec refuses names the file at load, not after a run.
  const config = JSON.parse(proto.metadata_props?.find((p) => p.key === METADATA_KEYS.config)?.value ?? '{}') as Record<string, unknown>;
  const order30 = edited(METADATA_KEYS.config, JSON.stringify({ ...config, order: 30 }));
  await assert.rejects(DepthPredictor.load(order30), (e: unknown) => e instanceof FileFormatError && e.message.startsWith(`${order30}: has invalid hilbertq.config: invalid order = 30`));
  const huge = edited(METADATA_KEYS.config, JSON.stringify({ ...config, maxDisp: 1e9 }));
  await assert.rejects(DepthPredictor.load(huge), (e: unknown) => e instanceof FileFormatError && e.message.startsWith(`${huge}: has invalid hilbertq.config: invalid maxDisp = 1000000000: expected an integer in 4..8192`));
  // The real metadata still loads; a scheme with escape sequences is printed without them.
  const ok = await DepthPredictor.load(folder('q1.onnx'));
  await ok.release();
  const shouting = await DepthPredictor.load(edited(QUANT_METADATA_KEYS.scheme, '\u001b[31mw8a8\nx'));
  assert.equal(shouting.scheme, '\\x1b[31mw8a8\\nx');
  await shouting.release();
  // uint8 codes under metadata that says uint16 are refused when the output comes, not misread.
  const liar = edited(QUANT_METADATA_KEYS.outputDtype, 'uint16');
  const wide = await DepthPredictor.load(liar);
  const image = { width: 64, height: 32, data: new Uint8Array(64 * 32 * 3).fill(100) };
  await assert.rejects(wide.predict(image, image), (e: unknown) => e instanceof FileFormatError && e.message === `${liar}: outputs uint8, but its metadata describes uint16`);
  await wide.release();
});

test('a model ONNX Runtime fails to run is one line on stderr: ORT logs nothing of its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-ortlog-'));
  try {
    // The second conv's weight gets one input channel too many: ORT loads the graph, then fails to run it.
    const model = decodeModel(tinyModel('unet', 'direct'));
    const second = model.graph.node.filter((n) => n.op_type === 'Conv')[1];
    const i = model.graph.initializer.findIndex((t) => t.name === second.input[1]);
    const [o, c, kh, kw] = model.graph.initializer[i].dims.map(Number);
    model.graph.initializer[i] = makeTensor(second.input[1], DataType.FLOAT, [o, c + 1, kh, kw], new Float32Array(o * (c + 1) * kh * kw));
    const file = join(dir, 'broken.onnx');
    writeFileSync(file, encodeModel(model));
    const script = `
      import { DepthPredictor } from ${JSON.stringify(new URL('../src/infer/depth-predictor.ts', import.meta.url).href)};
      const p = await DepthPredictor.load(${JSON.stringify(file)});
      const image = { width: 64, height: 32, data: new Uint8Array(64 * 32 * 3).fill(100) };
      try { await p.predict(image, image); } catch (err) { console.log(err.message); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.match(child.stdout, /broken\.onnx: ONNX Runtime cannot run it \(.*Conv/);
    assert.equal(child.stderr, '', 'ORT printed its own log of the failure');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
