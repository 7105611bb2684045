import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fakeQuantActivation, fakeQuantWeight, type FakeQuantPlan } from '../src/models/fake-quant.js';
import { initialParamValues } from '../src/models/init.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { paramsFromValues, runGraph, disposeParams } from '../src/models/tfjs-build.js';
import { exportOnnx } from '../src/onnx/export.js';
import { decodeModel } from '../src/onnx/onnx-proto.js';
import { createOrtSession } from '../src/onnx/ort.js';
import { fakeQuantPlan } from '../src/quant/qat-plan.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { dequantize, runQuantizedStereo } from '../src/quant/run.js';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../src/train/config.js';
import { train } from '../src/train/trainer.js';
import { ConfigError } from '../src/util/errors.js';
import { oneLine, runCli } from './cli-support.js';
import { calibrationPairs, HEIGHT, TINY, WIDTH } from './quant-support.js';

await initTrainingBackend('wasm');

const CONFIG: ModelConfig = { ...TINY, family: 'unet', head: 'hilbert' };

test('fake quantization rounds to the codes QuantizeLinear would give, clips, and passes the gradient inside the range only', () => {
  const p = { scale: 0.5, zeroPoint: 2, qmin: 0, qmax: 10 };
  const x = tf.tensor1d([-3, -1, -0.75, 0.25, 0.75, 1.2, 3.9, 4, 100]);
  // Codes: round-half-even(x / 0.5) + 2 in 0..10, back to (code - 2) * 0.5. Range [-1, 4].
  assert.deepEqual(Array.from(fakeQuantActivation(x, p).dataSync()), [-1, -1, -1, 0, 1, 1, 4, 4, 4]);
  const grad = tf.grad((t: tf.Tensor) => tf.sum(fakeQuantActivation(t, p)))(x);
  assert.deepEqual(Array.from(grad.dataSync()), [0, 1, 1, 1, 1, 1, 1, 1, 0]);

  // Weights: symmetric per output channel (the last axis), each channel's largest magnitude a full code.
  const w = tf.tensor2d([[0.1, -2], [0.03, 1.3], [-0.05, 0.7]]);
  const q = fakeQuantWeight(w, 127).arraySync() as number[][];
  const scales = [0.1 / 127, 2 / 127];
  for (let i = 0; i < 3; i++) {
    for (let c = 0; c < 2; c++) {
      const code = q[i][c] / scales[c];
      assert.ok(Math.abs(code - Math.round(code)) < 1e-3, `w[${i}][${c}] = ${q[i][c]} is on channel ${c}'s grid`);
      assert.ok(Math.abs(q[i][c] - (w.arraySync() as number[][])[i][c]) <= scales[c] / 2 + 1e-7);
    }
  }
  assert.ok(Math.abs(q[1][1] - 1.3) > 1e-4, 'a value between codes is moved');
  const wGrad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fakeQuantWeight(t, 127), 3)))(w);
  assert.deepEqual(Array.from(wGrad.dataSync()), [3, 3, 3, 3, 3, 3]);
  tf.dispose([x, grad, w, wGrad]);
});

test('a QAT plan read off a w8a8 model names IR values, and the tfjs forward reproduces ORT rounding', async () => {
  const graph = buildModelGraph(CONFIG);
  const values = initialParamValues(graph, 3);
  const float = exportOnnx(graph, values, { headTail: 'graph' });
  const calibration = calibrationPairs(4);
  // Nearest rounding everywhere: the plan's fake quantization rounds weights to nearest too.
  const { model } = await quantizeModel(float, { scheme: 'w8a8', calibration, outputRounding: 'nearest', convRounding: 'nearest' });
  const proto = decodeModel(model);
  const plan = fakeQuantPlan(proto, graph, 'tiny.onnx');
  const quantizeNodes = proto.graph.node.filter((n) => n.op_type === 'QuantizeLinear');
  assert.equal(Object.keys(plan.activations).length, quantizeNodes.length, 'every QuantizeLinear maps to an IR value');
  // The output conv is `output` in the quantized graph and `head` in the IR.
  assert.ok(plan.activations.head, 'the output conv is found by its weight');
  assert.ok(plan.weights.includes('head.weight'));
  assert.equal(plan.weightQmax, 127);
  // w8a8-pt rounds per tensor, in a graph lowered apart from the training one: refused.
  const perTensor = await quantizeModel(float, { scheme: 'w8a8-pt', calibration });
  assert.throws(() => fakeQuantPlan(decodeModel(perTensor.model), graph, 'pt.onnx'), /pt\.onnx: rounds .* per tensor; read a plan off a w8a8 or w8a16 model/);
  assert.ok(!plan.weights.some((w) => w.startsWith('enc1')), 'the image convs stay float under w8a8');

  // The logits the quantized graph outputs against tfjs with and without the plan's rounding.
  const params = paramsFromValues(graph, values);
  const headGraph = { ...graph, output: 'head' };
  const session = await createOrtSession(model);
  const out = plan.activations.head;
  let fakeToOrt = 0;
  let floatToOrt = 0;
  let fakeErr = 0;
  let cross = 0;
  for (const p of calibrationPairs(2, 7).pairs()) {
    const dims = [1, 3, p.height, p.width];
    const ortLogits = dequantize((await runQuantizedStereo(session, { left: { data: p.left, dims }, right: { data: p.right, dims } })).codes, out.scale, out.zeroPoint);
    const inputs = { left: tf.tensor4d(p.left, [1, 3, HEIGHT, WIDTH]), right: tf.tensor4d(p.right, [1, 3, HEIGHT, WIDTH]) };
    const plain = runGraph(headGraph, params, inputs, { layout: 'NCHW' }).dataSync();
    const fake = runGraph(headGraph, params, inputs, { layout: 'NCHW', fakeQuant: plan }).dataSync();
    tf.dispose([inputs.left, inputs.right]);
    for (let i = 0; i < ortLogits.length; i++) {
      fakeToOrt += (fake[i] - ortLogits[i]) ** 2;
      floatToOrt += (plain[i] - ortLogits[i]) ** 2;
      fakeErr += (fake[i] - plain[i]) ** 2;
      cross += (fake[i] - plain[i]) * (ortLogits[i] - plain[i]);
    }
  }
  await session.release();
  disposeParams(params);
  assert.ok(floatToOrt > 0, 'the quantized graph differs from float');
  // Rounding decisions that differ by a hair propagate, so the match is not exact: on the shipped
  // precision unet the correlation is 0.81, here (random weights) 0.73. Without rounding it is 0.
  const correlation = cross / Math.sqrt(fakeErr * floatToOrt);
  assert.ok(correlation > 0.5, `the simulated rounding error follows ORT's (correlation ${correlation.toFixed(2)})`);
  assert.ok(fakeToOrt < 0.75 * floatToOrt, `fake quantization is nearer ORT's output than float is (${fakeToOrt.toExponential(2)} vs ${floatToOrt.toExponential(2)})`);
});

function tinyTrainConfig(fakeQuant?: FakeQuantPlan): TrainConfig {
  return {
    ...TRAIN_DEFAULTS,
    model: CONFIG,
    height: HEIGHT,
    width: WIDTH,
    steps: 2,
    batch: 1,
    seed: 5,
    lr: 3e-3,
    warmup: 1,
    data: { source: 'synthetic' },
    valEvery: 2,
    valCount: 1,
    checkpointEvery: 2,
    logEvery: 1,
    ...(fakeQuant ? { fakeQuant } : {}),
  };
}

test('training with a plan rounds in the forward pass; a plan of another model is refused before the run folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-qat-'));
  try {
    const graph = buildModelGraph(CONFIG);
    const float = exportOnnx(graph, initialParamValues(graph, 3), { headTail: 'graph' });
    const { model } = await quantizeModel(float, { scheme: 'w8a8', calibration: calibrationPairs(2) });
    const plan = fakeQuantPlan(decodeModel(model), graph, 'tiny.onnx');
    const plain = await train(tinyTrainConfig(), { runDir: join(dir, 'plain') });
    const qat = await train(tinyTrainConfig(plan), { runDir: join(dir, 'qat') });
    assert.notEqual(qat.validation?.nonOccluded.epe, plain.validation?.nonOccluded.epe, 'the plan changes the forward pass');

    const stray = { ...plan, activations: { ...plan.activations, 'no.such.value': plan.activations.head } };
    await assert.rejects(train(tinyTrainConfig(stray), { runDir: join(dir, 'stray') }), /--qat = tiny\.onnx: does not fit this model: it rounds no\.such\.value/);
    assert.ok(!existsSync(join(dir, 'stray')), 'nothing written');

    // The CLI: a file that is not a quantized model is one line naming it.
    const notQuantized = join(dir, 'float.onnx');
    writeFileSync(notQuantized, float);
    await assert.rejects(
      runCli(['train', '--size', '32x64', '--max-disp', '12', '--width', '0.25', '--steps', '1', '--qat', notQuantized, '--out', join(dir, 'cli')]),
      oneLine(ConfigError, /--qat = .*float\.onnx: holds no QuantizeLinear/),
    );
    assert.ok(!existsSync(join(dir, 'cli')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
