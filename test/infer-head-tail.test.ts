import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { initialParamValues } from '../src/models/init.js';
import { HEAD_TAIL, withoutHeadTail } from '../src/models/heads.js';
import { buildOnnxModel, exportOnnx } from '../src/onnx/export.js';
import { HEAD_TAIL_KEY, readOnnxMetadata } from '../src/onnx/metadata.js';
import { encodeModel } from '../src/onnx/onnx-proto.js';
import { CodeTail, floatTail, SIGMOID_CODES } from '../src/infer/head-tail.js';
import { DepthPredictor } from '../src/infer/depth-predictor.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { readQuantizedOutputInfo } from '../src/quant/metadata.js';
import { syntheticCalibration } from '../src/quant/calibration-data.js';
import { Rng } from '../src/util/rng.js';

const TINY: ModelConfig = { family: 'unet', head: 'hilbert', dims: 4, order: 1, margin: 0.1, maxDisp: 12, width: 0.25 };
const dir = mkdtempSync(join(tmpdir(), 'hilbertq-tail-'));

test('the head tail: the graph without it ends at the head conv, and an export that leaves it out says so', () => {
  for (const head of ['direct', 'hilbert'] as const) {
    const graph = buildModelGraph({ ...TINY, head });
    const cut = withoutHeadTail(graph);
    assert.ok(cut, `${head}: the graph ends in the tail`);
    assert.equal(cut.output, 'head');
    assert.equal(cut.nodes.length, graph.nodes.length - 2);
    const values = initialParamValues(graph, 1);
    assert.equal(readOnnxMetadata(exportOnnx(graph, values))[HEAD_TAIL_KEY], undefined, 'the default export is self-contained');
    assert.equal(readOnnxMetadata(exportOnnx(graph, values, { headTail: 'decoder' }))[HEAD_TAIL_KEY], HEAD_TAIL);
    const model = buildOnnxModel(graph, values, { headTail: 'decoder' });
    assert.ok(!model.graph.node.some((n) => n.name === 'head.up' || n.op_type === 'Sigmoid'), 'no Resize or Sigmoid of the head in the graph');
  }
  // A graph that does not end in the tail cannot leave it to the decoder.
  const graph = buildModelGraph(TINY);
  const headless = { ...graph, nodes: graph.nodes.slice(0, -1), output: 'head.up' };
  assert.throws(() => exportOnnx(headless, initialParamValues(graph, 1), { headTail: 'decoder' }), /does not end in the head's bilinear x2 and sigmoid/);
});

test('the 8-bit tail: WebAssembly and JS give the same codes, equal to the rounded sigmoid of the float x2', () => {
  const rng = new Rng(3, 1);
  // Widths around the vertical pass's SIMD step of eight columns, and the single column.
  for (const [channels, h, w] of [[4, 8, 16], [1, 5, 13], [5, 3, 9], [2, 4, 1], [3, 2, 8], [1, 3, 24], [5, 2, 130]] as const) {
    const scale = 0.04;
    const zeroPoint = 120;
    const codes = Uint8Array.from({ length: channels * h * w }, () => Math.floor(rng.next() * 256));
    const tail = new CodeTail(scale, zeroPoint);
    assert.ok(tail.simd, 'the WebAssembly tail must load here; JS is 4-6x slower');
    const simd = tail.expand(codes, channels, h, w);
    assert.deepEqual(simd, tail.expandJs(codes, channels, h, w), `${channels}x${h}x${w}`);
    const float = floatTail(Float32Array.from(codes, (c) => (c - zeroPoint) * scale), channels, h, w);
    for (let i = 0; i < float.length; i++) {
      const exact = float[i] / SIGMOID_CODES.scale + SIGMOID_CODES.zeroPoint;
      assert.ok(Math.abs(simd[i] - exact) <= 0.5 + 1e-4, `${channels}x${h}x${w} sample ${i}: code ${simd[i]} for ${exact}`);
    }
  }
});

test('the tail refuses logits that do not match their shape, in every path', () => {
  const tail = new CodeTail(0.04, 120);
  const codes = new Uint8Array(4 * 8 * 16);
  for (const [channels, h, w] of [[4, 8, 15], [4, 8, 17], [3, 8, 16], [4, 0, 16], [4, 8.5, 16], [-4, -8, 16], [1, 0.5, 1024]] as const) {
    assert.throws(() => tail.expand(codes, channels, h, w), /head tail: 512 logits for/);
    assert.throws(() => tail.expandJs(codes, channels, h, w), /head tail: 512 logits for/);
    assert.throws(() => floatTail(new Float32Array(codes.length), channels, h, w), /head tail: 512 logits for/);
  }
  assert.equal(tail.expand(codes, 4, 8, 16).length, 4 * 16 * 32);
});

test('a model with the tail in the decoder predicts what the self-contained graph predicts, float and w8a8, at a padded size', async () => {
  for (const head of ['direct', 'hilbert'] as const) {
    const graph = buildModelGraph({ ...TINY, head });
    const values = initialParamValues(graph, 5);
    const calibration = syntheticCalibration({ height: 32, width: 64, maxDisp: TINY.maxDisp, count: 4 });
    const predictions: Record<string, Float32Array> = {};
    for (const headTail of ['graph', 'decoder'] as const) {
      const fp32 = encodeModel(buildOnnxModel(graph, values, { headTail }));
      const w8a8 = (await quantizeModel(fp32, { scheme: 'w8a8', calibration, headTail })).model;
      for (const [precision, bytes] of [['fp32', fp32], ['w8a8', w8a8]] as const) {
        const file = join(dir, `${head}-${headTail}-${precision}.onnx`);
        writeFileSync(file, bytes);
        const predictor = await DepthPredictor.load(file, { threads: 1 });
        assert.equal(predictor.encoding.headTail === true, headTail === 'decoder');
        const rng = new Rng(7, 1);
        const image = () => ({ width: 50, height: 30, data: Uint8Array.from({ length: 50 * 30 * 3 }, () => Math.floor(rng.next() * 256)) });
        predictions[`${headTail} ${precision}`] = (await predictor.predict(image(), image())).disparity;
      }
    }
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    assert.ok(maxDiff(predictions['graph fp32'], predictions['decoder fp32']) < 1e-4, `${head} fp32: the same function`);
    // w8a8: the graph rounds the upsampled logits and the sigmoid to its calibrated scales, the decoder's tail does not round the logits.
    const mean = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
    const q = mean(predictions['graph w8a8'], predictions['decoder w8a8']);
    assert.ok(q < 0.05 * TINY.maxDisp, `${head} w8a8: mean |graph - decoder| ${q} px`);
  }
});

test('the quantizer leaves the tail to the decoder for 8-bit activations and keeps it for 16-bit ones', async () => {
  const graph = buildModelGraph(TINY);
  const fp32 = exportOnnx(graph, initialParamValues(graph, 2));
  const calibration = syntheticCalibration({ height: 32, width: 64, maxDisp: TINY.maxDisp, count: 2 });
  for (const [scheme, tail] of [['w8a8', HEAD_TAIL], ['w8a8-pt', HEAD_TAIL], ['w8a16', undefined]] as const) {
    const { model } = await quantizeModel(fp32, { scheme, calibration });
    assert.equal(readOnnxMetadata(model)[HEAD_TAIL_KEY], tail, scheme);
  }
});

test('the head tail cannot be claimed without being done: reserved metadata, and an explicit request the quantizer cannot honour', async () => {
  const graph = buildModelGraph(TINY);
  const values = initialParamValues(graph, 2);
  assert.throws(() => exportOnnx(graph, values, { metadata: { [HEAD_TAIL_KEY]: HEAD_TAIL } }), /written by the exporter/);
  const calibration = syntheticCalibration({ height: 32, width: 64, maxDisp: TINY.maxDisp, count: 1 });
  await assert.rejects(quantizeModel(exportOnnx(graph, values), { scheme: 'w8a8', calibration, headTail: 'decoder', schemeMatchingCost: false }), /headTail/);
  const { model } = await quantizeModel(exportOnnx(graph, values), { scheme: 'w8a8', calibration });
  assert.equal(readQuantizedOutputInfo(model)?.headTail, true, 'the output info says the codes are logits');
});
