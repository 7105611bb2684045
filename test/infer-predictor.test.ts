import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { writePng } from '../src/data/formats/image.js';
import { readPfmDisparity } from '../src/data/formats/disparity.js';
import { makeBatch } from '../src/data/batches.js';
import { TfjsPredictor } from '../src/eval/tfjs-predictor.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { initialParamValues } from '../src/models/init.js';
import { paramsFromValues, disposeParams } from '../src/models/tfjs-build.js';
import { exportOnnx } from '../src/onnx/export.js';
import { encodeModel, decodeModel } from '../src/onnx/onnx-proto.js';
import { METADATA_KEYS, ONNX_FORMAT_VERSION } from '../src/onnx/metadata.js';
import { DepthPredictor } from '../src/infer/depth-predictor.js';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { runCli } from './cli-support.js';

await initTrainingBackend('wasm');

const CONFIG: ModelConfig = { family: 'unet', head: 'hilbert', dims: 2, order: 3, margin: 0.1, maxDisp: 12, width: 0.25 };

function setup(): { dir: string; model: string; graph: ReturnType<typeof buildModelGraph>; values: Map<string, Float32Array> } {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-infer-'));
  const graph = buildModelGraph(CONFIG);
  const values = initialParamValues(graph, 4);
  const model = join(dir, 'model.onnx');
  writeFileSync(model, exportOnnx(graph, values));
  return { dir, model, graph, values };
}

test('DepthPredictor (fp32 ONNX) matches the tfjs model, padding odd sizes to the stride', async () => {
  const { dir, model, graph, values } = setup();
  const predictor = await DepthPredictor.load(model);
  try {
    const sample = new SyntheticStereo({ height: 40, width: 72, maxDisp: 12, seed: 3 }).sample(0);
    const rgb = (data: Uint8Array) => ({ width: 72, height: 40, data });
    const ort = await predictor.predict(rgb(sample.left), rgb(sample.right));
    assert.equal(ort.disparity.length, 40 * 72);
    const params = paramsFromValues(graph, values);
    const reference = new TfjsPredictor(graph, params, CONFIG).predict(makeBatch([sample]));
    disposeParams(params);
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i] - ort.disparity[i]));
    // A curve head may snap to another segment on a 1e-6 difference; allow rare such pixels.
    let far = 0;
    for (let i = 0; i < reference.length; i++) if (Math.abs(reference[i] - ort.disparity[i]) > 1e-3) far++;
    assert.ok(far <= reference.length * 0.001, `${far} pixels differ, worst ${worst}`);
  } finally {
    await predictor.release();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--resize runs at another width and scales disparity back by the width ratio', async () => {
  const { dir, model } = setup();
  const predictor = await DepthPredictor.load(model);
  try {
    const sample = new SyntheticStereo({ height: 32, width: 64, maxDisp: 12, seed: 3 }).sample(1);
    const left = { width: 64, height: 32, data: sample.left };
    const right = { width: 64, height: 32, data: sample.right };
    // Stretch only the width: the model then sees every disparity doubled, and its answer must
    // come back halved. Same for a fake model whose output is a constant q: check that exactly.
    const resized = await predictor.predict(left, right, { resize: { height: 32, width: 128 } });
    assert.equal(resized.disparity.length, 32 * 64);
    const atModelSize = await predictor.predict(
      { width: 128, height: 32, data: stretch(sample.left) },
      { width: 128, height: 32, data: stretch(sample.right) },
    );
    // Same model input (nearest-neighbour stretch vs bilinear resize differ slightly): compare means.
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(resized.disparity) - mean(atModelSize.disparity) / 2) < 0.1 * mean(atModelSize.disparity) / 2 + 0.05);
  } finally {
    await predictor.release();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Doubles the width of a 64-wide RGB image by repeating pixels. */
function stretch(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length * 2);
  for (let p = 0; p < rgb.length / 3; p++) {
    for (const k of [0, 1]) out.set(rgb.subarray(p * 3, p * 3 + 3), (p * 2 + k) * 3);
  }
  return out;
}

test('hilbertq infer writes the PFM at the input size, and bad input fails with a clear message', async () => {
  const { dir, model } = setup();
  try {
    const sample = new SyntheticStereo({ height: 36, width: 70, maxDisp: 12, seed: 3 }).sample(2);
    const l = join(dir, 'l.png');
    const r = join(dir, 'r.png');
    writePng(l, { width: 70, height: 36, data: sample.left });
    writePng(r, { width: 70, height: 36, data: sample.right });
    const out = join(dir, 'd.pfm');
    await runCli(['infer', '--model', model, '--left', l, '--right', r, '--out', out, '--png', join(dir, 'd.png')]);
    const disp = readPfmDisparity(out);
    assert.deepEqual([disp.width, disp.height], [70, 36]);

    const small = join(dir, 'small.png');
    writePng(small, { width: 64, height: 32, data: new Uint8Array(64 * 32 * 3) });
    await assert.rejects(runCli(['infer', '--model', model, '--left', l, '--right', small, '--out', out]), /small\.png: is 64x32, but the left image .* is 70x36$/m);
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'hello, not an image');
    await assert.rejects(runCli(['infer', '--model', model, '--left', text, '--right', r, '--out', out]), new RegExp(`${text}:`));
    await assert.rejects(runCli(['infer', '--model', join(dir, 'none.onnx'), '--left', l, '--right', r, '--out', out]), /none\.onnx: does not exist/);
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, 'garbage bytes');
    await assert.rejects(runCli(['infer', '--model', corrupt, '--left', l, '--right', r, '--out', out]), /corrupt\.onnx: /);
    const empty = join(dir, 'empty.onnx');
    writeFileSync(empty, '');
    await assert.rejects(runCli(['infer', '--model', empty, '--left', l, '--right', r, '--out', out]), /empty\.onnx: is empty \(0 bytes\), not an ONNX model/);
    await assert.rejects(runCli(['quantize', empty, '--scheme', 'w8a8', '--synthetic', '2', '--out', join(dir, 'q.onnx')]), /empty\.onnx: is empty \(0 bytes\)/);
    const bare = decodeModel(exportOnnx(buildModelGraph(CONFIG), initialParamValues(buildModelGraph(CONFIG), 1)));
    bare.metadata_props = [];
    const plain = join(dir, 'plain.onnx');
    writeFileSync(plain, encodeModel(bare));
    await assert.rejects(runCli(['infer', '--model', plain, '--left', l, '--right', r, '--out', out]), /plain\.onnx: has no hilbertq metadata/);
    // A file from a newer hilbertq may mean what this build would misread: refused by every reader.
    const newer = decodeModel(exportOnnx(buildModelGraph(CONFIG), initialParamValues(buildModelGraph(CONFIG), 1)));
    newer.metadata_props = (newer.metadata_props ?? []).map((p) => (p.key === METADATA_KEYS.formatVersion ? { key: p.key, value: String(ONNX_FORMAT_VERSION + 1) } : p));
    const future = join(dir, 'future.onnx');
    writeFileSync(future, encodeModel(newer));
    const refusal = new RegExp(`future\\.onnx: was written by a newer hilbertq \\(format ${ONNX_FORMAT_VERSION + 1}`);
    await assert.rejects(runCli(['infer', '--model', future, '--left', l, '--right', r, '--out', out]), refusal);
    await assert.rejects(runCli(['quantize', future, '--scheme', 'w8a8', '--synthetic', '2', '--out', join(dir, 'q.onnx')]), refusal);
    assert.equal(existsSync(join(dir, 'q.onnx')), false, 'nothing written for a refused model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
