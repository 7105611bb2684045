import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorHistogramSpec, vegaLiteToSvg, xySpec } from '../src/report/charts.js';

test('vega-lite specs render to standalone SVG without a browser', async () => {
  const direct = Float32Array.from({ length: 1000 }, (_, i) => ((i % 21) - 10) / 20);
  const hilbert = direct.map((v) => v / 7);
  const svg = await vegaLiteToSvg(errorHistogramSpec('w8a8 error', [{ name: 'direct', values: direct }, { name: 'hilbert', values: hilbert }], { extent: 0.6 }));
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /w8a8 error/);
  assert.match(svg, /hilbert/);
  assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org)/, 'no external references');
  const xy = await vegaLiteToSvg(xySpec('ablation', [{ L: 2.4, f: 2 }, { L: 7.2, f: 6 }], { field: 'L', title: 'curve length' }, { field: 'f', title: 'reduction' }));
  assert.match(xy, /curve length/);
});
