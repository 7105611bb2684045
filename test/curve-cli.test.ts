import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { simulateChannel } from '../src/curve/channel-sim.js';
import { runCli } from './cli-support.js';

for (const order of [2, 3]) {
  test(`ideal channel without noise: direct/curve RMSE ratio within 5 % of L (dims 2, order ${order})`, () => {
    const curve = new HilbertCurve({ dims: 2, order, margin: 0.1 });
    const report = simulateChannel(curve, { bits: 8, noise: [0], samples: 100_000 });
    const ratio = report.rows[0].rmseRatio;
    assert.ok(Math.abs(ratio / curve.length - 1) < 0.05, `ratio ${ratio} vs L ${curve.length}`);
    assert.equal(report.rows[0].jumpShare, 0);
  });
}

test('a too-fine curve jumps segments under noise, as the method predicts', () => {
  const report = simulateChannel(new HilbertCurve({ dims: 2, order: 4 }), { bits: 8, noise: [4], samples: 50_000 });
  assert.ok(report.rows[0].jumpShare > 0.01);
  assert.ok(report.rows[0].rmseRatio < 1);
});

test('hilbertq curve --json is deterministic and reports the geometry', async () => {
  const args = ['curve', '--dims', '3', '--order', '2', '--noise', '0,1', '--samples', '20000', '--json'];
  const first = await runCli(args);
  const second = await runCli(args);
  assert.equal(first, second);
  const report = JSON.parse(first);
  assert.equal(report.length, 16.8);
  assert.equal(report.rows.length, 2);
  assert.ok(Math.abs(report.bitsGained - Math.log2(16.8)) < 1e-12);
  assert.ok(report.rows[0].rmseRatio > 14);
});

test('hilbertq curve prints the table and writes the SVG plot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-curve-'));
  try {
    const file = join(dir, 'curve.svg');
    const text = await runCli(['curve', '--order', '2', '--noise', '0,2', '--samples', '5000', '--plot', file]);
    assert.match(text, /length L = 4\.000/);
    assert.match(text, /theoretical bits gained log2\(L\) = 2\.00/);
    assert.match(text, /RMSE ratio/);
    const svg = readFileSync(file, 'utf8');
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/L\d/g) ?? []).length, 15, 'the order-2 curve has 15 segments');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hilbertq curve rejects bad values with the option name', async () => {
  await assert.rejects(runCli(['curve', '--order', '0']), /invalid order = 0/);
  await assert.rejects(runCli(['curve', '--noise', '1,abc']), /invalid --noise = 1,abc/);
  await assert.rejects(runCli(['curve', '--bits', '20']), /invalid --bits = 20/);
  await assert.rejects(runCli(['curve', '--dims', '4', '--order', '1', '--corner-blend', '2']), /invalid --corner-blend = 2: must be 0/);
});

test('hilbertq curve --corner-blend reaches the decoder: the same channel on the curve, another one off it', async () => {
  const run = async (blend: string) =>
    JSON.parse(await runCli(['curve', '--dims', '4', '--order', '1', '--noise', '0,40', '--samples', '20000', '--json', '--corner-blend', blend])) as {
      rows: { curve: { robustStd: number } }[];
    };
  const [nearest, blended] = [await run('0'), await run('0.25')];
  // Rounding alone keeps points within half an LSB of the curve, where the blend is the nearest point.
  const [a, b] = [nearest.rows[0].curve.robustStd, blended.rows[0].curve.robustStd];
  assert.ok(Math.abs(a - b) < 0.01 * a, `noiseless: ${b} vs ${a}`);
  // 40 LSB of noise puts points across corners, where the blend mixes the two segments.
  assert.notEqual(blended.rows[1].curve.robustStd, nearest.rows[1].curve.robustStd);
});

test('hilbertq curve caps --samples instead of running out of memory', async () => {
  await assert.rejects(runCli(['curve', '--samples', '1000000000']), /--samples = 1000000000: must be in \[1, 10000000\]/);
});
