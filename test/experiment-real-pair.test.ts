import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../src/data/generate.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import type { ModelEvaluation } from '../src/experiment/evaluate-model.js';
import { evaluateRealPair, fittingFactor } from '../src/experiment/real-pair.js';
import { initialParamValues } from '../src/models/init.js';
import { buildModelGraph } from '../src/models/model.js';
import { exportOnnx } from '../src/onnx/export.js';
import { summarizeRealPair, realPairMarkdown } from '../src/report/real-pair.js';

test('a real pair is shrunk by the smallest factor that fits the range, and a missing one is named', () => {
  const sample = new SyntheticStereo({ height: 32, width: 96, maxDisp: 40, seed: 1, scenes: 'precision' }).sample(0);
  let largest = 0;
  sample.disp.forEach((d) => (largest = Math.max(largest, d)));
  const factor = fittingFactor(sample, 12);
  assert.equal(factor, Math.ceil(largest / 12));
  assert.ok(largest / factor <= 12 && largest / (factor - 1) > 12);
  assert.equal(fittingFactor(sample, 100), 1);
  const source = { name: 'Nowhere', origin: 'a package that is not installed', left: '/nonexistent/l.png', right: '/nonexistent/r.png', disp: '/nonexistent/d.pfm', middleburyScale: 1 };
  const summary = summarizeRealPair({ missing: source.left, source });
  assert.match(realPairMarkdown(summary), /Not evaluated: \/nonexistent\/l\.png missing \(install a package that is not installed\)/);
});

test('every headline model in every precision runs on the real pair, shrunk to fit its range', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-real-pair-'));
  try {
    // A generated pair stands in for Aloe: 32x128 with disparities up to 40 px, models reaching 12.
    generateDataset({ out: join(dir, 'pair'), count: 1, height: 32, width: 128, maxDisp: 40, seed: 2, scenes: 'precision' });
    const graph = buildModelGraph({ family: 'unet', head: 'direct', dims: 2, order: 3, margin: 0.1, maxDisp: 12, width: 0.25 });
    const onnxFile = join(dir, 'direct.onnx');
    writeFileSync(onnxFile, exportOnnx(graph, initialParamValues(graph, 1)));
    const model = { name: 'unet-direct', role: 'headline', config: graph.meta.config } as unknown as ModelEvaluation['model'];
    const evaluation = { fingerprint: '', model, precisions: [{ precision: 'fp32', onnxFile }] } as unknown as ModelEvaluation;
    const source = { name: 'generated', origin: 'the test', left: join(dir, 'pair/left/000000.png'), right: join(dir, 'pair/right/000000.png'), disp: join(dir, 'pair/disp/000000.pfm'), middleburyScale: 1 };
    const outcome = await evaluateRealPair([evaluation], source);
    assert.ok(outcome && !('missing' in outcome));
    assert.ok(outcome.downscale >= 2, `factor ${outcome.downscale}`);
    assert.equal(outcome.width, Math.floor(128 / outcome.downscale));
    assert.equal(outcome.rows.length, 1);
    assert.ok(outcome.rows[0].metrics.all.pixels > 0 && Number.isFinite(outcome.rows[0].metrics.all.epe));
    assert.equal(summarizeRealPair(outcome).name, 'generated');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
