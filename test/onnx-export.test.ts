import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { registerExportCommand } from '../src/cli/export.js';
import { GraphBuilder } from '../src/models/graph-builder.js';
import { initialParamValues } from '../src/models/init.js';
import { OP_TYPES, type ModelGraph, type OpType } from '../src/models/ir.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { matchingCost } from '../src/models/stereo-stem.js';
import { disposeParams, paramsFromValues, runGraph } from '../src/models/tfjs-build.js';
import { encodeWeights, writeWeightsDir } from '../src/models/weights-io.js';
import { exportModelDir } from '../src/onnx/export-dir.js';
import { exportOnnx, type ExportOptions } from '../src/onnx/export.js';
import { METADATA_KEYS, readOnnxMetadata, WEIGHTS_SHA256_KEY } from '../src/onnx/metadata.js';
import { decodeModel, encodeModel } from '../src/onnx/onnx-proto.js';
import { irValuesOf, reexportOnnx } from '../src/onnx/reexport.js';
import { createOrtSession, runStereo, saveOptimizedModel, type NchwTensor } from '../src/onnx/ort.js';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { FileFormatError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';

const TOLERANCE = 1e-4;
const SMALL: Omit<ModelConfig, 'family' | 'head'> = { dims: 2, order: 3, margin: 0.1, maxDisp: 12, width: 0.25 };
/** Every IR op type some test graph exercised; checked against OP_TYPES at the end. */
const covered = new Set<OpType>();

before(async () => {
  await initTrainingBackend('wasm');
});

function randomNchw(dims: number[], seed: number): NchwTensor {
  const rng = new Rng(seed, 1);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  return { data, dims };
}

/** Runs the IR with tfjs and the export with ORT at each [N, H, W]; returns the max abs difference per size. */
async function parity(graph: ModelGraph, values: Map<string, Float32Array>, sizes: number[][], opset?: number, opts: Pick<ExportOptions, 'matchingCost'> = {}): Promise<number[]> {
  for (const n of graph.nodes) covered.add(n.op);
  // The IR graph as tfjs runs it, the head's tail included.
  const session = await createOrtSession(exportOnnx(graph, values, { opset, headTail: 'graph', ...opts }));
  const params = paramsFromValues(graph, values);
  const diffs: number[] = [];
  try {
    for (const [n, h, w] of sizes) {
      const left = randomNchw([n, 3, h, w], 10 * h + w);
      const right = randomNchw([n, 3, h, w], 10 * h + w + 1);
      const expected = tf.tidy(() => {
        const t = (x: NchwTensor): tf.Tensor4D => tf.tensor4d(x.data, x.dims as [number, number, number, number]);
        return runGraph(graph, params, { left: t(left), right: t(right) }, { layout: 'NCHW' });
      });
      const want = expected.dataSync();
      const got = await runStereo(session, { left, right });
      assert.deepEqual(got.dims, expected.shape);
      expected.dispose();
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i] - got.data[i]));
      // A flat output would make the comparison vacuous.
      assert.ok(Math.max(...want) - Math.min(...want) > 1e-3, 'output varies over the image');
      diffs.push(maxDiff);
    }
  } finally {
    disposeParams(params);
    await session.release();
  }
  return diffs;
}

function opTypes(model: Uint8Array): Set<string> {
  return new Set(decodeModel(model).graph.node.map((n) => (n.domain ? `${n.domain}:${n.op_type}` : n.op_type)));
}

for (const family of ['unet', 'vit'] as const) {
  for (const head of ['direct', 'hilbert'] as const) {
    test(`${family}-${head}: ORT output matches tfjs at two input sizes (dynamic N, H, W)`, async (t) => {
      const graph = buildModelGraph({ ...SMALL, family, head });
      assert.equal(graph.stride, 16);
      const diffs = await parity(graph, initialParamValues(graph, 3), [[2, 32, 64], [1, 48, 96]]);
      t.diagnostic(`max abs diff ${diffs.map((d) => d.toExponential(2)).join(', ')}`);
      for (const d of diffs) assert.ok(d <= TOLERANCE, `max abs diff ${d}`);
    });
  }
}

test('opsets 18 (ReduceMean axes as an input) and 21 give the same outputs', async () => {
  const graph = buildModelGraph({ ...SMALL, family: 'vit', head: 'hilbert' });
  for (const opset of [18, 21]) {
    const [diff] = await parity(graph, initialParamValues(graph, 5), [[1, 32, 48]], opset);
    assert.ok(diff <= TOLERANCE, `opset ${opset}: max abs diff ${diff}`);
  }
  assert.throws(() => exportOnnx(graph, initialParamValues(graph, 5), { opset: 16 }), /opset/);
});

/** The ops and attribute cases the two model families leave out: relu6, nearest resize, x4 resizes, channel/row slices, ... */
function miniGraph(): ModelGraph {
  const b = new GraphBuilder();
  const left = b.input('left', 3);
  const right = b.input('right', 3);
  const same = b.node('affine', 'left.same', [left], { scale: 1, bias: 0 });
  const c1 = b.conv('c1', same, 8, { act: 'relu6' });
  const c2 = b.conv('c2', c1, 8, { stride: 2 });
  const c4 = b.conv('c4', c2, 8, { stride: 2, dilation: 1 });
  const near2 = b.upsample('near2', c2, 2, 'nearest');
  const near4 = b.upsample('near4', c4, 4, 'nearest');
  const bil4 = b.upsample('bil4', c4, 4, 'bilinear');
  const chans = b.node('slice', 'chans', [near2], { axis: 1, start: 2, end: -2 });
  const padded = b.node('pad', 'rows.pad', [chans], { top: 1, bottom: 2, left: 3, right: 0 });
  const rows = b.node('slice', 'rows', [padded], { axis: 2, start: 1, end: -2 });
  const cols = b.node('slice', 'cols', [rows], { axis: 3, start: 3, end: null });
  const dil = b.conv('dil', b.node('affine', 'right.norm', [right], { scale: 0.5, bias: 0 }), 4, { dilation: 2, act: 'none' });
  const tokens = b.node('toTokens', 'tokens', [c4], {});
  const normed = b.layerNorm('ln', tokens);
  const attn = b.node('softmax', 'attn', [b.node('matMul', 'gram', [normed, b.node('transpose', 'tokens.t', [normed], { perm: [0, 2, 1] })], {})], {
    axis: -1,
  });
  const split = b.node('reshape', 'split', [tokens], { shape: [0, 0, 2, 4] });
  const swapped = b.node('transpose', 'swapped', [split], { perm: [0, 1, 3, 2] });
  const mixed = b.node('matMul', 'mixed', [attn, b.node('reshape', 'merged', [swapped], { shape: [0, 0, 8] })], {});
  const back = b.node('fromTokens', 'back', [b.linear('proj', mixed, 8, { act: 'relu' }), c4], {});
  const back1 = b.upsample('back.up', back, 4, 'bilinear');
  const mean = b.node('reduceMean', 'mean', [b.node('mul', 'prod', [near4, bil4], {})], { axis: 1 });
  const cat = b.node('concat', 'cat', [cols, dil, mean, back1], { axis: 1 });
  const out = b.node('sigmoid', 'out', [b.node('add', 'sum', [cat, cat], {})], {});
  return b.build(out, c2, {}, 'mini');
}

test('mini-graph of the remaining ops and attribute cases matches tfjs', async (t) => {
  const graph = miniGraph();
  assert.equal(graph.stride, 4);
  const diffs = await parity(graph, initialParamValues(graph, 9), [[2, 12, 20], [1, 8, 8]]);
  t.diagnostic(`max abs diff ${diffs.map((d) => d.toExponential(2)).join(', ')}`);
  for (const d of diffs) assert.ok(d <= TOLERANCE, `max abs diff ${d}`);
});

test('nearest resize picks the same source pixels as tfjs (a hand-checked ramp)', async () => {
  const b = new GraphBuilder();
  const x = b.input('left', 3);
  b.input('right', 3);
  const down = b.conv('down', x, 1, { stride: 4, kernel: 1, act: 'none' });
  const graph = b.build(b.upsample('up', down, 4, 'nearest'), down, {}, 'nearest');
  const values = new Map([['down.weight', new Float32Array([1, 0, 0])], ['down.bias', new Float32Array([0])]]);
  const session = await createOrtSession(exportOnnx(graph, values));
  const ramp = new Float32Array(3 * 8 * 8).map((_, i) => (i < 64 ? i : 0));
  const { data } = await runStereo(session, { left: { data: ramp, dims: [1, 3, 8, 8] }, right: { data: ramp, dims: [1, 3, 8, 8] } });
  await session.release();
  // 1x1 stride-4 conv keeps pixels (0,0), (0,4), (4,0), (4,4); each one covers a 4x4 block.
  assert.deepEqual([data[0], data[3], data[4], data[7], data[8 * 4], data[63]], [0, 0, 4, 4, 32, 36]);
});

function costGraph(maxShift: number, metric: 'ssd' | 'dot'): ModelGraph {
  const b = new GraphBuilder();
  const l = b.conv('l', b.input('left', 3), 6);
  const r = b.conv('r', b.input('right', 3), 6);
  const cost = matchingCost(b, 'cost', l, r, maxShift, metric);
  const out = b.node('sigmoid', 'out', [b.conv('head', cost, 1, { act: 'none' })], {});
  return b.build(out, cost, {}, `cost-${metric}-${maxShift}`);
}

test('matchingCost exports as one batched MatMul over row blocks and a band of its products, in every form equal to tfjs', async () => {
  for (const [maxShift, metric] of [[3, 'ssd'], [3, 'dot'], [0, 'ssd'], [0, 'dot'], [5, 'ssd']] as const) {
    const graph = costGraph(maxShift, metric);
    const values = initialParamValues(graph, 2);
    for (const form of ['band-matmul', 'band-matmul-folded'] as const) {
      const label = `${form} ${metric} ${maxShift}`;
      const nodes = decodeModel(exportOnnx(graph, values, { matchingCost: form })).graph.node.filter((n) => n.name.startsWith('cost'));
      const counts: Record<string, number> = {};
      for (const n of nodes) counts[n.op_type] = (counts[n.op_type] ?? 0) + 1;
      assert.equal(counts.MatMul, 1, `${label}: one MatMul`);
      assert.equal(counts.ReduceSumSquare, metric === 'ssd' ? 2 : undefined, `${label}: the two norms`);
      // Folded, ssd's norms and scales ride in the MatMul's operands: the band's transpose is the
      // result, and no per-displacement node is left (a fixed count of Slices whatever maxShift is).
      const folded = form === 'band-matmul-folded' && metric === 'ssd';
      assert.equal(nodes.find((n) => n.output[0] === 'cost')?.op_type, folded ? 'Transpose' : 'Mul', `${label}: what writes the result`);
      if (folded) assert.ok((counts.Slice ?? 0) <= 6, `${label}: ${counts.Slice} Slices`);
      // Sizes where W < D + 1, where W is odd and where it spans several blocks with a remainder
      // (blocks of max(8, 2D) pixels) check the skew's and the blocks' offsets.
      const diffs = await parity(graph, values, [[2, 8, 16], [1, 12, 20], [1, 4, 4], [1, 3, 7], [1, 2, 3], [1, 2, 45]], undefined, { matchingCost: form });
      for (const d of diffs) assert.ok(d <= TOLERANCE, `${label}: max abs diff ${d}`);
    }
    const grouped = exportOnnx(graph, values, { matchingCost: 'grouped-conv' });
    const groupedNodes = decodeModel(grouped).graph.node.filter((n) => n.name.startsWith('cost'));
    assert.equal(groupedNodes.filter((n) => n.op_type === 'Conv').length, 1, 'the grouped form takes the mean by one conv');
    assert.equal(groupedNodes.filter((n) => n.op_type === 'MatMul').length, 0);
    const groupedDiffs = await parity(graph, values, [[2, 8, 16], [1, 3, 7]], undefined, { matchingCost: 'grouped-conv' });
    for (const d of groupedDiffs) assert.ok(d <= TOLERANCE, `grouped ${metric} ${maxShift}: max abs diff ${d}`);
  }
});

test('the matching cost itself, every form against tfjs: each displacement plane, out-of-image columns included', async () => {
  for (const [maxShift, metric] of [[4, 'ssd'], [4, 'dot'], [0, 'ssd']] as const) {
    const b = new GraphBuilder();
    const l = b.conv('l', b.input('left', 3), 6, { act: 'none' });
    const r = b.conv('r', b.input('right', 3), 6, { act: 'none' });
    const cost = matchingCost(b, 'cost', l, r, maxShift, metric);
    const graph = b.build(cost, cost, {}, `cost-plane-${metric}-${maxShift}`);
    const values = initialParamValues(graph, 3);
    for (const form of ['band-matmul', 'band-matmul-folded', 'grouped-conv'] as const) {
      for (const opset of [17, 18]) {
        // W from below D + 1 to several blocks with a remainder, and a batch of 3.
        const diffs = await parity(graph, values, [[3, 2, 3], [1, 3, 5], [1, 2, 9], [2, 3, 21]], opset, { matchingCost: form });
        for (const d of diffs) assert.ok(d <= 1e-5, `${form} opset ${opset} ${metric} ${maxShift}: max abs diff ${d}`);
      }
    }
  }
});

test('every IR op type is exported by some test graph', () => {
  for (const family of ['unet', 'vit'] as const) for (const n of buildModelGraph({ ...SMALL, family, head: 'direct' }).nodes) covered.add(n.op);
  for (const n of miniGraph().nodes) covered.add(n.op);
  assert.deepEqual(OP_TYPES.filter((op) => !covered.has(op)), []);
});

test('model graphs are clean: known ops only, no Cast/Identity, conv weights OIHW, shared stem weights once', () => {
  const allowed = new Set(['Conv', 'Relu', 'Clip', 'Sigmoid', 'Add', 'Mul', 'Concat', 'Resize', 'Pad', 'Slice', 'ReduceMean',
    'ReduceSumSquare', 'Unsqueeze', 'Reshape', 'Transpose', 'Shape', 'MatMul', 'Softmax', 'LayerNormalization', 'Mod', 'Sub']);
  for (const family of ['unet', 'vit'] as const) {
    const graph = buildModelGraph({ ...SMALL, family, head: 'hilbert' });
    const model = exportOnnx(graph, initialParamValues(graph, 1));
    assert.deepEqual([...opTypes(model)].filter((op) => !allowed.has(op)), []);
    const proto = decodeModel(model);
    const weight = proto.graph.initializer.find((i) => i.name === 'stem.enc1.weight');
    assert.deepEqual(weight?.dims, [graph.params.find((p) => p.name === 'stem.enc1.weight')?.shape[3], 3, 3, 3]);
    assert.equal(proto.graph.initializer.filter((i) => i.name.startsWith('stem.enc1.')).length, 2);
    assert.equal(proto.graph.node.filter((n) => n.input.includes('stem.enc1.weight')).length, 2);
    const dims = proto.graph.input[0].type.tensor_type.shape.dim;
    assert.deepEqual(dims, [{ dim_param: 'N' }, { dim_value: 3 }, { dim_param: 'H' }, { dim_param: 'W' }]);
    assert.equal(proto.graph.output[0].name, 'output');
    assert.equal(proto.opset_import[0].version, 17);
  }
});

test('ORT fuses every Conv + Relu of the U-Net (optimized model saved to disk)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-onnx-'));
  try {
    const graph = buildModelGraph({ ...SMALL, family: 'unet', head: 'hilbert' });
    const file = join(dir, 'optimized.onnx');
    await saveOptimizedModel(exportOnnx(graph, initialParamValues(graph, 1)), file);
    const ops = opTypes(readFileSync(file));
    assert.ok(ops.has('com.microsoft:FusedConv'));
    assert.ok(!ops.has('Relu'), `unfused Relu left in ${[...ops]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveOptimizedModel and model bytes ORT cannot load fail in one line naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-onnx-'));
  try {
    const graph = buildModelGraph({ ...SMALL, family: 'unet', head: 'direct' });
    const bytes = exportOnnx(graph, initialParamValues(graph, 1));
    const missing = join(dir, 'no-such-folder', 'optimized.onnx');
    await assert.rejects(saveOptimizedModel(bytes, missing), (err: Error) => err.message === `cannot write the optimized graph to ${missing}: a folder on its path does not exist`);
    await assert.rejects(saveOptimizedModel(bytes, dir), (err: Error) => err.message === `cannot write the optimized graph to ${dir}: is a folder, not a file`);
    // A folder that exists but takes no files: ORT's own write fails, and must not read as a bad model.
    const unwritable = '/proc/hilbertq-optimized.onnx';
    await assert.rejects(saveOptimizedModel(bytes, unwritable), (err: Error) => err.message.startsWith(`cannot write the optimized graph to ${unwritable}: `) && !err.message.includes('\n'));
    await assert.rejects(createOrtSession(new Uint8Array([1, 2, 3])), (err: Error) => /^ONNX Runtime cannot load the model bytes \(.+\)$/.test(err.message) && !err.message.includes('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('metadata round trip: config, stride, format version and caller keys', () => {
  const config: ModelConfig = { ...SMALL, family: 'unet', head: 'hilbert', dims: 3 };
  const graph = buildModelGraph(config);
  const values = initialParamValues(graph, 1);
  const meta = readOnnxMetadata(exportOnnx(graph, values, { metadata: { 'hilbertq.output_scale': '0.00392' } }));
  assert.deepEqual(JSON.parse(meta[METADATA_KEYS.config]), config);
  assert.equal(meta[METADATA_KEYS.stride], '16');
  assert.equal(meta[METADATA_KEYS.formatVersion], '1');
  assert.equal(meta['hilbertq.output_scale'], '0.00392');
  assert.throws(() => exportOnnx(graph, values, { metadata: { [METADATA_KEYS.stride]: '8' } }), /written by the exporter/);
});

test('exportModelDir and the export command write the same bytes as exportOnnx', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-onnx-'));
  try {
    const graph = buildModelGraph({ ...SMALL, family: 'vit', head: 'direct' });
    const values = initialParamValues(graph, 4);
    const { manifest, bin } = encodeWeights(graph, values);
    writeWeightsDir(join(dir, 'm'), manifest, bin);
    const summary = exportModelDir(join(dir, 'm'), join(dir, 'a.onnx'));
    // The folder export also records its weights.bin's sha256 (eval --against <folder> checks it).
    const weightsSha256 = createHash('sha256').update(bin).digest('hex');
    const expected = exportOnnx(graph, values, { metadata: { [WEIGHTS_SHA256_KEY]: weightsSha256 } });
    assert.ok(readFileSync(join(dir, 'a.onnx')).equals(expected), 'same bytes');
    assert.equal(summary.nodes, decodeModel(expected).graph.node.length);
    assert.equal(summary.opset, 17);

    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      const program = new Command().exitOverride();
      registerExportCommand(program);
      await program.parseAsync(['export', join(dir, 'm'), '--out', join(dir, 'b.onnx')], { from: 'user' });
    } finally {
      console.log = log;
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^wrote .*b\.onnx: vit-direct, [\d.]+ KiB, opset 17, \d+ nodes$/);
    // The model's own files are inputs: --out onto them is refused before anything is written.
    const weights = readFileSync(join(dir, 'm', 'weights.bin'));
    const again = new Command().exitOverride();
    registerExportCommand(again);
    await assert.rejects(again.parseAsync(['export', join(dir, 'm'), '--out', join(dir, 'm', 'weights.bin')], { from: 'user' }), /--out = .*weights\.bin: would be written over/);
    assert.deepEqual(readFileSync(join(dir, 'm', 'weights.bin')), weights);
    const session = await createOrtSession(join(dir, 'b.onnx'));
    await session.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing or corrupt model folder is a one-line FileFormatError naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-onnx-'));
  const expectError = (fn: () => unknown, file: RegExp): void => {
    assert.throws(fn, (err: Error) => err instanceof FileFormatError && file.test(err.message) && !err.message.includes('\n'));
  };
  try {
    expectError(() => exportModelDir(join(dir, 'nope'), join(dir, 'x.onnx')), /nope[/\\]model\.json/);
    const graph = buildModelGraph({ ...SMALL, family: 'unet', head: 'direct' });
    const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 1));
    writeWeightsDir(join(dir, 'm'), manifest, bin);
    writeFileSync(join(dir, 'm', 'weights.bin'), bin.subarray(0, 100));
    expectError(() => exportModelDir(join(dir, 'm'), join(dir, 'x.onnx')), /weights\.bin: has 100 bytes/);
    rmSync(join(dir, 'm', 'weights.bin'));
    expectError(() => exportModelDir(join(dir, 'm'), join(dir, 'x.onnx')), /weights\.bin: does not exist/);
    writeFileSync(join(dir, 'm', 'weights.bin'), bin);
    writeFileSync(join(dir, 'm', 'model.json'), '{ "format": "hilbertq-weights", ');
    expectError(() => exportModelDir(join(dir, 'm'), join(dir, 'x.onnx')), /model\.json: cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('createOrtSession names a missing or unreadable .onnx file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-onnx-'));
  try {
    await assert.rejects(createOrtSession(join(dir, 'none.onnx')), (err: Error) => err instanceof FileFormatError && /none\.onnx: does not exist/.test(err.message));
    writeFileSync(join(dir, 'junk.onnx'), 'not a model');
    await assert.rejects(createOrtSession(join(dir, 'junk.onnx')), (err: Error) =>
      err instanceof FileFormatError && /junk\.onnx: ONNX Runtime cannot load it/.test(err.message) && !err.message.includes('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('re-export from the file itself: parameters read back exactly, and the integer form of the matching cost computes the same', async () => {
  for (const family of ['unet', 'vit'] as const) {
    const config: ModelConfig = { family, head: 'hilbert', dims: 3, order: 2, margin: 0.1, maxDisp: 16, width: 1 };
    const graph = buildModelGraph(config);
    const values = initialParamValues(graph, 5);
    const model = decodeModel(exportOnnx(graph, values));
    const back = irValuesOf(model, graph);
    assert.ok(back, 'a hilbertq export reads back');
    for (const [name, v] of values) assert.deepEqual(back.get(name), v, `${family} ${name}`);
    const lowered = reexportOnnx(model, { matchingCost: 'grouped-conv' });
    assert.ok(lowered);
    assert.equal(lowered.graph.node.filter((n) => n.op_type === 'ReduceSumSquare').length, 0, 'no band form left');
    assert.deepEqual(lowered.metadata_props, model.metadata_props);
    const dir = mkdtempSync(join(tmpdir(), 'hilbertq-reexport-'));
    try {
      const outputs: Float32Array[] = [];
      for (const [k, m] of [model, lowered].entries()) {
        const file = join(dir, `${k}.onnx`);
        writeFileSync(file, encodeModel(m));
        const session = await createOrtSession(file);
        const left = { data: Float32Array.from({ length: 3 * 32 * 64 }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5), dims: [1, 3, 32, 64] };
        const right = { data: Float32Array.from({ length: 3 * 32 * 64 }, (_, i) => Math.cos(i * 0.21) * 0.5 + 0.5), dims: [1, 3, 32, 64] };
        outputs.push((await runStereo(session, { left, right })).data);
        await session.release();
      }
      const worst = outputs[0].reduce((w, v, i) => Math.max(w, Math.abs(v - outputs[1][i])), 0);
      assert.ok(worst < 1e-4, `${family}: forms differ by ${worst}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // Not a hilbertq export (no config in its metadata): nothing to lower again.
  const direct = buildModelGraph({ family: 'unet', head: 'direct', dims: 2, order: 3, margin: 0.1, maxDisp: 16, width: 1 });
  const foreign = decodeModel(exportOnnx(direct, initialParamValues(direct, 1)));
  foreign.metadata_props = [];
  assert.equal(reexportOnnx(foreign, { matchingCost: 'grouped-conv' }), null);
});
