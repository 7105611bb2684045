import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { renderScene } from '../src/data/synthetic/render.js';
import type { Scene } from '../src/data/synthetic/scene.js';
import { FullPlane, Polygon } from '../src/data/synthetic/shapes.js';
import { ConfigError } from '../src/util/errors.js';
import { meanAbsDiff, residualAfterGainBias, warpPairs } from './data-helpers.js';

const SMALL = { height: 48, width: 96, maxDisp: 20 };

test('ground truth: right view warped by the disparity matches the left on non-occluded pixels', () => {
  const generator = new SyntheticStereo({ ...SMALL, seed: 7, photometric: false });
  let exact = 0;
  let shifted = 0;
  for (let i = 0; i < 8; i++) {
    const s = generator.sample(i);
    const good = warpPairs(s);
    exact += meanAbsDiff(good.left, good.warped);
    const bad = warpPairs(s, 1.5);
    shifted += meanAbsDiff(bad.left, bad.warped);
  }
  exact /= 8;
  shifted /= 8;
  // Only linear-interpolation error remains (textures are band-limited to >= 2.5 px cells).
  assert.ok(exact < 2, `mean abs colour difference ${exact.toFixed(2)} grey levels`);
  // The check has teeth: a disparity off by 1.5 px is clearly worse.
  assert.ok(shifted > 3 * exact, `shifted ${shifted.toFixed(2)} vs exact ${exact.toFixed(2)}`);
});

test('ground truth with photometric differences: after a gain/bias fit only noise and interpolation remain', () => {
  const generator = new SyntheticStereo({ ...SMALL, seed: 8 });
  const s = generator.sample(3);
  const { left, warped } = warpPairs(s);
  const raw = meanAbsDiff(left, warped);
  const residual = residualAfterGainBias(warped, left);
  // Noise sigma <= 2.5 per view: E|n_l - n_r| <= 0.8 * 2.5 * sqrt(2) ~ 2.8, plus interpolation.
  assert.ok(residual < 5, `residual ${residual.toFixed(2)}`);
  assert.ok(residual > 0.3, 'the views should differ by some sensor noise');
  assert.ok(raw >= residual);
});

test('occlusion masks pass the left-right check of the ground truth', () => {
  const { height: h, width: w } = SMALL;
  const generator = new SyntheticStereo({ ...SMALL, seed: 11 });
  let visible = 0, visibleConsistent = 0, hidden = 0, hiddenByNearer = 0, outOfView = 0, outOfViewMarked = 0;
  for (let i = 0; i < 8; i++) {
    const s = generator.sample(i);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const d = s.disp[p];
        const xr = x - d;
        if (xr < 0 || xr > w - 1) {
          outOfView++;
          outOfViewMarked += s.occ[p];
          continue;
        }
        const dRight = s.dispRight[y * w + Math.round(xr)];
        if (s.occ[p]) {
          hidden++;
          if (dRight > d + 0.5) hiddenByNearer++;
        } else {
          visible++;
          if (Math.abs(dRight - d) <= 0.5) visibleConsistent++;
        }
      }
    }
  }
  assert.equal(outOfViewMarked, outOfView, 'pixels that leave the right image have no match');
  assert.ok(hidden > 500, `scenes should contain occlusions (${hidden})`);
  // Disagreements come only from rounding x - d to a right pixel next to an edge.
  assert.ok(visibleConsistent / visible > 0.97, `visible consistent ${(visibleConsistent / visible).toFixed(3)}`);
  assert.ok(hiddenByNearer / hidden > 0.9, `hidden by a nearer surface ${(hiddenByNearer / hidden).toFixed(3)}`);
});

test('a square in front of a plane hides exactly the band d_object - d_plane wide to its left', () => {
  const w = 40, h = 20;
  const flat = (x0: number, width: number) => ({ x0, y0: 0, width, height: h, rgb: new Float32Array(width * h * 3).fill(100) });
  const scene: Scene = {
    width: w, height: h, maxDisp: 12,
    surfaces: [
      { shape: new FullPlane(), a: 0, b: 0, c: 2, texture: flat(0, w + 14) },
      { shape: new Polygon(new Float64Array([20, 29, 29, 20]), new Float64Array([-5, -5, 30, 30])), a: 0, b: 0, c: 10, texture: flat(20, 11) },
    ],
  };
  const views = renderScene(scene);
  for (let y = 0; y < h; y++) {
    const row = Array.from(views.occ.subarray(y * w, (y + 1) * w));
    // Out of view: x - 2 < 0 for x < 2. Hidden: background x with x - 2 in [10, 19] = object's right-view span.
    const expected = row.map((_, x) => (x < 2 || (x >= 12 && x <= 19) ? 1 : 0));
    assert.deepEqual(row, expected, `row ${y}`);
    assert.equal(views.dispLeft[y * w + 25], 10);
    assert.equal(views.dispRight[y * w + 15], 10);
    assert.equal(views.dispRight[y * w + 5], 2);
  }
});

test('disparity stays in [0, maxDisp] and covers the range', () => {
  const { maxDisp } = SMALL;
  const generator = new SyntheticStereo({ ...SMALL, seed: 3 });
  const bins = new Array(4).fill(0);
  let total = 0;
  for (let i = 0; i < 30; i++) {
    const s = generator.sample(i);
    for (const d of s.disp) {
      assert.ok(d >= 0 && d <= maxDisp + 1e-4, `disparity ${d}`);
      bins[Math.min(3, Math.floor((4 * d) / maxDisp))]++;
      total++;
    }
  }
  for (let q = 0; q < 4; q++) assert.ok(bins[q] / total > 0.04, `quarter ${q} holds ${((100 * bins[q]) / total).toFixed(1)} %`);
});

test('textures carry horizontal detail for matching', () => {
  const s = new SyntheticStereo({ ...SMALL, seed: 5 }).sample(0);
  const { width: w, height: h } = s;
  let strong = 0, n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 1; x < w; x++) {
      const g = Math.abs(s.left[(y * w + x) * 3 + 1] - s.left[(y * w + x - 1) * 3 + 1]);
      if (g >= 3) strong++;
      n++;
    }
  }
  assert.ok(strong / n > 0.2, `share of pixels with a gradient >= 3: ${(strong / n).toFixed(2)}`);
});

test('each sample is a pure function of (seed, index)', () => {
  const a = new SyntheticStereo({ ...SMALL, seed: 42 });
  const b = new SyntheticStereo({ ...SMALL, seed: 42 });
  const first = a.sample(5);
  b.sample(9); // consuming other indices first must not matter
  const again = b.sample(5);
  assert.deepEqual(again.left, first.left);
  assert.deepEqual(again.right, first.right);
  assert.deepEqual(again.disp, first.disp);
  assert.deepEqual(again.occ, first.occ);
  assert.notDeepEqual(a.sample(6).left, first.left);
  assert.notDeepEqual(new SyntheticStereo({ ...SMALL, seed: 43 }).sample(5).left, first.left);
});

test('object count follows the options', () => {
  const generator = new SyntheticStereo({ ...SMALL, seed: 1, minObjects: 0, maxObjects: 2 });
  for (let i = 0; i < 10; i++) assert.ok(generator.sample(i).surfaceCount <= 3);
  const none = new SyntheticStereo({ ...SMALL, seed: 1, minObjects: 0, maxObjects: 0 }).sample(0);
  assert.equal(none.surfaceCount, 1);
});

test('options that make no sense are rejected with a ConfigError naming the field', () => {
  const bad: [Record<string, number>, RegExp][] = [
    [{ height: 8 }, /height/],
    [{ width: 20.5 }, /width/],
    [{ maxDisp: 0 }, /maxDisp/],
    [{ maxDisp: 96 }, /maxDisp/],
    [{ minObjects: 5, maxObjects: 2 }, /maxObjects/],
    [{ seed: 1.5 }, /seed/],
  ];
  for (const [change, field] of bad) {
    assert.throws(() => new SyntheticStereo({ ...SMALL, seed: 0, ...change }), (e: unknown) => e instanceof ConfigError && field.test(e.message));
  }
  assert.throws(() => new SyntheticStereo({ ...SMALL, seed: 0 }).sample(-1), ConfigError);
});
