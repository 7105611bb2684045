import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { dataPreset } from '../src/data/options.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { ConfigError } from '../src/util/errors.js';
import { meanAbsDiff, warpPairs } from './data-helpers.js';

const PRECISION = { height: 64, width: 128, maxDisp: 32, scenes: 'precision' as const };

test('precision scenes: the right view warped by the ground truth matches the left, rendered clean', () => {
  const generator = new SyntheticStereo({ ...PRECISION, seed: 5 });
  assert.equal(generator.options.photometric, false, 'precision scenes have no camera noise by default');
  let exact = 0;
  let shifted = 0;
  for (let i = 0; i < 6; i++) {
    const s = generator.sample(i);
    exact += meanAbsDiff(warpPairs(s).left, warpPairs(s).warped);
    const bad = warpPairs(s, 0.5);
    shifted += meanAbsDiff(bad.left, bad.warped);
  }
  exact /= 6;
  shifted /= 6;
  // Sub-pixel exact: only linear interpolation of band-limited textures remains, and a half-pixel
  // error in the ground truth would be plainly visible.
  assert.ok(exact < 1.5, `mean abs colour difference ${exact.toFixed(2)} grey levels`);
  assert.ok(shifted > 3 * exact, `shifted by 0.5 px: ${shifted.toFixed(2)} vs exact ${exact.toFixed(2)}`);
});

test('precision scenes: few surfaces, every one textured, disparities across the range', () => {
  const generator = new SyntheticStereo({ ...PRECISION, seed: 6 });
  let maxSeen = 0;
  for (let i = 0; i < 12; i++) {
    const s = generator.sample(i);
    // Background plus at most 6 objects (some are dropped when they cannot be placed).
    assert.ok(s.surfaceCount >= 1 && s.surfaceCount <= 7, `surfaces ${s.surfaceCount}`);
    for (const d of s.disp) maxSeen = Math.max(maxSeen, d);
    // Textured everywhere: horizontal gradients are rarely zero (flat and weak textures are excluded).
    let flat = 0;
    for (let y = 0; y < s.height; y++) {
      for (let x = 0; x + 1 < s.width; x++) {
        const p = 3 * (y * s.width + x);
        if (Math.abs(s.left[p] - s.left[p + 3]) + Math.abs(s.left[p + 1] - s.left[p + 4]) + Math.abs(s.left[p + 2] - s.left[p + 5]) === 0) flat++;
      }
    }
    assert.ok(flat / (s.height * (s.width - 1)) < 0.25, `pair ${i}: ${((100 * flat) / (s.height * (s.width - 1))).toFixed(1)} % flat neighbours`);
  }
  assert.ok(maxSeen > 0.5 * PRECISION.maxDisp && maxSeen <= PRECISION.maxDisp, `largest disparity ${maxSeen}`);
});

test('mixed scenes are unchanged by the scene styles (same pairs as before, bit for bit)', () => {
  // The digest of the first mixed pairs before scene styles existed (commit 7bae5aa).
  const generator = new SyntheticStereo({ height: 64, width: 128, maxDisp: 24, seed: 3 });
  const hash = createHash('sha256');
  for (let i = 0; i < 50; i++) {
    const s = generator.sample(i);
    hash.update(s.left);
    hash.update(new Uint8Array(s.disp.buffer));
  }
  assert.equal(hash.digest('hex'), 'e9dfef7626dd4839d0c59eb6363137a6ef8c0e7b52c472f985182fc6e81a1748');
  assert.deepEqual(new SyntheticStereo({ height: 64, width: 128, maxDisp: 24, seed: 3, scenes: 'mixed' }).sample(7).left, generator.sample(7).left);
});

test('scene styles and data presets: unknown names are refused naming the field', () => {
  assert.throws(() => new SyntheticStereo({ ...PRECISION, seed: 0, scenes: 'tidy' as never }), (e: unknown) => e instanceof ConfigError && /scenes/.test(e.message));
  assert.throws(() => dataPreset('toString'), (e: unknown) => e instanceof ConfigError && /--preset/.test(e.message));
  assert.deepEqual(dataPreset('precision'), { size: '128x256', maxDisp: '64', scenes: 'room' });
});
