import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { AttributeType, DataType, encodeModel, type ModelProto, type NodeProto, type ValueInfoProto } from '../src/onnx/onnx-proto.js';
import { createOrtSession, runStereo } from '../src/onnx/ort.js';
import { QUANT_METADATA_KEYS } from '../src/quant/metadata.js';
import { gramMatrix } from '../src/quant/gram.js';
import { FOLD_VALUES, InputMoments } from '../src/quant/output-rounding.js';
import { quantizeModel, type QuantizeOptions } from '../src/quant/quantize.js';
import { dequantize, runQuantizedStereo } from '../src/quant/run.js';
import { makeTensor } from '../src/quant/tensors.js';
import { Rng } from '../src/util/rng.js';
import { calibrationPairs, ModelView, tinyModel } from './quant-support.js';

const CALIBRATION = calibrationPairs(6);

async function quantizeTiny(outputRounding: QuantizeOptions['outputRounding'], extra: Partial<QuantizeOptions> = {}) {
  // The graph keeps the head's tail, so the quantized output compares value for value with FP32's.
  // The other convs stay nearest unless a test asks: each fit is checked on its own.
  return quantizeModel(tinyModel('unet', 'direct'), { scheme: 'w8a16', headTail: 'graph', calibration: CALIBRATION, outputRounding, convRounding: 'nearest', ...extra });
}

/** Mean signed and mean squared (quantized - FP32) output over the calibration pairs: what the fit minimises. */
async function outputError(model: Uint8Array, scale: number, zeroPoint: number): Promise<{ mean: number; meanSquare: number }> {
  const fp32 = await createOrtSession(tinyModel('unet', 'direct'));
  const int = await createOrtSession(model);
  let sum = 0;
  let square = 0;
  let n = 0;
  for (const p of CALIBRATION.pairs()) {
    const dims = [1, 3, p.height, p.width];
    const pair = { left: { data: p.left, dims }, right: { data: p.right, dims } };
    const want = (await runStereo(fp32, pair)).data;
    const got = await runQuantizedStereo(int, pair);
    const values = dequantize(got.codes, scale, zeroPoint);
    for (let i = 0; i < want.length; i++) {
      const d = values[i] - want[i];
      sum += d;
      square += d * d;
      n++;
    }
  }
  await fp32.release();
  await int.release();
  return { mean: sum / n, meanSquare: square / n };
}

/** Every int8 Conv weight's codes, by node name. */
function convCodes(model: Uint8Array): Map<string, number[]> {
  const view = new ModelView(model);
  const out = new Map<string, number[]>();
  for (const node of view.ops('Conv')) {
    const dq = view.producer(node.input[1]);
    if (dq?.op_type === 'DequantizeLinear') out.set(node.name, view.values(dq.input[0]));
  }
  return out;
}

test('fitted output rounding: only the output conv\'s codes change, and its output error on the calibration pairs falls', async (t) => {
  const nearest = await quantizeTiny('nearest');
  const fitted = await quantizeTiny('fitted');
  const report = fitted.summary.outputRounding;
  assert.ok(report, 'the fit ran');
  assert.equal(nearest.summary.outputRounding, null);
  assert.equal(report.node, 'head');
  assert.equal(new ModelView(fitted.model).metadata()[QUANT_METADATA_KEYS.outputRounding], 'fitted:head');
  assert.equal(new ModelView(nearest.model).metadata()[QUANT_METADATA_KEYS.outputRounding], 'nearest');

  const before = convCodes(nearest.model);
  const after = convCodes(fitted.model);
  assert.deepEqual([...after.keys()], [...before.keys()]);
  for (const [name, codes] of before) {
    if (name === 'head') assert.notDeepEqual(after.get(name), codes, 'the output conv was refitted');
    else assert.deepEqual(after.get(name), codes, `${name} keeps nearest rounding`);
  }
  assert.ok(report.changedCodes > 0);
  for (let c = 0; c < report.meanSquaredError.nearest.length; c++) {
    assert.ok(report.meanSquaredError.fitted[c] < report.meanSquaredError.nearest[c], `channel ${c}: the fit lowers its own objective`);
  }

  // Measured through ONNX Runtime, not the fit's bookkeeping: the same scales, a smaller error.
  assert.equal(fitted.summary.output.scale, nearest.summary.output.scale);
  const { scale, zeroPoint } = fitted.summary.output;
  const e0 = await outputError(nearest.model, scale, zeroPoint);
  const e1 = await outputError(fitted.model, scale, zeroPoint);
  t.diagnostic(`w8a16 output error on the calibration pairs: mean ${e0.mean.toExponential(2)} -> ${e1.mean.toExponential(2)}, rms ${Math.sqrt(e0.meanSquare).toExponential(2)} -> ${Math.sqrt(e1.meanSquare).toExponential(2)}`);
  assert.ok(e1.meanSquare < e0.meanSquare, 'mean squared error falls');
  assert.ok(Math.abs(e1.mean) < Math.abs(e0.mean), 'the mean error shrinks');
});

test('fitted output rounding is deterministic, and skipped when the output conv stays float', async () => {
  const a = await quantizeTiny('fitted');
  const b = await quantizeTiny('fitted');
  assert.deepEqual(a.model, b.model);
  const excluded = await quantizeTiny('fitted', { nodesToExclude: ['head'] });
  assert.equal(excluded.summary.outputRounding, null);
  assert.equal(new ModelView(excluded.model).metadata()[QUANT_METADATA_KEYS.outputRounding], 'nearest');
  await assert.rejects(quantizeTiny('bogus' as never), /outputRounding/);
});

test('fitted conv rounding: every other unshared conv is refitted, the output conv and the shared encoders are not, and the output error falls', async (t) => {
  const nearest = await quantizeTiny('nearest');
  const fitted = await quantizeTiny('nearest', { convRounding: 'fitted' });
  const report = fitted.summary.convRounding;
  assert.ok(report, 'the fit ran');
  assert.equal(nearest.summary.convRounding, null);
  assert.ok(report.squaredError.fitted < report.squaredError.nearest, 'the fits lower their own objective');
  assert.equal(new ModelView(fitted.model).metadata()[QUANT_METADATA_KEYS.convRounding], `fitted:${report.convs}`);
  assert.equal(new ModelView(nearest.model).metadata()[QUANT_METADATA_KEYS.convRounding], 'nearest');
  const before = convCodes(nearest.model);
  const after = convCodes(fitted.model);
  const changed = [...before].filter(([name, codes]) => JSON.stringify(after.get(name)) !== JSON.stringify(codes)).map(([name]) => name);
  assert.equal(changed.length, report.convs, `refitted: ${changed.join(', ')}`);
  assert.ok(!changed.includes('head'), 'the output conv follows --output-rounding (nearest here)');
  // The siamese encoders share one weight per layer: one set of codes for both, left nearest.
  for (const name of changed) assert.ok(!/^(left|right)\./.test(name), `${name} shares its weight`);
  assert.ok(changed.some((n) => n.startsWith('unet.')), 'the backbone convs are refitted');

  const { scale, zeroPoint } = fitted.summary.output;
  const e0 = await outputError(nearest.model, scale, zeroPoint);
  const e1 = await outputError(fitted.model, scale, zeroPoint);
  t.diagnostic(`w8a16 output rms error on the calibration pairs: ${Math.sqrt(e0.meanSquare).toExponential(2)} -> ${Math.sqrt(e1.meanSquare).toExponential(2)}`);
  assert.ok(e1.meanSquare < e0.meanSquare, 'the whole model\'s output error falls');
});

test('the Gram matrix from ONNX Runtime equals the sum of outer products', async () => {
  const rng = new Rng(5);
  const [n, k] = [37, 11];
  const x = Float32Array.from({ length: n * k }, () => (rng.next() < 0.4 ? 0 : rng.next() * 4 - 1));
  const g = await gramMatrix(x, n, k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let want = 0;
      for (let i = 0; i < n; i++) want += x[i * k + a] * x[i * k + b];
      assert.ok(Math.abs(g[a * k + b] - want) < 1e-4 * (1 + Math.abs(want)), `G[${a}][${b}] = ${g[a * k + b]}, want ${want}`);
    }
  }
  assert.deepEqual(Array.from(await gramMatrix(new Float32Array(0), 0, 3)), new Array(9).fill(0));
});

for (const strides of [[1, 1], [2, 2]] as const) test(`the input moments follow ONNX Conv semantics: a 2x3 kernel with uneven pads and strides ${strides.join('x')}, checked against ORT`, async () => {
  // One Conv, Y = conv(X, W) with pads [top 1, left 0, bottom 0, right 2]; every output pixel is
  // sampled, so E[x] . w and w^T E[x x^T] w must equal ORT's mean of Y and of Y^2.
  const dims = [1, 3, 5, 4];
  const rng = new Rng(11);
  const x = Float32Array.from({ length: 60 }, () => (rng.next() < 0.3 ? 0 : rng.next() * 2 - 0.5));
  const w = Float32Array.from({ length: 18 }, () => rng.next() * 2 - 1);
  const valueInfo = (name: string, shape: number[]): ValueInfoProto =>
    ({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: shape.map((d) => ({ dim_value: d })) } } } });
  const node: NodeProto = {
    name: 'head',
    op_type: 'Conv',
    input: ['x', 'w'],
    output: ['y'],
    attribute: [
      { name: 'pads', type: AttributeType.INTS, ints: [1, 0, 0, 2] },
      { name: 'strides', type: AttributeType.INTS, ints: [...strides] },
    ],
  };
  // Output size per axis: floor((in + pads - kernel) / stride) + 1.
  const outDims = [1, 1, Math.floor((5 + 1 - 2) / strides[0]) + 1, Math.floor((4 + 2 - 3) / strides[1]) + 1];
  const weight = makeTensor('w', DataType.FLOAT, [1, 3, 2, 3], w);
  const model: ModelProto = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'test',
    metadata_props: [],
    graph: { name: 'g', node: [node], initializer: [weight], input: [valueInfo('x', dims)], output: [valueInfo('y', outDims)] },
  };
  const session = await createOrtSession(encodeModel(model));
  const y = (await session.run({ x: new ort.Tensor('float32', x, dims) })).y.data as Float32Array;
  await session.release();
  assert.equal(y.length, outDims[2] * outDims[3]);

  const moments = new InputMoments({ node, weight, dims: [1, 3, 2, 3], pads: [1, 0, 0, 2], strides: [...strides] });
  await moments.observe({ data: x, dims });
  assert.equal(moments.samples, y.length);
  const { mean, second } = await moments.normalized();
  let first = 0;
  let square = 0;
  for (let a = 0; a < 18; a++) {
    first += mean[a] * w[a];
    for (let b = 0; b < 18; b++) square += w[a] * second[a * 18 + b] * w[b];
  }
  const avg = (f: (v: number) => number): number => y.reduce((sum, v) => sum + f(v), 0) / y.length;
  assert.ok(Math.abs(first - avg((v) => v)) < 1e-5, `E[y] ${first} vs ORT ${avg((v) => v)}`);
  assert.ok(Math.abs(square - avg((v) => v * v)) < 1e-4, `E[y^2] ${square} vs ORT ${avg((v) => v * v)}`);

  // The same pair seen often enough that the patches are folded into the sum along the way
  // (memory stays bounded): the moments are those of one pair.
  if (strides[0] === 1) {
    const many = new InputMoments({ node, weight, dims: [1, 3, 2, 3], pads: [1, 0, 0, 2], strides: [...strides] });
    const repeats = Math.ceil((1.5 * FOLD_VALUES) / (y.length * 18));
    for (let r = 0; r < repeats; r++) await many.observe({ data: x, dims });
    const folded = await many.normalized();
    for (let a = 0; a < 18; a++) {
      assert.ok(Math.abs(folded.mean[a] - mean[a]) < 1e-9, `mean[${a}]`);
      for (let b = 0; b < 18; b++) assert.ok(Math.abs(folded.second[a * 18 + b] - second[a * 18 + b]) < 1e-5 * (1 + Math.abs(second[a * 18 + b])), `second[${a}][${b}]`);
    }
  }
});

test('every scheme fits the output conv of both heads, with the tail in the graph or in the decoder', async () => {
  for (const head of ['direct', 'hilbert'] as const) {
    for (const scheme of ['w8a8', 'w8a8-pt', 'w8a16'] as const) {
      // The default tail: in the decoder for 8-bit activations (the conv writes the output), in the graph for 16-bit.
      const { model, summary } = await quantizeModel(tinyModel('unet', head), { scheme, calibration: CALIBRATION });
      assert.ok(summary.outputRounding, `${head} ${scheme}: fitted, not silently left at nearest`);
      assert.equal(new ModelView(model).metadata()[QUANT_METADATA_KEYS.outputRounding], `fitted:${summary.outputRounding.node}`);
      for (const codes of [...convCodes(model).values()]) assert.ok(codes.every((c) => Math.abs(c) <= 127));
    }
  }
  const reduced = await quantizeModel(tinyModel('unet', 'direct'), { scheme: 'w8a8', calibration: CALIBRATION, reduceRange: true });
  assert.ok(reduced.summary.outputRounding);
  assert.ok(reduced.summary.convRounding, 'the other convs are fitted too');
  for (const [name, codes] of convCodes(reduced.model)) assert.ok(codes.length > 0 && codes.every((c) => Math.abs(c) <= 64), `${name}: reduce_range codes stay within -64..64`);
});
