import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, pairedOverhead } from '../src/infer/latency.js';
import { pairedOverheadOf, type LatencyResults } from '../src/experiment/latency-stage.js';
import { Rng } from '../src/util/rng.js';

test('the paired overhead cancels drift between rounds, which the ratio of medians keeps', () => {
  const rng = new Rng(3);
  // Stretches of 100 rounds; the host's speed drifts from round to round (runs of 5-9 ms), each run
  // has 1 % noise of its own, and model b is 3 % slower than a within a round.
  const deviation = { paired: 0, medians: 0 };
  for (let stretch = 0; stretch < 20; stretch++) {
    const base = Array.from({ length: 100 }, () => rng.uniform(5, 9));
    const a = base.map((t) => t * rng.uniform(0.99, 1.01));
    const b = base.map((t) => t * 1.03 * rng.uniform(0.99, 1.01));
    deviation.paired = Math.max(deviation.paired, Math.abs(pairedOverhead(a, b) - 0.03));
    deviation.medians = Math.max(deviation.medians, Math.abs(median(b) / median(a) - 1 - 0.03));
  }
  assert.ok(deviation.paired < 0.003, `paired: off by up to ${deviation.paired}`);
  assert.ok(deviation.medians > 3 * deviation.paired, `ratio of medians: off by up to ${deviation.medians}`);
  assert.throws(() => pairedOverhead([1, 2], [1]), /pairedOverhead: 2 and 1 rounds/);
  assert.throws(() => pairedOverhead([], []), /pairedOverhead: 0 and 0 rounds/);
});

test('the report pairs two models only where they ran in the same interleaved loop', () => {
  const latency: LatencyResults = {
    fingerprint: 'f',
    runs: 3,
    medianMs: {},
    rounds: [
      [
        { model: 'unet-direct', precision: 'w8a8', ms: [10, 20, 30] },
        { model: 'unet-hilbert', precision: 'w8a8', ms: [10.2, 20.4, 30.6] },
        { model: 'unet-hilbert', precision: 'fp32', ms: [1, 1, 1] },
      ],
      [{ model: 'vit-direct', precision: 'w8a8', ms: [5, 5, 5] }],
      [{ model: 'vit-hilbert', precision: 'w8a8', ms: [6, 6, 6] }],
    ],
  };
  assert.ok(Math.abs((pairedOverheadOf(latency, 'unet-direct', 'unet-hilbert', 'w8a8') ?? NaN) - 0.02) < 1e-12);
  assert.equal(pairedOverheadOf(latency, 'unet-direct', 'unet-hilbert', 'fp32'), null);
  assert.equal(pairedOverheadOf(latency, 'vit-direct', 'vit-hilbert', 'w8a8'), null);
});
