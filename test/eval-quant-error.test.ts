import { test } from 'node:test';
import { generateDataset } from '../src/data/generate.js';
import { writePng } from '../src/data/formats/image.js';
import { writePfm } from '../src/data/formats/pfm.js';
import assert from 'node:assert/strict';
import { QuantErrorAccumulator } from '../src/eval/quant-error.js';
import { StereoMetricsAccumulator } from '../src/eval/metrics.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModelGraph } from '../src/models/model.js';
import { initialParamValues } from '../src/models/init.js';
import { exportOnnx } from '../src/onnx/export.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { syntheticCalibration } from '../src/quant/calibration-data.js';
import { runCli } from './cli-support.js';

test('quantization error: robust std ignores rare jumps that dominate RMSE', () => {
  const acc = new QuantErrorAccumulator();
  const n = 10_000;
  const reference = new Float32Array(n).fill(10);
  const quantized = new Float32Array(n);
  // Alternating +-0.1 px (std 0.1, MAD 0.1) plus 1 % of 20 px jumps, split over two pairs.
  for (let i = 0; i < n; i++) quantized[i] = 10 + (i % 2 ? 0.1 : -0.1) + (i % 100 === 0 ? 20 : 0);
  acc.add(quantized.subarray(0, n / 2), reference.subarray(0, n / 2));
  acc.add(quantized.subarray(n / 2), reference.subarray(n / 2));
  const r = acc.result();
  assert.equal(r.pixels, n);
  assert.ok(Math.abs(r.robustStd - 1.4826 * 0.1) < 1e-4, `robust std ${r.robustStd}`);
  assert.ok(r.rmse > 1.9, `rmse ${r.rmse} counts the jumps`);
  assert.equal(r.over1px, 0.01);
  assert.throws(() => acc.add([1, 2], [1]), /sizes differ/);
});

test('stereo metrics: EPE, D1 (> 3 px and > 5 %), RMSE, masks and non-finite predictions', () => {
  const acc = new StereoMetricsAccumulator();
  const truth = [10, 10, 100, 50, 20];
  const pred = [11, 14, 104, NaN, 99];
  const valid = [1, 1, 1, 1, 0];
  const occ = [0, 0, 1, 0, 0];
  acc.add(pred, truth, valid, occ);
  const m = acc.result();
  // all valid: errors 1, 4, 4, 50 (NaN scored as a prediction of 0): D1 counts 4 (>3, >0.5) and 50, not 4 vs 100 (< 5 px).
  assert.equal(m.all.pixels, 4);
  assert.ok(Math.abs(m.all.epe - (1 + 4 + 4 + 50) / 4) < 1e-12);
  assert.equal(m.all.d1, 2 / 4);
  assert.ok(Math.abs(m.all.rmse - Math.sqrt((1 + 16 + 16 + 2500) / 4)) < 1e-9);
  assert.equal(m.nonOccluded.pixels, 3);
  assert.equal(m.nonFinitePredictions, 1);
});

test('hilbertq eval --against reports the quantization error of an ONNX model against its FP32 twin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-eval-'));
  try {
    const graph = buildModelGraph({ family: 'unet', head: 'hilbert', dims: 2, order: 3, margin: 0.1, maxDisp: 12, width: 0.25 });
    const float = exportOnnx(graph, initialParamValues(graph, 2));
    const { model } = await quantizeModel(float, { scheme: 'w8a8', calibration: syntheticCalibration({ height: 32, width: 64, maxDisp: 12, count: 2 }) });
    writeFileSync(join(dir, 'f.onnx'), float);
    writeFileSync(join(dir, 'q.onnx'), model);
    const printed = await runCli(['eval', '--model', join(dir, 'q.onnx'), '--against', join(dir, 'f.onnx'), '--synthetic', '2', '--size', '32x64', '--json']);
    const report = JSON.parse(printed);
    assert.equal(report.precision, 'w8a8');
    assert.equal(report.pairs, 2);
    assert.equal(report.quantError.pixels, 2 * 32 * 64);
    assert.ok(report.quantError.robustStd > 0 && Number.isFinite(report.quantError.rmse));
    assert.equal(report.metrics.all.pixels, 2 * 32 * 64);

    // Nonsense refused: a dataset of larger disparities than the model's range, and one without ground truth.
    generateDataset({ out: join(dir, 'wide'), count: 1, height: 32, width: 64, maxDisp: 20, seed: 3 });
    await assert.rejects(runCli(['eval', '--model', join(dir, 'f.onnx'), '--data', join(dir, 'wide')]), /holds disparities up to 20 px, the model predicts at most 12 px/);
    mkdirSync(join(dir, 'pair'));
    writePng(join(dir, 'pair', 'im0.png'), { width: 64, height: 32, data: new Uint8Array(64 * 32 * 3).fill(100) });
    writePng(join(dir, 'pair', 'im1.png'), { width: 64, height: 32, data: new Uint8Array(64 * 32 * 3).fill(100) });
    writePfm(join(dir, 'pair', 'disp0GT.pfm'), { width: 64, height: 32, channels: 1, data: new Float32Array(64 * 32).fill(Infinity) });
    await assert.rejects(runCli(['eval', '--model', join(dir, 'f.onnx'), '--data', join(dir, 'pair')]), /invalid --data = .*pair: has no pixel with ground truth/);
    // Given as --pair, the message names --pair (it named --data, which the user never gave).
    const files = ['im0.png', 'im1.png', 'disp0GT.pfm'].map((f) => join(dir, 'pair', f));
    await assert.rejects(runCli(['eval', '--model', join(dir, 'f.onnx'), '--pair', ...files]), /invalid --pair = .*: has no pixel with ground truth/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('non-finite differences (NaN outputs, or a float32 overflow of two huge ones) are left out and counted', () => {
  const acc = new QuantErrorAccumulator();
  acc.add([1, NaN, 3e38, 2.5], [1.5, 0, -3e38, 2]);
  const stats = acc.result();
  assert.equal(stats.nonFinite, 2);
  assert.equal(stats.pixels, 2);
  assert.ok(Math.abs(stats.rmse - 0.5) < 1e-9, `rmse ${stats.rmse}`);
});
