import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorHistogramSpec, predictedVsMeasuredSpec, vegaLiteToSvg, xySpec } from '../src/report/charts.js';
import { errorHistogram } from '../src/eval/quant-error.js';

test('errorHistogram counts values into equal bins and leaves out what is beyond the extent', () => {
  assert.deepEqual(errorHistogram([-1.5, -0.9, -0.1, 0, 0.49, 0.5, 0.99, 2], 1, 4), [1, 1, 2, 2]);
});

test('vega-lite specs render to standalone SVG without a browser', async () => {
  const direct = Float32Array.from({ length: 1000 }, (_, i) => ((i % 21) - 10) / 20);
  const hilbert = direct.map((v) => v / 7);
  const series = [
    { name: 'direct', counts: errorHistogram(direct, 0.6, 40), total: direct.length },
    { name: 'hilbert', counts: errorHistogram(hilbert, 0.6, 40), total: hilbert.length },
  ];
  const svg = await vegaLiteToSvg(errorHistogramSpec('w8a8 error', series, 0.6));
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /w8a8 error/);
  assert.match(svg, /hilbert/);
  assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org)/, 'no external references');
  const xy = await vegaLiteToSvg(xySpec('ablation', [{ L: 2.4, f: 2 }, { L: 7.2, f: 6 }], { field: 'L', title: 'curve length' }, { field: 'f', title: 'reduction' }));
  assert.match(xy, /curve length/);
  const pm = await vegaLiteToSvg(predictedVsMeasuredSpec('ideal vs measured', [{ label: 'unet-hilbert', group: 'w8a8', predicted: 6.8, measured: 5.1 }], { predicted: 'ideal', measured: 'measured' }));
  assert.match(pm, /unet-hilbert/);
});
