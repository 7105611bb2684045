import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBatch } from '../src/data/batches.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { rgbToPlanar } from '../src/infer/stereo-pair.js';

test('rgbToPlanar gives the planar floats training and evaluation see, bit for bit, for every byte value', () => {
  const sample = new SyntheticStereo({ height: 16, width: 32, maxDisp: 8, seed: 3 }).sample(0);
  // Every byte value at least once, in every channel.
  for (let i = 0; i < sample.left.length; i++) sample.left[i] = (i * 7) % 256;
  const planar = rgbToPlanar({ width: 32, height: 16, data: sample.left });
  assert.deepEqual(planar, makeBatch([sample]).left);
  const hw = 16 * 32;
  assert.equal(planar[hw + 5], Math.fround(sample.left[5 * 3 + 1] / 255), 'plane 1 holds the green bytes');
});
