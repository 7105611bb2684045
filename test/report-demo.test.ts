import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModelGraph } from '../src/models/model.js';
import { initialParamValues } from '../src/models/init.js';
import { encodeWeights, writeWeightsDir } from '../src/models/weights-io.js';
import { pairedOverheadOf } from '../src/experiment/latency-stage.js';
import { runCli } from './cli-support.js';
import { evaluateInChildren } from '../src/experiment/evaluate-jobs.js';
import type { EvaluationSettings } from '../src/experiment/evaluate-model.js';
import type { ZooModel } from '../src/experiment/zoo.js';
import { HilbertqError } from '../src/util/errors.js';

/** A tiny unet pair (direct and hilbert heads, weights from `seed`) recorded as trained on 32x64 precision scenes. */
function writeTinyZoo(zoo: string, seed: number): void {
  for (const head of ['direct', 'hilbert'] as const) {
    const graph = buildModelGraph({ family: 'unet', head, dims: 2, order: 3, margin: 0.1, maxDisp: 12, width: 0.25 });
    const training = { config: { height: 32, width: 64, data: { source: 'synthetic', scenes: 'precision' } } };
    const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, seed), { training });
    writeWeightsDir(join(zoo, `unet-${head}`), manifest, bin);
  }
}

test('the demo pipeline on a tiny zoo: results.json has every field, index.html references nothing missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-demo-'));
  try {
    writeTinyZoo(join(dir, 'zoo'), 1);
    const out = join(dir, 'report');
    const printed = await runCli(['demo', '--models', join(dir, 'zoo'), '--out', out, '--pairs', '2', '--calibration', '2', '--latency-runs', '2', '--pictures', '1', '--schemes', 'w8a8']);
    assert.match(printed, /\| unet-hilbert \| w8a8 \|/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    for (const key of ['date', 'command', 'preset', 'node', 'cpu', 'onnxruntime', 'tfjs', 'testPairs', 'reduceRange', 'latency', 'trainingCommands']) assert.ok(key in results.setup, key);
    assert.equal(results.rows.length, 4);
    for (const row of results.rows) {
      for (const key of ['model', 'family', 'head', 'role', 'curve', 'precision', 'metrics', 'quantError', 'effectiveBits', 'latencyMs']) assert.ok(key in row, key);
      assert.equal(row.metrics.all.pixels, 2 * 32 * 64);
    }
    assert.equal(results.reductions.length, 1);
    const reduction = results.reductions[0];
    assert.ok(reduction.robustStd > 0);
    // A 95 % bootstrap interval over the test pairs, and the spread over the demo's 3 calibration sets.
    assert.ok(reduction.interval.robustStd.low <= reduction.interval.robustStd.high && reduction.interval.rmse.resamples > 0);
    assert.equal(reduction.calibrationSets.length, 3);
    assert.equal(new Set(reduction.calibrationSets.map((c: { seed: number }) => c.seed)).size, 3);
    // The real pair: evaluated where opencv-doc is installed, else named as missing.
    if ('missing' in results.realPair) assert.match(results.realPair.origin, /opencv-doc/);
    else assert.equal(results.realPair.rows.length, 2 * 2);
    assert.equal(results.latencyOverhead.length, 2);
    // The curve head's overhead pairs the two heads' runs round by round (the rounds are kept).
    const latency = JSON.parse(readFileSync(join(out, 'work', 'latency.json'), 'utf8'));
    const overhead = results.latencyOverhead.find((x: { precision: string }) => x.precision === 'w8a8').overhead;
    assert.equal(overhead, pairedOverheadOf(latency, 'unet-direct', 'unet-hilbert', 'w8a8'));
    assert.equal(results.curves.length, 1);
    for (const key of ['reduction', 'rmseReduction', 'fp32Epe', 'quantizedEpe', 'over1px', 'hedging', 'ideal']) assert.ok(key in results.curves[0], key);
    // Whether the hilbert head commits: its FP32 outputs' distance to the curve, a histogram over every test pixel.
    const distance = results.rows.find((r: { head: string; precision: string }) => r.head === 'hilbert' && r.precision === 'fp32').curveDistance;
    assert.equal(distance.pixels, 2 * 32 * 64);
    assert.equal(distance.counts.reduce((a: number, b: number) => a + b, 0), distance.pixels);
    assert.ok(distance.hedging >= 0 && distance.hedging <= 1);
    assert.equal(results.rows.find((r: { head: string }) => r.head === 'direct').curveDistance, null);
    assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /\| target \| family \| measured \| met \|/);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((ref) => !ref.startsWith('data:'));
    for (const ref of references) assert.ok(existsSync(join(out, ref)), `index.html references missing ${ref}`);
    assert.ok(html.includes('data:image/png;base64,'), 'pictures embedded');
    assert.ok(html.includes('<svg'), 'plots inline');
    assert.ok(existsSync(join(out, 'summary.md')));
    assert.match(html, /Does the curve head commit to one fold\?/);
    assert.match(html, /moved &gt; 1 px %/);
    assert.match(html, /Real pair: Middlebury Aloe/);
    // The pictures' test pairs are drawn in the scene style the models were trained on.
    assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /95 % percentile bootstrap/);

    // --pictures 0 still writes the whole report (it failed at the very end before).
    const none = join(dir, 'none');
    await runCli(['demo', '--models', join(dir, 'zoo'), '--out', none, '--pairs', '2', '--calibration', '2', '--latency-runs', '1', '--pictures', '0', '--schemes', 'w8a8']);
    assert.match(readFileSync(join(none, 'index.html'), 'utf8'), /No pictures were kept/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo --jobs 2 evaluates the models in child processes with the numbers of --jobs 1; a child failure is one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-demo-jobs-'));
  try {
    writeTinyZoo(join(dir, 'zoo'), 3);
    const run = async (jobs: string): Promise<{ rows: unknown; reductions: unknown }> => {
      const out = join(dir, `report-${jobs}`);
      await runCli(['demo', '--models', join(dir, 'zoo'), '--out', out, '--pairs', '2', '--calibration', '2', '--calibration-sets', '2', '--latency-runs', '1', '--pictures', '0', '--schemes', 'w8a8', '--jobs', jobs]);
      const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      // Everything but the timings (and the files' folder).
      const rows = r.rows.map(({ latencyMs: _l, onnxFile: _f, ...rest }: Record<string, unknown>) => rest);
      const reductions = r.reductions.map(({ latency: _l, ...rest }: Record<string, unknown>) => rest);
      return { rows, reductions };
    };
    const serial = await run('1');
    const parallel = await run('2');
    assert.deepEqual(parallel, serial);
    // A model that cannot be read fails its child; the demo stops with the child's one line.
    writeFileSync(join(dir, 'zoo', 'unet-hilbert', 'weights.bin'), 'truncated');
    await assert.rejects(
      runCli(['demo', '--models', join(dir, 'zoo'), '--out', join(dir, 'broken'), '--pairs', '1', '--calibration', '1', '--latency-runs', '1', '--pictures', '0', '--schemes', 'w8a8', '--jobs', '2']),
      (err: Error) => err.name === 'HilbertqError' && /weights\.bin/.test(err.message) && !err.message.includes('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a child that dies mid-job (or exits at once) fails the evaluation in one line naming the model, with no child left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-worker-'));
  try {
    const models = ['a', 'b', 'c'].map((name) => ({ name }) as unknown as ZooModel);
    for (const [file, body, pattern] of [
      // Model a's child dies; b's hangs, and must be stopped by the failure.
      ['dies.mjs', "process.on('message', (job) => { if (job.model.name === 'a') process.exit(3); });", /^evaluating a: its process ended \(exit code 3\)$/],
      ['gone.mjs', 'process.exit(5);', /^evaluating [abc]: its process (ended \(exit code 5\)|failed \(.*\))$/],
    ] as const) {
      const worker = join(dir, file);
      writeFileSync(worker, body);
      await assert.rejects(
        evaluateInChildren(models, () => ({}) as EvaluationSettings, dir, 2, () => {}, worker),
        (err: Error) => err instanceof HilbertqError && pattern.test(err.message),
      );
      // The hanging sibling got SIGTERM: give it a moment, then no process runs the stand-in.
      await new Promise((r) => setTimeout(r, 300));
      const running = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((line) => line.includes(worker));
      assert.deepEqual(running, [], `children left: ${running.join('; ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
