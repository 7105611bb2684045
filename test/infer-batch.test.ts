import { test, before, after } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../src/data/generate.js';
import { readPfmDisparity } from '../src/data/formats/disparity.js';
import { writePng } from '../src/data/formats/image.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { decodeModel, encodeModel } from '../src/onnx/onnx-proto.js';
import { ConfigError, FileFormatError } from '../src/util/errors.js';
import { oneLine, runCli, runCliWithStderr } from './cli-support.js';
import { tinyModel } from './quant-support.js';

let dir: string;
let model: string;
let dataset: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hilbertq-infer-batch-'));
  model = join(dir, 'unet.onnx');
  writeFileSync(model, tinyModel('unet'));
  dataset = join(dir, 'data');
  generateDataset({ out: dataset, count: 3, height: 32, width: 64, maxDisp: 12, seed: 0 });
});

after(() => rmSync(dir, { recursive: true, force: true }));


test('infer --data writes one PFM and PNG per pair, the same disparity as single-pair infer, and scores it with --eval', async () => {
  const out = join(dir, 'batch');
  const printed = await runCli(['infer', '--model', model, '--data', dataset, '--out', out, '--png', '--eval']);
  assert.deepEqual(readdirSync(out).sort(), ['000000.pfm', '000000.png', '000001.pfm', '000001.png', '000002.pfm', '000002.png', 'infer.json']);
  assert.match(printed, /3 disparities and PNG previews/);
  assert.match(printed, /non-occluded\s+EPE [\d.]+ px\s+D1 [\d.]+ %/);
  const single = join(dir, 'single.pfm');
  await runCli(['infer', '--model', model, '--left', join(dataset, 'left', '000001.png'), '--right', join(dataset, 'right', '000001.png'), '--out', single]);
  const a = readPfmDisparity(single);
  const b = readPfmDisparity(join(out, '000001.pfm'));
  assert.equal(b.width, 64);
  assert.equal(b.height, 32);
  assert.deepEqual(b.disp, a.disp);
});

test('infer --data names outputs after the samples and says so when --eval finds no ground truth', async () => {
  const kitti = join(dir, 'kitti');
  const s = new SyntheticStereo({ height: 32, width: 64, maxDisp: 12, seed: 1 }).sample(0);
  for (const [sub, data] of [['image_2', s.left], ['image_3', s.right]] as const) {
    mkdirSync(join(kitti, sub), { recursive: true });
    writePng(join(kitti, sub, '000007_10.png'), { width: 64, height: 32, data });
  }
  const out = join(dir, 'kitti-out');
  const { stderr } = await runCliWithStderr(['infer', '--model', model, '--data', kitti, '--out', out, '--eval']);
  assert.deepEqual(readdirSync(out).sort(), ['000007_10.pfm', 'infer.json']);
  assert.match(stderr, /^hilbertq: --eval: kitti:kitti has no ground-truth disparity/);
});

test('infer --data refuses an --out that is a file in one line, before loading anything', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', file]), oneLine(ConfigError, /--out = .*a-file: is a file; name a folder/));
  await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', join(dir, 'x'), '--png', 'x.png']), oneLine(ConfigError, /--png takes no file name|give --png without a file name/));
  // A model that does not load leaves no empty output folder behind.
  writeFileSync(join(dir, 'junk.onnx'), 'not a model');
  await assert.rejects(runCli(['infer', '--model', join(dir, 'junk.onnx'), '--data', dataset, '--out', join(dir, 'never', 'made')]), oneLine(FileFormatError, /junk\.onnx/));
  assert.ok(!existsSync(join(dir, 'never')), 'no folder created');
});

test('infer refuses a pair above HILBERTQ_MAX_INFER_PIXELS with a --resize that fits, which then runs', async () => {
  const left = join(dataset, 'left', '000000.png');
  const right = join(dataset, 'right', '000000.png');
  const out = join(dir, 'small.pfm');
  process.env.HILBERTQ_MAX_INFER_PIXELS = '1000';
  try {
    await assert.rejects(
      runCli(['infer', '--model', model, '--left', left, '--right', right, '--out', out]),
      oneLine(FileFormatError, /000000\.png: 32x64 pixels \(0\.00205 MP\) is over the inference limit of 0\.00100 MP per pair \(HILBERTQ_MAX_INFER_PIXELS\): run it smaller with --resize 16x32/),
    );
    assert.ok(!existsSync(out));
    await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', join(dir, 'big')]), oneLine(FileFormatError, /pair 000000: 32x64 pixels .* --resize 16x32/));
    assert.ok(!existsSync(join(dir, 'big')), 'a first pair refused for its size leaves no empty folder');
    await runCli(['infer', '--model', model, '--left', left, '--right', right, '--out', out, '--resize', '16x32']);
    assert.equal(readPfmDisparity(out).width, 64);
  } finally {
    delete process.env.HILBERTQ_MAX_INFER_PIXELS;
  }
});

test('an ONNX Runtime failure (wrong input names, unknown operator) is one line naming the model file', async () => {
  const proto = decodeModel(tinyModel('unet'));
  for (const input of proto.graph.input) if (input.name === 'left') input.name = 'left_view';
  for (const node of proto.graph.node) node.input = node.input.map((name) => (name === 'left' ? 'left_view' : name));
  const renamed = join(dir, 'renamed.onnx');
  writeFileSync(renamed, encodeModel(proto));
  const args = ['--left', join(dataset, 'left', '000000.png'), '--right', join(dataset, 'right', '000000.png'), '--out', join(dir, 'r.pfm')];
  await assert.rejects(runCli(['infer', '--model', renamed, ...args]), oneLine(FileFormatError, /renamed\.onnx: ONNX Runtime cannot run it \(.*left.*\)/));

  const broken = decodeModel(tinyModel('unet'));
  broken.graph.node[0].op_type = 'NoSuchOperator';
  const unknownOp = join(dir, 'unknown-op.onnx');
  writeFileSync(unknownOp, encodeModel(broken));
  await assert.rejects(runCli(['infer', '--model', unknownOp, ...args]), oneLine(FileFormatError, /unknown-op\.onnx: ONNX Runtime cannot load it/));
});

test('an interrupted data generate folder is named as such by infer --data', async () => {
  const partial = join(dir, 'partial');
  mkdirSync(join(partial, 'left'), { recursive: true });
  writeFileSync(join(partial, '.hilbertq-generate.json'), '{}');
  await assert.rejects(
    runCli(['infer', '--model', model, '--data', partial, '--out', join(dir, 'p-out')]),
    oneLine(FileFormatError, /partial: incomplete: an interrupted `hilbertq data generate`; rerun it with the same options/),
  );
  assert.ok(!existsSync(join(dir, 'p-out')), 'no output folder for a dataset that cannot be read');
});

test('infer --data refuses a dataset without pairs in one line, and makes no folder', async () => {
  const empty = join(dir, 'empty');
  generateDataset({ out: empty, count: 1, height: 32, width: 64, maxDisp: 12, seed: 0 });
  // generate makes at least one pair; a hand-edited manifest can list none.
  const manifest = JSON.parse(readFileSync(join(empty, 'manifest.json'), 'utf8')) as { count: number; samples: unknown[] };
  writeFileSync(join(empty, 'manifest.json'), JSON.stringify({ ...manifest, count: 0, samples: [] }));
  await assert.rejects(runCli(['infer', '--model', model, '--data', empty, '--out', join(dir, 'e-out')]), oneLine(ConfigError, /--data = .*empty: has no pairs: nothing to infer/));
  assert.ok(!existsSync(join(dir, 'e-out')));
});

test('infer never writes over its own inputs: --out onto the ground truth, --png onto a left image', async () => {
  const gt = join(dataset, 'disp');
  const before = readdirSync(gt).map((f) => readFileSync(join(gt, f)));
  await assert.rejects(
    runCli(['infer', '--model', model, '--data', dataset, '--out', gt, '--eval']),
    oneLine(ConfigError, /^invalid --out = .*disp\/000000\.pfm: would be written over .*disp\/000000\.pfm, an input of this run$/),
  );
  await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', join(dataset, 'left'), '--png']), oneLine(ConfigError, /^invalid --png = .*left\/000000\.png: would be written over/));
  assert.deepEqual(readdirSync(gt).map((f) => readFileSync(join(gt, f))), before, 'the ground truth is untouched');
  const [left, right] = ['left', 'right'].map((side) => join(dataset, side, '000000.png'));
  const leftBytes = readFileSync(left);
  await assert.rejects(
    runCli(['infer', '--model', model, '--left', left, '--right', right, '--out', join(dir, 'one.pfm'), '--png', left]),
    oneLine(ConfigError, /^invalid --png = .*left\/000000\.png: would be written over .*, an input of this run$/),
  );
  assert.deepEqual(readFileSync(left), leftBytes);
  assert.ok(!existsSync(join(dir, 'one.pfm')), 'nothing written');
  // A --png that is a folder is refused before the PFM is written.
  mkdirSync(join(dir, 'a-folder.png'));
  await assert.rejects(runCli(['infer', '--model', model, '--left', left, '--right', right, '--out', join(dir, 'one.pfm'), '--png', join(dir, 'a-folder.png')]), oneLine(ConfigError, /--png = .*a-folder\.png: is a folder/));
  assert.ok(!existsSync(join(dir, 'one.pfm')), 'no PFM either');
});

test('infer and eval warn about NaN disparities; eval refuses a pair over the inference limit before running it', async () => {
  // Every conv weight NaN (4-D initializers; not the Resize scales): the output, and so the disparity, is NaN everywhere.
  const proto = decodeModel(readFileSync(model));
  for (const init of proto.graph.initializer) if (init.data_type === 1 && init.dims.length === 4) init.raw_data = new Uint8Array(new Float32Array(init.raw_data.length / 4).fill(Number.NaN).buffer);
  const broken = join(dir, 'nan.onnx');
  writeFileSync(broken, encodeModel(proto));
  const [left, right] = ['left', 'right'].map((side) => join(dataset, side, '000000.png'));
  const inferred = await runCliWithStderr(['infer', '--model', broken, '--left', left, '--right', right, '--out', join(dir, 'nan.pfm')]);
  assert.match(inferred.stderr, /^hilbertq: warning: .*nan\.onnx predicted 2048 non-finite disparities \(NaN or infinite\) of 2048; written as they are/m);
  const evaluated = await runCliWithStderr(['eval', '--model', broken, '--pair', left, right, join(dataset, 'disp', '000000.pfm')]);
  assert.match(evaluated.stderr, /^hilbertq: warning: .*nan\.onnx predicted \d+ non-finite disparities \(NaN or infinite\) of \d+ scored pixels; they count as 0 px$/m);
  // A NaN reference: the quantization error leaves those pixels out, and says so.
  const against = await runCliWithStderr(['eval', '--model', model, '--against', broken, '--pair', left, right, join(dataset, 'disp', '000000.pfm'), '--json']);
  assert.match(against.stderr, /^hilbertq: warning: 2048 of 2048 pixels are NaN or infinite in .*unet\.onnx or .*nan\.onnx; the quantization error leaves them out$/m);
  const stats = (JSON.parse(against.stdout) as { quantError: { pixels: number; nonFinite: number } }).quantError;
  assert.deepEqual([stats.pixels, stats.nonFinite], [0, 2048]);
  const healthy = await runCliWithStderr(['eval', '--model', model, '--data', dataset]);
  assert.doesNotMatch(healthy.stderr, /non-finite/);
  process.env.HILBERTQ_MAX_INFER_PIXELS = '1000';
  try {
    await assert.rejects(runCli(['eval', '--model', model, '--data', dataset]), oneLine(FileFormatError, /pair 0: 32x64 pixels \(0\.00205 MP\) is over the inference limit of 0\.00100 MP per pair \(HILBERTQ_MAX_INFER_PIXELS\): evaluate it with --downscale 2$/));
    // Already shrunk by --downscale 2 (16x32, 512 pixels): the suggestion is the whole factor, 4.
    process.env.HILBERTQ_MAX_INFER_PIXELS = '200';
    await assert.rejects(runCli(['eval', '--model', model, '--data', dataset, '--downscale', '2']), oneLine(FileFormatError, /pair 0: 16x32 pixels .* evaluate it with --downscale 4$/));
  } finally {
    delete process.env.HILBERTQ_MAX_INFER_PIXELS;
  }
});

test('infer --data writes its folder whole: a failing pair leaves nothing, a rerun replaces its own folder, other folders are refused', async () => {
  const broken = join(dir, 'broken-data');
  generateDataset({ out: broken, count: 3, height: 32, width: 64, maxDisp: 12, seed: 0 });
  writeFileSync(join(broken, 'left', '000002.png'), readFileSync(join(broken, 'left', '000002.png')).subarray(0, 60));
  const out = join(dir, 'whole');
  await assert.rejects(runCli(['infer', '--model', model, '--data', broken, '--out', out]), oneLine(FileFormatError, /000002\.png/));
  assert.ok(!existsSync(out), 'pairs 0 and 1 are not left behind as if the run had finished');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('staging')), [], 'no staging folder left');

  // A first run with previews, then one without: the second replaces the first's folder whole.
  await runCli(['infer', '--model', model, '--data', dataset, '--out', out, '--png']);
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.png')).length, 3);
  await runCli(['infer', '--model', model, '--data', dataset, '--out', out]);
  assert.deepEqual(readdirSync(out).sort(), ['000000.pfm', '000001.pfm', '000002.pfm', 'infer.json'], 'no stale previews');
  // A failing rerun keeps the earlier folder as it was.
  await assert.rejects(runCli(['infer', '--model', model, '--data', broken, '--out', out]), oneLine(FileFormatError, /000002\.png/));
  assert.deepEqual(readdirSync(out).sort(), ['000000.pfm', '000001.pfm', '000002.pfm', 'infer.json']);

  const mine = join(dir, 'my-folder');
  mkdirSync(mine);
  writeFileSync(join(mine, 'notes.txt'), 'keep me');
  await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', mine]), oneLine(ConfigError, /my-folder: is a folder holding other files \(no infer\.json\)/));
  assert.deepEqual(readdirSync(mine), ['notes.txt']);
  // Nor may the folder to replace hold the run's inputs.
  await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', dir]), oneLine(ConfigError, /holds .*, an input of this run, and would be replaced/));
});

test('single-pair infer refuses a --png or --out under a file before it runs, and leaves an earlier PFM as it was', async () => {
  const [left, right] = ['left', 'right'].map((side) => join(dataset, side, '000000.png'));
  const out = join(dir, 'kept.pfm');
  writeFileSync(out, 'earlier result');
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'x');
  await assert.rejects(
    runCli(['infer', '--model', model, '--left', left, '--right', right, '--out', out, '--png', join(file, 'v.png')]),
    oneLine(ConfigError, /--png = .*plain-file\/v\.png: .*plain-file is a file, not a folder/),
  );
  await assert.rejects(runCli(['infer', '--model', model, '--left', left, '--right', right, '--out', join(file, 'sub', 'd.pfm')]), oneLine(ConfigError, /--out = .*plain-file is a file, not a folder/));
  // An empty --resize was taken as no --resize.
  await assert.rejects(runCli(['infer', '--model', model, '--left', left, '--right', right, '--out', out, '--resize', '']), oneLine(ConfigError, /--resize = : expected HxW/));
  await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', join(dir, 'r-out'), '--resize', '']), oneLine(ConfigError, /--resize = : expected HxW/));
  assert.equal(readFileSync(out, 'utf8'), 'earlier result');
});

test('infer --data replaces only a folder its record describes, never the working folder, and tidies what killed runs left', async () => {
  const out = join(dir, 'tidy');
  await runCli(['infer', '--model', model, '--data', dataset, '--out', out]);
  // A file added to the earlier output since: the folder is no longer only what that run wrote.
  writeFileSync(join(out, 'notes.txt'), 'mine');
  await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', out]), oneLine(ConfigError, /tidy: holds files its infer\.json does not list \(notes\.txt\)/));
  assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'mine');
  rmSync(join(out, 'notes.txt'));

  // A dead run's staging (a pid no process has) with a stale file: removed, never published.
  const dead = 4194303;
  const stale = join(dir, `.tidy.staging-${dead}-0000`);
  mkdirSync(stale);
  writeFileSync(join(stale, 'stale.png'), 'x');
  await runCli(['infer', '--model', model, '--data', dataset, '--out', out]);
  assert.ok(!existsSync(stale));
  assert.deepEqual(readdirSync(out).sort(), ['000000.pfm', '000001.pfm', '000002.pfm', 'infer.json']);

  // Killed between commit's two renames: the old folder goes back in place.
  const aside = join(dir, `.tidy.staging-${dead}-0001-replaced`);
  renameSync(out, aside);
  writeFileSync(join(dir, 'junk2.onnx'), 'not a model');
  await assert.rejects(runCli(['infer', '--model', join(dir, 'junk2.onnx'), '--data', dataset, '--out', out]), oneLine(FileFormatError, /junk2\.onnx/));
  assert.deepEqual(readdirSync(out).sort(), ['000000.pfm', '000001.pfm', '000002.pfm', 'infer.json']);
  assert.ok(!existsSync(aside));

  // The working folder, or one above it, cannot be renamed away at the end: refused before the run.
  const work = join(dir, 'cwd-test', 'inner');
  mkdirSync(work, { recursive: true });
  const home = process.cwd();
  process.chdir(work);
  try {
    for (const target of ['.', '..']) {
      await assert.rejects(runCli(['infer', '--model', model, '--data', dataset, '--out', target]), oneLine(ConfigError, /is the working folder or holds it/));
    }
  } finally {
    process.chdir(home);
  }
  assert.deepEqual(readdirSync(join(dir, 'cwd-test')), ['inner']);
});

test('infer --data stopped by SIGINT exits 130 and leaves neither --out nor its staging', async () => {
  const many = join(dir, 'many');
  generateDataset({ out: many, count: 1500, height: 32, width: 64, maxDisp: 12, seed: 3 });
  const out = join(dir, 'stopped');
  const args = ['infer', '--model', model, '--data', many, '--out', out];
  const script = `import { main } from ${JSON.stringify(join(import.meta.dirname, '..', 'src', 'cli', 'main.ts'))}; await main(['node', 'hilbertq', ...${JSON.stringify(args)}]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
  const exited = new Promise<number | string | null>((r) => child.once('exit', (c, s) => r(c ?? s)));
  const staging = (): string[] => readdirSync(dir).filter((f) => f.startsWith('.stopped.staging-'));
  const deadline = performance.now() + 60_000;
  // Inference has begun once the staging folder holds a pair.
  while (!staging().some((f) => readdirSync(join(dir, f)).length > 0)) {
    assert.ok(child.exitCode === null && performance.now() < deadline, 'the run never began, or ended before it could be stopped');
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.deepEqual(staging(), [], 'the staging folder went with the process');
  assert.ok(!existsSync(out));
});
