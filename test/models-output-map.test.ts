import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OutputDecoder } from '../src/infer/output-decoder.js';
import { decodeHeadOutput } from '../src/models/head-decode.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { outputToDisparity } from '../src/models/output-map.js';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { directLoss } from '../src/train/losses.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { makeBatch } from '../src/data/batches.js';
import { TfjsPredictor } from '../src/eval/tfjs-predictor.js';
import { initialParamValues } from '../src/models/init.js';
import { paramsFromValues, disposeParams } from '../src/models/tfjs-build.js';
import { exportOnnx } from '../src/onnx/export.js';
import { DepthPredictor } from '../src/infer/depth-predictor.js';

await initTrainingBackend('wasm');

const DIRECT: ModelConfig = { family: 'unet', head: 'direct', dims: 2, order: 3, margin: 0.1, maxDisp: 64 };
const LOG: ModelConfig = { ...DIRECT, outputMap: 'log', minDisp: 1 };
const INVERSE: ModelConfig = { ...DIRECT, outputMap: 'inverse', minDisp: 4 };

const close = (a: number, b: number, tol = 1e-4): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('output maps span [minDisp, maxDisp]: linear steps, log steps of a constant ratio, depth steps', () => {
  const linear = outputToDisparity(DIRECT);
  assert.deepEqual([0, 0.5, 1].map(linear), [0, 32, 64]);
  const log = outputToDisparity(LOG);
  assert.ok(close(log(0), 1) && close(log(1), 64) && close(log(0.5), 8), 'log: geometric mean at q = 0.5');
  // One 8-bit step is the same share of the disparity everywhere: ln(64) / 255.
  assert.ok(close(log(101 / 255) / log(100 / 255), Math.exp(Math.log(64) / 255)));
  const inverse = outputToDisparity(INVERSE);
  assert.ok(close(inverse(0), 4) && close(inverse(1), 64));
  // Uniform in depth: 1/d is linear in q, and at the near end one step is worth several pixels.
  assert.ok(close(1 / inverse(0.5), (1 / 4 + 1 / 64) / 2));
  assert.ok(inverse(1) - inverse(254 / 255) > 3, `near step ${inverse(1) - inverse(254 / 255)} px`);
  // Codes dequantize a little outside [0, 1]: the maps clamp rather than leave the range.
  assert.ok(close(log(1.02), 64) && close(inverse(-0.02), 4) && close(inverse(1.5), 64));
});

test('an output map is refused where it cannot work, in one line', () => {
  assert.throws(() => buildModelGraph({ ...LOG, head: 'hilbert' }), /outputMap = log: only the direct head/);
  assert.throws(() => buildModelGraph({ ...DIRECT, outputMap: 'log' }), /minDisp = missing: expected a disparity in \(0, 64\) px/);
  assert.throws(() => buildModelGraph({ ...LOG, minDisp: 64 }), /minDisp = 64/);
  assert.throws(() => buildModelGraph({ ...DIRECT, minDisp: 2 }), /only a 'log' or 'inverse' output map/);
  assert.throws(() => buildModelGraph({ ...DIRECT, outputMap: 'cubic' as never }), /expected one of linear, log, inverse/);
  assert.equal(buildModelGraph(LOG).outputChannels, 1);
});

test('the training loss is L1 on mapped disparity, with its gradient through the map', () => {
  const q = tf.tensor4d([0.5, 0.25], [1, 1, 2, 1]);
  const targets = { disp: tf.tensor3d([10, 2], [1, 1, 2]), valid: tf.tensor3d([1, 1], [1, 1, 2]) };
  for (const config of [LOG, INVERSE]) {
    const map = outputToDisparity(config);
    const [d0, d1] = [map(0.5), map(0.25)];
    const loss = directLoss(q, targets, config).total.dataSync()[0];
    assert.ok(close(loss, (Math.abs(d0 - 10) + Math.abs(d1 - 2)) / 2), `${config.outputMap}: ${loss}`);
    const grad = tf.grad((p: tf.Tensor) => directLoss(p as tf.Tensor4D, targets, config).total)(q).dataSync();
    // d/dq |map(q) - gt| / 2 = sign * map'(q) / 2, map' by central differences.
    const slope = (x: number): number => (map(x + 1e-4) - map(x - 1e-4)) / 2e-4;
    assert.ok(close(grad[0], (Math.sign(d0 - 10) * slope(0.5)) / 2, 1e-2), `${config.outputMap} d/dq0 ${grad[0]}`);
    assert.ok(close(grad[1], (Math.sign(d1 - 2) * slope(0.25)) / 2, 1e-2), `${config.outputMap} d/dq1 ${grad[1]}`);
  }
  // The linear map: q * maxDisp, as before.
  assert.ok(close(directLoss(q, targets, { head: 'direct', maxDisp: 30 }).total.dataSync()[0], (Math.abs(15 - 10) + Math.abs(7.5 - 2)) / 2));
});

test('float outputs and quantized codes decode through the same map', () => {
  for (const config of [LOG, INVERSE]) {
    const map = outputToDisparity(config);
    const floats = new Float32Array([0, 0.3, 0.77, 1]);
    assert.deepEqual(Array.from(decodeHeadOutput(floats, 1, 1, 4, config)), Array.from(floats, (v) => Math.fround(map(v))));
    const [scale, zeroPoint] = [1 / 250, 3];
    const codes = new Uint8Array([0, 3, 80, 200, 253, 255]);
    const decoded = new OutputDecoder(config, { kind: 'quantized', dtype: 'uint8', scale, zeroPoint }).decode(codes, 1, 6);
    assert.deepEqual(Array.from(decoded), Array.from(codes, (c) => Math.fround(map((c - zeroPoint) * scale))));
    const wide = new Uint16Array([0, 12345, 65535]);
    const decoded16 = new OutputDecoder(config, { kind: 'quantized', dtype: 'uint16', scale: 1 / 65535, zeroPoint: 0 }).decode(wide, 1, 3);
    assert.deepEqual(Array.from(decoded16), Array.from(wide, (c) => Math.fround(map(c / 65535))));
  }
});

test('an exported model carries its output map: ONNX Runtime decodes it as tfjs does', async () => {
  const config: ModelConfig = { ...INVERSE, maxDisp: 12, minDisp: 2, width: 0.25 };
  const graph = buildModelGraph(config);
  const values = initialParamValues(graph, 5);
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-map-'));
  const file = join(dir, 'model.onnx');
  writeFileSync(file, exportOnnx(graph, values));
  const predictor = await DepthPredictor.load(file);
  try {
    const sample = new SyntheticStereo({ height: 32, width: 64, maxDisp: 12, seed: 3 }).sample(0);
    const rgb = (data: Uint8Array) => ({ width: 64, height: 32, data });
    const ort = (await predictor.predict(rgb(sample.left), rgb(sample.right))).disparity;
    const params = paramsFromValues(graph, values);
    const reference = new TfjsPredictor(graph, params, config).predict(makeBatch([sample]));
    disposeParams(params);
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i] - ort[i]));
    assert.ok(worst < 1e-3, `worst ${worst} px`);
    // The agreement says something only where the map differs from q * maxDisp: q back from the
    // inverse map, then what a decoder that ignored the map would give.
    const asLinear = (d: number): number => ((1 / d - 1 / 2) / (1 / 12 - 1 / 2)) * 12;
    assert.ok(ort.filter((d) => Math.abs(asLinear(d) - d) > 0.5).length > ort.length / 2, 'the map differs from linear on most pixels');
  } finally {
    await predictor.release();
    rmSync(dir, { recursive: true, force: true });
  }
});
