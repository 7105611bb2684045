import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type ModelProto, type ValueInfoProto } from '../src/onnx/onnx-proto.js';
import { createOrtSession } from '../src/onnx/ort.js';
import { calibrateRanges } from '../src/quant/calibrate.js';
import { MAX_RENDERED_CALIBRATION_BYTES, syntheticCalibration, type CalibrationPair } from '../src/quant/calibration-data.js';
import { EntropyCollector } from '../src/quant/calibrators/entropy.js';
import { MinMaxCollector } from '../src/quant/calibrators/minmax.js';
import { MseCollector } from '../src/quant/calibrators/mse.js';
import { PercentileCollector } from '../src/quant/calibrators/percentile.js';
import { Rng } from '../src/util/rng.js';
import { calibrationPairs, HEIGHT, WIDTH, tinyModel } from './quant-support.js';

const TENSORS = ['left', 'stem.fuse', 'head', 'output'];

/** Min/max of `tensors` over `pairs`, computed directly: the model made to return them, every value kept. */
async function directMinMax(model: ModelProto, tensors: string[], pairs: CalibrationPair[]): Promise<Map<string, { min: number; max: number }>> {
  const outputs = tensors.filter((t) => t !== 'left').map((name) => ({ name, type: { tensor_type: { elem_type: 1 } } }) as unknown as ValueInfoProto);
  // The optimization level calibration uses: fusions may change the last float bit.
  const session = await createOrtSession(encodeModel({ ...model, graph: { ...model.graph, output: outputs } }), { optimization: 'basic' });
  const values = new Map<string, number[]>(tensors.map((t) => [t, []]));
  for (const p of pairs) {
    const dims = [1, 3, p.height, p.width];
    const result = await session.run({ left: new ort.Tensor('float32', p.left, dims), right: new ort.Tensor('float32', p.right, dims) });
    for (const t of tensors) values.get(t)!.push(...(t === 'left' ? p.left : (result[t].data as Float32Array)));
  }
  await session.release();
  return new Map([...values].map(([t, v]) => [t, { min: v.reduce((a, b) => Math.min(a, b)), max: v.reduce((a, b) => Math.max(a, b)) }]));
}

test('minmax ranges equal the true min/max over the pairs; percentile and entropy ranges lie inside them', async (t) => {
  const model = decodeModel(tinyModel('unet'));
  const data = calibrationPairs(3);
  const pairs = [...(data.pairs() as Iterable<CalibrationPair>)];
  const want = await directMinMax(model, TENSORS, pairs);
  const minmax = await calibrateRanges(model, TENSORS, data, { method: 'minmax' });
  assert.equal(minmax.pairs, 3);
  for (const name of TENSORS) assert.deepEqual(minmax.ranges.get(name), want.get(name), name);
  for (const method of ['percentile', 'entropy', 'mse'] as const) {
    // 99 %: with 3 small pairs, the default 99.99 % tail is less than one value.
    const result = await calibrateRanges(model, TENSORS, data, { method, percentile: 99 });
    assert.equal(result.passes, 2);
    let narrower = 0;
    for (const name of TENSORS) {
      const r = result.ranges.get(name)!;
      const full = want.get(name)!;
      assert.ok(r.min >= full.min && r.max <= full.max && r.min <= r.max, `${method} ${name}: [${r.min}, ${r.max}] inside [${full.min}, ${full.max}]`);
      if (r.max - r.min < full.max - full.min) narrower++;
    }
    t.diagnostic(`${method}: ${narrower} of ${TENSORS.length} ranges narrower than min/max`);
    assert.ok(narrower > 0, `${method} clips some tail`);
  }
});

test('collector state does not grow with the number of calibration pairs (streaming)', async () => {
  const model = decodeModel(tinyModel('unet'));
  for (const method of ['minmax', 'percentile', 'entropy', 'mse'] as const) {
    const few = await calibrateRanges(model, TENSORS, calibrationPairs(1), { method });
    const many = await calibrateRanges(model, TENSORS, calibrationPairs(4), { method });
    assert.equal(many.pairs, 4);
    assert.equal(few.stateSize, many.stateSize, method);
  }
});

test('histogram methods reject pair sources that cannot be walked twice', async () => {
  const model = decodeModel(tinyModel('unet'));
  // A one-shot iterator: a second walk sees no pairs.
  const once = (function* () {
    yield* calibrationPairs(2).pairs();
  })();
  await assert.rejects(calibrateRanges(model, ['output'], { pairs: () => once }, { method: 'percentile' }), /pass 2 saw another number of pairs/);
});

test('collectors: percentile cuts (100 - p)/2 % from each tail, entropy clips outliers, minmax skips NaN', () => {
  const rng = new Rng(7, 1);
  const values = new Float32Array(100_000).map(() => rng.next());
  values[0] = -50;
  values[1] = 80;
  const percentile = new PercentileCollector(99, 1000);
  percentile.observe(0, values);
  percentile.observe(1, values);
  const p = percentile.range();
  assert.ok(p.min > -0.2 && p.min < 0.05 && p.max > 0.95 && p.max < 1.2, `[${p.min}, ${p.max}]`);

  const entropy = new EntropyCollector(1024, 128);
  entropy.observe(0, values);
  entropy.observe(1, values);
  const e = entropy.range();
  assert.ok(e.min >= -50 && e.max <= 80 && e.max < 40, `[${e.min}, ${e.max}]`);

  const minmax = new MinMaxCollector();
  minmax.observe(0, Float32Array.of(NaN, 2, -3, Infinity));
  assert.deepEqual(minmax.range(), { min: -3, max: 2 });
});

test('mse: clips a long tail where its values cost less than the coarser steps would, keeps the range where they cost more', () => {
  const rng = new Rng(7, 2);
  // Exponential values (mean 1, max about 12 in 100k): a long thin tail, as after a ReLU.
  const values = new Float32Array(100_000).map(() => -Math.log(1 - rng.next()));
  const max = values.reduce((a, b) => Math.max(a, b));
  const rangeAt = (levels: number, v = values): { min: number; max: number } => {
    const c = new MseCollector(2048, levels);
    c.observe(0, v);
    c.observe(1, v);
    return c.range();
  };
  const squaredError = (v: Float32Array, r: { min: number; max: number }, levels: number): number => {
    const step = (r.max - r.min) / (levels - 1);
    let sum = 0;
    for (const x of v) sum += (Math.min(r.max, Math.max(r.min, r.min + Math.round((x - r.min) / step) * step)) - x) ** 2;
    return sum;
  };
  // 16 levels: clipping the tail pays; the range found beats the full one on the values themselves.
  const coarse = rangeAt(16);
  assert.ok(coarse.min <= 0.01 && coarse.max > 3 && coarse.max < 0.7 * max, `[${coarse.min}, ${coarse.max}] of max ${max}`);
  assert.ok(squaredError(values, coarse, 16) < 0.6 * squaredError(values, { min: 0, max }, 16));
  // 65536 levels (uint16): any clipping costs more than the steps save.
  assert.ok(rangeAt(65536).max > 0.99 * max);
  // A far outlier costs its whole distance squared if clipped: at 256 levels most of its reach is kept (percentile would cut it all).
  const withOutlier = Float32Array.from([...values.subarray(0, 10_000), 200]);
  assert.ok(rangeAt(256, withOutlier).max > 150);
});

test('pairs must match the 3 x H x W layout', async () => {
  const model = decodeModel(tinyModel('unet'));
  const bad = { left: new Float32Array(10), right: new Float32Array(10), height: HEIGHT, width: WIDTH };
  await assert.rejects(calibrateRanges(model, ['output'], { pairs: () => [bad] }, { method: 'minmax' }), /3 \* height \* width/);
});

test('synthetic calibration pairs are rendered once and walked again as the same pairs', () => {
  const data = syntheticCalibration({ height: 16, width: 32, maxDisp: 8, count: 3, seed: 5, scenes: 'precision' });
  const first = [...data.pairs()];
  const second = [...data.pairs()];
  assert.equal(first.length, 3);
  first.forEach((p, i) => assert.equal(second[i], p, `pair ${i} is rendered again`));
  // The same pairs as rendering them afresh.
  const fresh = [...syntheticCalibration({ height: 16, width: 32, maxDisp: 8, count: 3, seed: 5, scenes: 'precision' }).pairs()];
  first.forEach((p, i) => assert.deepEqual(p.left, fresh[i].left));
});

test('a synthetic calibration count that could not be held in memory is refused before any pair is rendered', () => {
  const pairBytes = 2 * 3 * 64 * 128 * 4;
  const most = Math.floor(MAX_RENDERED_CALIBRATION_BYTES / pairBytes);
  // At the limit the pairs are only described (rendered lazily), so this costs nothing.
  assert.equal(syntheticCalibration({ height: 64, width: 128, maxDisp: 24, count: most }).count, most);
  for (const count of [most + 1, 3_000_000, 99_999_999_999]) {
    assert.throws(() => syntheticCalibration({ height: 64, width: 128, maxDisp: 24, count }), new RegExp(`calibration pairs = ${count}: .*at most ${most} fit`));
  }
});
