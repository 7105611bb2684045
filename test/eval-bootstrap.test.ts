import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapReduction, PAIR_SAMPLE, summarizePairs } from '../src/eval/bootstrap.js';
import { QuantErrorAccumulator } from '../src/eval/quant-error.js';
import { Rng } from '../src/util/rng.js';
import { robustStd } from '../src/util/stats.js';

function gaussianPairs(rng: Rng, pairs: number, pixels: number, sigmaOf: (pair: number) => number): Float32Array[] {
  return Array.from({ length: pairs }, (_, p) => Float32Array.from({ length: pixels }, () => sigmaOf(p) * rng.gaussian()));
}

test('the paired bootstrap interval covers the true reduction and narrows with more pairs', () => {
  const rng = new Rng(3, 1);
  // Pair-to-pair variation in noise, shared by both models (as a hard scene is hard for both).
  const scene = Array.from({ length: 120 }, () => 0.5 + rng.next());
  const direct = gaussianPairs(rng, 120, 1024, (p) => 0.3 * scene[p]);
  const hilbert = gaussianPairs(rng, 120, 1024, (p) => 0.05 * scene[p]);
  const wide = bootstrapReduction(summarizePairs(direct.slice(0, 20)), summarizePairs(hilbert.slice(0, 20)));
  const narrow = bootstrapReduction(summarizePairs(direct), summarizePairs(hilbert));
  for (const ci of [wide, narrow]) {
    assert.ok(ci.robustStd.low < 6 && ci.robustStd.high > 6, `robust std ${ci.robustStd.low}..${ci.robustStd.high}`);
    assert.ok(ci.rmse.low < 6 && ci.rmse.high > 6, `rmse ${ci.rmse.low}..${ci.rmse.high}`);
  }
  assert.ok(narrow.robustStd.high - narrow.robustStd.low < wide.robustStd.high - wide.robustStd.low);
  // A model pair that truly differs by 2x is not inside a 6x interval.
  const other = bootstrapReduction(summarizePairs(direct), summarizePairs(gaussianPairs(rng, 120, 1024, (p) => 0.15 * scene[p])));
  assert.ok(other.robustStd.high < 2.5 && other.robustStd.low > 1.6, `${other.robustStd.low}..${other.robustStd.high}`);
});

test('pair summaries: exact sums of squares, stratified samples, deterministic resampling', () => {
  const acc = new QuantErrorAccumulator();
  const rng = new Rng(4, 2);
  const pairs = gaussianPairs(rng, 5, 1000, () => 1);
  for (const p of pairs) acc.add(p, new Float32Array(p.length));
  const s = acc.pairSummary();
  assert.equal(s.count.length, 5);
  assert.ok(Math.abs(s.sumSq[2] - pairs[2].reduce((a, v) => a + v * v, 0)) < 1e-6 * s.sumSq[2]);
  assert.equal(s.offsets[5], 5 * PAIR_SAMPLE);
  // The sample has the spread of the whole pair.
  assert.ok(Math.abs(robustStd(s.sample) - 1) < 0.15);
  const a = bootstrapReduction(s, s, 50, 9);
  assert.deepEqual(a, bootstrapReduction(s, s, 50, 9));
  assert.equal(a.robustStd.low, 1);
  assert.equal(a.rmse.high, 1);
  assert.throws(() => bootstrapReduction(s, summarizePairs(pairs.slice(1))), /same test pairs/);
});

test('pair samples cover rows and columns alike, even when the sample size divides the pixel count', () => {
  // Values are the pixel indices of a 128x256 map: the sample's values say where it looked.
  const width = 256;
  const map = Float32Array.from({ length: 128 * width }, (_, i) => i);
  const s = summarizePairs([map, map]);
  const columns = new Set(Array.from(s.sample.subarray(0, PAIR_SAMPLE), (v) => v % width));
  const rows = new Set(Array.from(s.sample.subarray(0, PAIR_SAMPLE), (v) => Math.floor(v / width)));
  // A fixed stride (the old sample) read 2 columns here.
  assert.ok(columns.size > 100, `${columns.size} columns sampled`);
  assert.equal(rows.size, 128);
  // The same pixels for every model at a pair index, so the bootstrap stays paired; another pair, others.
  assert.deepEqual(summarizePairs([map]).sample, s.sample.subarray(0, PAIR_SAMPLE));
  assert.notDeepEqual(s.sample.subarray(0, PAIR_SAMPLE), s.sample.subarray(PAIR_SAMPLE));
});

test('a reduction with no finite resample gives NaN ends, not undefined', () => {
  const zero = summarizePairs([new Float32Array(64), new Float32Array(64)]);
  const r = bootstrapReduction(zero, zero, 20, 1);
  assert.ok(Number.isNaN(r.robustStd.low) && Number.isNaN(r.robustStd.high) && Number.isNaN(r.rmse.low));
});
