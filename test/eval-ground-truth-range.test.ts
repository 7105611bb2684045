import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroundTruthRangeCheck } from '../src/eval/ground-truth-range.js';

const truth = [-1, 0.5, 2, 3.9, 4, 30, 64, 70, Infinity, 5];
const valid = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0];

test('ground-truth range: the linear map reaches 0..maxDisp', () => {
  const check = new GroundTruthRangeCheck(64);
  check.add(truth, valid);
  assert.equal(check.outOfRange, 3);
  assert.equal(
    check.warning('set'),
    "warning: 3 of 9 valid ground-truth pixels of set (33.33 %) are outside the model's range 0..64 px (1 negative, 1 non-finite, 1 above 64 px; largest 70 px); they are scored as given, non-finite ones skipped",
  );
});

test('ground-truth range: a log or inverse map cannot go below its minDisp, and says so', () => {
  const check = new GroundTruthRangeCheck(64, 4);
  check.add(truth, valid);
  // 0.5, 2 and 3.9 are below 4 px; 4 itself is reachable.
  assert.equal(check.outOfRange, 6);
  assert.match(check.warning('set') ?? '', /outside the model's range 4\.\.64 px \(1 negative, 3 below 4 px, 1 non-finite, 1 above 64 px; largest 70 px\)/);
  const inRange = new GroundTruthRangeCheck(64, 4);
  inRange.add([4, 10, 64], [1, 1, 1]);
  assert.equal(inRange.warning('set'), null);
});
