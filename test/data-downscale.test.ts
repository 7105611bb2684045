import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downscaledDataset, downscaleSample } from '../src/data/downscale.js';
import { syntheticDataset } from '../src/data/batches.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { ConfigError } from '../src/util/errors.js';
import { meanAbsDiff, warpPairs } from './data-helpers.js';

const big = new SyntheticStereo({ height: 96, width: 192, maxDisp: 48, seed: 4, scenes: 'precision' });

test('downscaling by f keeps the ground truth exact: the right view warped by d / f matches the left', () => {
  for (let i = 0; i < 6; i++) {
    const s = downscaleSample(big.sample(i), 3);
    assert.equal(s.width, 64);
    assert.equal(s.height, 32);
    const withOcc = { ...s, occ: (s.occ as Uint8Array).map((o, p) => (o || !(s.valid as Uint8Array)[p] ? 1 : 0)) };
    const exact = meanAbsDiff(warpPairs(withOcc).left, warpPairs(withOcc).warped);
    const off = meanAbsDiff(warpPairs(withOcc, 0.5).left, warpPairs(withOcc, 0.5).warped);
    // Box filtering aliases fine texture a little (both views alike, not the ground truth's fault),
    // so the check is relative: half a pixel of disparity error would at least double the residual.
    assert.ok(off > 2 * exact, `pair ${i}: half a pixel off gives ${off.toFixed(2)} vs ${exact.toFixed(2)}`);
  }
});

test('a block across a depth edge has no ground truth; elsewhere disparities shrink by f', () => {
  const full = big.sample(0);
  const s = downscaleSample(full, 2);
  let kept = 0;
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      const q = y * s.width + x;
      const block = [0, 1].flatMap((dy) => [0, 1].map((dx) => full.disp![(2 * y + dy) * full.width + 2 * x + dx]));
      const spread = Math.max(...block) - Math.min(...block);
      assert.equal(s.valid![q], spread <= 2 ? 1 : 0);
      if (s.valid![q]) {
        kept++;
        assert.ok(Math.abs(s.disp![q] - block.reduce((a, b) => a + b) / 8) < 1e-5);
      }
    }
  }
  assert.ok(kept > 0.8 * s.width * s.height, `${kept} of ${s.width * s.height} kept`);
  const dataset = downscaledDataset(syntheticDataset(big, 2, 'big'), 4);
  assert.equal(dataset.get(1).width, 48);
  assert.match(dataset.name, /1\/4/);
  assert.throws(() => downscaleSample(full, 0), ConfigError);
  assert.throws(() => downscaleSample(full, 200), ConfigError);
});
