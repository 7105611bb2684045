import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../src/data/dataset.js';
import { generateDataset } from '../src/data/generate.js';
import { makeBatch, streamBatches, syntheticDataset } from '../src/data/batches.js';
import { writePng } from '../src/data/formats/image.js';
import { writeKittiDisparity } from '../src/data/formats/kitti.js';
import { writePfm } from '../src/data/formats/pfm.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { ConfigError, FileFormatError } from '../src/util/errors.js';
import { withTempDir } from './data-helpers.js';

const OPTS = { height: 32, width: 64, maxDisp: 12, seed: 4 };
const generator = new SyntheticStereo(OPTS);

function rgb(s: { width: number; height: number }, data: Uint8Array) {
  return { width: s.width, height: s.height, data };
}

test('a generated folder reads back exactly what the generator produced', () => {
  withTempDir((dir) => {
    const out = join(dir, 'ds');
    generateDataset({ ...OPTS, out, count: 3 });
    const ds = openDataset(out);
    assert.equal(ds.length, 3);
    assert.equal(ds.maxDisp, 12);
    assert.match(ds.name, /^generated:/);
    for (let i = 0; i < 3; i++) {
      const want = generator.sample(i);
      const got = ds.get(i);
      assert.deepEqual(got.left, want.left);
      assert.deepEqual(got.right, want.right);
      assert.deepEqual(got.disp, want.disp);
      assert.deepEqual(got.occ, want.occ);
      assert.ok(got.valid?.every((v) => v === 1));
    }
    assert.throws(() => ds.get(3), ConfigError);
  });
});

test('Middlebury scene folder: im0/im1/disp0GT.pfm with +inf masked, and a folder of scenes', () => {
  withTempDir((dir) => {
    const s = generator.sample(0);
    const scene = join(dir, 'scenes', 'Toy');
    mkdirSync(scene, { recursive: true });
    writePng(join(scene, 'im0.png'), rgb(s, s.left));
    writePng(join(scene, 'im1.png'), rgb(s, s.right));
    const disp = Float32Array.from(s.disp);
    disp[0] = Infinity;
    disp[5] = Infinity;
    writePfm(join(scene, 'disp0GT.pfm'), { width: s.width, height: s.height, channels: 1, data: disp });
    writeFileSync(join(scene, 'calib.txt'), 'cam0=[1 0 0; 0 1 0; 0 0 1]\nndisp=16\n');
    for (const path of [scene, join(dir, 'scenes')]) {
      const ds = openDataset(path);
      assert.match(ds.name, /^middlebury:/);
      assert.equal(ds.length, 1);
      assert.equal(ds.maxDisp, 16);
      const got = ds.get(0);
      assert.deepEqual(got.left, s.left);
      assert.equal(got.valid?.[0], 0);
      assert.equal(got.valid?.[5], 0);
      assert.equal(got.disp?.[0], 0, 'invalid pixels hold 0 but are masked');
      assert.equal(got.valid?.[1], 1);
      assert.equal(got.disp?.[1], s.disp[1]);
      assert.equal(got.occ, null);
    }
  });
});

test('KITTI folder: _10 frames, 16-bit disparity, occlusion from disp_occ minus disp_noc', () => {
  withTempDir((dir) => {
    for (const sub of ['image_2', 'image_3', 'disp_occ_0', 'disp_noc_0']) mkdirSync(join(dir, sub));
    for (let i = 0; i < 2; i++) {
      const s = generator.sample(i);
      const name = `00000${i}_10.png`;
      writePng(join(dir, 'image_2', name), rgb(s, s.left));
      writePng(join(dir, 'image_2', `00000${i}_11.png`), rgb(s, s.left));
      writePng(join(dir, 'image_3', name), rgb(s, s.right));
      const valid = new Uint8Array(s.valid);
      valid[3] = 0;
      writeKittiDisparity(join(dir, 'disp_occ_0', name), { width: s.width, height: s.height, disp: s.disp, valid });
      const noc = Uint8Array.from(valid, (v, p) => (v && !s.occ[p] ? 1 : 0));
      writeKittiDisparity(join(dir, 'disp_noc_0', name), { width: s.width, height: s.height, disp: s.disp, valid: noc });
    }
    const ds = openDataset(dir, { format: 'kitti' });
    assert.equal(ds.length, 2);
    const s = generator.sample(1);
    const got = ds.get(1);
    assert.deepEqual(got.right, s.right);
    assert.equal(got.valid?.[3], 0);
    for (let p = 0; p < s.disp.length; p++) {
      if (p !== 3) assert.ok(Math.abs((got.disp?.[p] ?? -1) - s.disp[p]) <= 1 / 256, `pixel ${p}`);
    }
    const expectedOcc = Uint8Array.from(s.occ, (o, p) => (p === 3 ? 0 : o));
    assert.deepEqual(got.occ, expectedOcc);
  });
});

test('a plain pair of files, with and without ground truth', () => {
  withTempDir((dir) => {
    const s = generator.sample(2);
    writePng(join(dir, 'l.png'), rgb(s, s.left));
    writePng(join(dir, 'r.png'), rgb(s, s.right));
    writePfm(join(dir, 'd.pfm'), { width: s.width, height: s.height, channels: 1, data: s.disp });
    const withGt = openDataset({ left: join(dir, 'l.png'), right: join(dir, 'r.png'), disp: join(dir, 'd.pfm') }).get(0);
    assert.deepEqual(withGt.disp, s.disp);
    const noGt = openDataset({ left: join(dir, 'l.png'), right: join(dir, 'r.png') }).get(0);
    assert.equal(noGt.disp, null);
    assert.equal(noGt.valid, null);
    assert.deepEqual(noGt.right, s.right);
  });
});

test('layout detection refuses unknown folders and contradicting --format', () => {
  withTempDir((dir) => {
    assert.throws(() => openDataset(dir), (e: unknown) => e instanceof FileFormatError && e.message.includes(dir));
    generateDataset({ ...OPTS, out: join(dir, 'g'), count: 1 });
    assert.throws(() => openDataset(join(dir, 'g'), { format: 'kitti' }), FileFormatError);
    assert.throws(() => openDataset(join(dir, 'g'), { format: 'pair' }), ConfigError);
  });
});

test('makeBatch: planar NCHW in [0,1], invalid disparity zeroed and masked, occlusion in nonOcc', () => {
  const a = generator.sample(0);
  const b = { ...generator.sample(1), valid: Uint8Array.from(generator.sample(1).valid) };
  b.valid[10] = 0;
  const batch = makeBatch([a, b]);
  const hw = a.width * a.height;
  assert.equal(batch.n, 2);
  assert.equal(batch.left.length, 2 * 3 * hw);
  const p = 77;
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(batch.left[c * hw + p] - a.left[p * 3 + c] / 255) < 1e-6);
    assert.ok(Math.abs(batch.right[3 * hw + c * hw + p] - b.right[p * 3 + c] / 255) < 1e-6);
  }
  assert.equal(batch.disp[hw + 10], 0);
  assert.equal(batch.valid[hw + 10], 0);
  assert.equal(batch.nonOcc[hw + 10], 0);
  for (let q = 0; q < hw; q++) {
    assert.equal(batch.nonOcc[q], a.occ[q] ? 0 : 1);
    assert.equal(batch.disp[q], a.disp[q]);
  }
  const odd = new SyntheticStereo({ ...OPTS, width: 48 }).sample(0);
  assert.throws(() => makeBatch([a, odd]), ConfigError);
});

test('streamBatches streams from the generator and from datasets without the disk', () => {
  const batches = [...streamBatches(generator, 2, { start: 3, count: 5 })];
  assert.deepEqual(batches.map((b) => b.n), [2, 2, 1]);
  assert.deepEqual(batches[2].disp, generator.sample(7).disp);
  const ds = syntheticDataset(generator, 3);
  assert.deepEqual([...streamBatches(ds, 2)].map((b) => b.n), [2, 1]);
});
