import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { meanAbsDiff, warpPairs } from './data-helpers.js';

const ROOM = { height: 64, width: 128, maxDisp: 32, scenes: 'room' as const };

/** Share of pixels next to a ground-truth jump of more than 1 px (a depth edge). */
function edgeShare(disp: Float32Array, width: number, height: number): number {
  let edges = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = disp[y * width + x];
      if ((x + 1 < width && Math.abs(disp[y * width + x + 1] - d) > 1) || (y + 1 < height && Math.abs(disp[(y + 1) * width + x] - d) > 1)) edges++;
    }
  }
  return edges / (width * height);
}

test('room scenes: the right view warped by the ground truth matches the left, rendered clean', () => {
  const generator = new SyntheticStereo({ ...ROOM, seed: 5 });
  assert.equal(generator.options.photometric, false, 'room scenes have no camera noise by default');
  let exact = 0;
  let shifted = 0;
  for (let i = 0; i < 6; i++) {
    const s = generator.sample(i);
    exact += meanAbsDiff(warpPairs(s).left, warpPairs(s).warped);
    const bad = warpPairs(s, 0.5);
    shifted += meanAbsDiff(bad.left, bad.warped);
  }
  assert.ok(exact / 6 < 1.5, `mean abs colour difference ${(exact / 6).toFixed(2)} grey levels`);
  assert.ok(shifted > 3 * exact, `shifted by 0.5 px: ${(shifted / 6).toFixed(2)} vs exact ${(exact / 6).toFixed(2)}`);
});

test('room scenes: in range, with fewer depth edges than precision scenes', () => {
  const room = new SyntheticStereo({ ...ROOM, seed: 6 });
  const precision = new SyntheticStereo({ ...ROOM, scenes: 'precision', seed: 6 });
  let roomEdges = 0;
  let precisionEdges = 0;
  const n = 16;
  for (let i = 0; i < n; i++) {
    const s = room.sample(i);
    for (const d of s.disp) assert.ok(d >= 0 && d <= ROOM.maxDisp, `pair ${i}: disparity ${d}`);
    // Background plane, up to three walls, up to two objects.
    assert.ok(s.surfaceCount >= 1 && s.surfaceCount <= 6, `surfaces ${s.surfaceCount}`);
    roomEdges += edgeShare(s.disp, s.width, s.height);
    const p = precision.sample(i);
    precisionEdges += edgeShare(p.disp, p.width, p.height);
  }
  assert.ok(roomEdges < 0.6 * precisionEdges, `edge share ${(roomEdges / n).toFixed(4)} vs precision ${(precisionEdges / n).toFixed(4)}`);
});

/** Whether the disparity bends somewhere: a plane's second difference is zero everywhere. */
function bends(disp: Float32Array, width: number, height: number): boolean {
  for (let y = 1; y + 1 < height; y++) {
    for (let x = 1; x + 1 < width; x++) {
      const p = y * width + x;
      if (Math.abs(disp[p - 1] - 2 * disp[p] + disp[p + 1]) > 1e-3 || Math.abs(disp[p - width] - 2 * disp[p] + disp[p + width]) > 1e-3) return true;
    }
  }
  return false;
}

test('room scenes: walls meet the background at creases, continuously, with no occlusion there', () => {
  // With no objects, the disparity bends at the creases but never jumps, and only pixels whose
  // match falls outside the right image are occluded.
  const generator = new SyntheticStereo({ ...ROOM, seed: 7, minObjects: 0, maxObjects: 0 });
  let creased = 0;
  const n = 8;
  for (let i = 0; i < n; i++) {
    const s = generator.sample(i);
    if (bends(s.disp, s.width, s.height)) creased++;
    assert.equal(edgeShare(s.disp, s.width, s.height), 0, `pair ${i} has a depth jump`);
    for (let y = 0; y < s.height; y++) {
      for (let x = 0; x < s.width; x++) {
        const p = y * s.width + x;
        // Occluded only where the match falls outside the right image.
        if (s.occ[p]) assert.ok(x - s.disp[p] < 0, `pair ${i}: occluded at (${x}, ${y}) inside the frame`);
      }
    }
  }
  assert.ok(creased >= n / 2, `only ${creased} of ${n} rooms show a crease`);
});

test('precision scenes are unchanged by the room style (same pairs as before, bit for bit)', () => {
  // Digest of precision pairs at b4be42c, before room scenes existed: the shipped zoo's test data.
  const generator = new SyntheticStereo({ ...ROOM, scenes: 'precision', seed: 3 });
  const hash = createHash('sha256');
  for (let i = 0; i < 30; i++) {
    const s = generator.sample(i);
    hash.update(s.left);
    hash.update(s.right);
    hash.update(new Uint8Array(s.disp.buffer));
    hash.update(s.occ);
  }
  assert.equal(hash.digest('hex'), '40bcf7c8fe00c2bca47b34a3f6b83ecce34cf9b79294be6ab803d7233e411a25');
});
