import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { initialParamValues } from '../src/models/init.js';
import { encodeWeights, writeWeightsDir } from '../src/models/weights-io.js';
import { readOnnxMetadata } from '../src/onnx/metadata.js';
import { QUANT_METADATA_KEYS } from '../src/quant/metadata.js';
import { TRAIN_DEFAULTS } from '../src/train/config.js';
import { runCli } from './cli-support.js';

test('experiment --train retrains a tiny zoo with its recorded commands, reports the ablation, and a rerun skips every finished step', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-experiment-'));
  try {
    const zoo = join(dir, 'zoo');
    const models: [string, Partial<ModelConfig>][] = [
      ['unet-direct', { head: 'direct' }],
      ['unet-hilbert', { head: 'hilbert', dims: 2, order: 3 }],
      ['unet-hilbert-d3o2', { head: 'hilbert', dims: 3, order: 2 }],
    ];
    for (const [name, c] of models) {
      const config = { family: 'unet', head: 'hilbert', dims: 2, order: 3, margin: 0.1, maxDisp: 12, width: 0.25, ...c } as ModelConfig;
      const base = `hilbertq train --model unet --head ${config.head} --dims ${config.dims} --order ${config.order} --width 0.25 --size 32x64 --max-disp 12 --steps 50 --batch 1 --val-every 2 --val-count 1 --checkpoint-every 1`;
      // unet-hilbert was fine-tuned (--init) from a model its record describes: retrained in two stages.
      const fineTuned = name === 'unet-hilbert';
      const command = fineTuned ? `${base} --seed 2 --output-noise 0.05 --init models/gone --out runs/${name}` : `${base} --out runs/${name}`;
      // The configs say what the commands say: --train rebuilds from the config (the command is provenance).
      const baseConfig = { ...TRAIN_DEFAULTS, model: config, height: 32, width: 64, steps: 50, batch: 1, seed: 1, data: { source: 'synthetic' }, valEvery: 2, valCount: 1, checkpointEvery: 1 };
      const init = { model: 'models/gone', weightsSha256: 'f'.repeat(64), training: { command: `${base} --out runs/${name}-base`, config: baseConfig } };
      const graph = buildModelGraph(config);
      const record = { command, config: fineTuned ? { ...baseConfig, seed: 2, outputNoise: 0.05, init } : baseConfig };
      // The ablation model: three stages, a direct base whose body a new-head run took, fine-tuned again.
      if (name === 'unet-hilbert-d3o2') {
        const direct = { ...baseConfig, model: { ...config, head: 'direct' } };
        const newHead = { ...baseConfig, seed: 3, init: { model: 'runs/gone-direct', weightsSha256: 'e'.repeat(64), newHead: true, training: { command: `${base} --out runs/d`, config: direct } } };
        record.config = { ...baseConfig, seed: 4, init: { ...init, training: { command: `${base} --init runs/d/model --new-head --out runs/nh`, config: newHead } } };
      }
      const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 1), { training: record });
      writeWeightsDir(join(zoo, name), manifest, bin);
    }
    const out = join(dir, 'exp');
    const args = ['experiment', '--train', '--steps', '2', '--models', zoo, '--out', out, '--pairs', '2', '--calibration', '2', '--latency-runs', '2', '--pictures', '1', '--schemes', 'w8a8', '--jobs', '2'];
    const printed = await runCli(args);
    assert.match(printed, /\| unet-hilbert \| w8a8 \|/);
    for (const [name] of models) {
      const card = readFileSync(join(out, 'models', name, 'README.md'), 'utf8');
      assert.match(card, /--steps 2 /, `${name} trained with the overridden step count`);
      assert.ok(existsSync(join(out, 'models', name, 'metrics.json')));
    }
    // The fine-tuned model: its base trained first, then the fine-tuning started from that base's weights.
    assert.ok(existsSync(join(out, 'runs', 'unet-hilbert.base', 'model', 'weights.bin')));
    // The three-stage one: each stage from the one before, the middle one with the body only.
    assert.match(readFileSync(join(out, 'runs', 'unet-hilbert-d3o2.base2.log'), 'utf8'), /--head direct/);
    assert.match(readFileSync(join(out, 'runs', 'unet-hilbert-d3o2.base.log'), 'utf8'), /--init \S*runs\/unet-hilbert-d3o2\.base2\/model --new-head/);
    assert.match(readFileSync(join(out, 'runs', 'unet-hilbert-d3o2.log'), 'utf8'), /--init \S*runs\/unet-hilbert-d3o2\.base\/model/);
    assert.match(readFileSync(join(out, 'models', 'unet-hilbert-d3o2', 'README.md'), 'utf8'), /itself fine-tuned with a fresh head/);
    assert.match(readFileSync(join(out, 'runs', 'unet-hilbert.log'), 'utf8'), /--init \S*runs\/unet-hilbert\.base\/model/);
    const tuned = JSON.parse(readFileSync(join(out, 'models', 'unet-hilbert', 'model.json'), 'utf8')).meta.training;
    assert.equal(tuned.config.outputNoise, 0.05);
    assert.match(tuned.config.init.training.command, /--steps 2 /);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.match(results.setup.trainingCommands['unet-hilbert'], /--steps 2 .*\n.*--init/s);
    // The default preset (precision) calibrates with percentile, and the quantized files say so.
    assert.equal(results.setup.calibrationMethod, 'percentile');
    const meta = readOnnxMetadata(readFileSync(join(out, 'work', 'unet-direct', 'w8a8.onnx')));
    assert.equal(meta[QUANT_METADATA_KEYS.method], 'percentile');
    assert.equal(results.rows.length, 6);
    const ablation = results.curves.find((c: { model: string }) => c.model === 'unet-hilbert-d3o2');
    assert.equal(ablation.curve.dims, 3);
    assert.ok(ablation.ideal.curveLength > 16 && ablation.ideal.curveLength < 17, 'L of the 3D order-2 curve is 16.8');
    assert.ok(ablation.reduction > 0);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(html, /Curve ablation/);
    assert.match(html, /Ideal channel against the network/);

    const evaluation = join(out, 'work', 'unet-direct', 'evaluation.json');
    const before = statSync(evaluation).mtimeMs;
    await runCli(args);
    assert.equal(statSync(evaluation).mtimeMs, before, 'the cached evaluation was reused');
    for (const [name] of models) {
      const starts = readFileSync(join(out, 'runs', `${name}.log`), 'utf8').match(/^\$ hilbertq train/gm) ?? [];
      assert.equal(starts.length, 1, `${name} was trained once`);
    }
    // Other training arguments into the same folder would mix two zoos: refused before anything runs.
    const other = args.map((a, i) => (args[i - 1] === '--steps' ? '3' : a));
    await assert.rejects(runCli(other), /holds an experiment trained as preset precision \{"--steps":"2"\}/);
    await assert.rejects(runCli(['experiment', '--preset', 'paper', '--models', zoo, '--out', out]), /its models are not shipped/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('experiment refuses the paper preset without --train, a bad scheme and a bad calibrator, writing nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-experiment-'));
  try {
    await assert.rejects(runCli(['experiment', '--preset', 'paper', '--out', join(dir, 'p')]), /--preset = paper: its models are not shipped/);
    await assert.rejects(runCli(['experiment', '--preset', 'nope', '--out', join(dir, 'p')]), /expected one of precision, mixed, demo, demo-mixed, paper/);
    await assert.rejects(runCli(['demo', '--schemes', 'w4a4', '--out', join(dir, 'p')]), /w4a4 is not one of/);
    await assert.rejects(runCli(['demo', '--calibration-method', 'median', '--out', join(dir, 'p')]), /--calibration-method = median: must be one of minmax, percentile, entropy/);
    assert.ok(!existsSync(join(dir, 'p')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hilbertq --version, an inherited property as a preset, and a negative warm-up', async () => {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  let printed = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    printed += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await assert.rejects(runCli(['--version']), (err: { code?: string }) => err.code === 'commander.version');
  } finally {
    process.stdout.write = write;
  }
  assert.equal(printed.trim(), version);
  await assert.rejects(runCli(['experiment', '--preset', 'toString', '--out', join(tmpdir(), 'never')]), /--preset = toString: expected one of/);
  await assert.rejects(runCli(['train', '--warmup', '-5', '--steps', '1', '--out', join(tmpdir(), 'never-train')]), /warmup/);
});

/** hilbertq train processes whose command line names `dir`. */
function trainingsIn(dir: string): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps
    .split('\n')
    .filter((line) => line.includes(' train ') && line.includes(dir))
    .map((line) => Number.parseInt(line.trim(), 10));
}

test('killing experiment --train (kill -9 or SIGTERM) leaves no training behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-orphans-'));
  try {
    const zoo = join(dir, 'zoo');
    for (const head of ['direct', 'hilbert'] as const) {
      const config = { family: 'unet', head, dims: 2, order: 2, margin: 0.1, maxDisp: 12, width: 0.25 } as ModelConfig;
      const command = `hilbertq train --model unet --head ${head} --dims 2 --order 2 --width 0.25 --size 32x64 --max-disp 12 --steps 100000 --batch 1 --val-every 100000 --val-count 1 --out runs/x`;
      const graph = buildModelGraph(config);
      const trainConfig = { ...TRAIN_DEFAULTS, model: config, height: 32, width: 64, steps: 100000, batch: 1, seed: 1, data: { source: 'synthetic' }, valEvery: 100000, valCount: 1 };
      const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 1), { training: { command, config: trainConfig } });
      writeWeightsDir(join(zoo, `unet-${head}`), manifest, bin);
    }
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
      const out = join(dir, `exp-${signal}`);
      const parent = spawn(process.execPath, ['bin/hilbertq.js', 'experiment', '--train', '--models', zoo, '--out', out, '--jobs', '2'], { stdio: 'ignore' });
      try {
        // Both trainings running: each has written its config.json.
        for (let waited = 0; waited < 60_000 && !['unet-direct', 'unet-hilbert'].every((m) => existsSync(join(out, 'runs', m, 'config.json'))); waited += 200) {
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(trainingsIn(out).length, 2, 'two trainings started');
      } catch (err) {
        parent.kill('SIGKILL');
        for (const pid of trainingsIn(out)) process.kill(pid, 'SIGKILL');
        throw err;
      }
      parent.kill(signal);
      let left = trainingsIn(out);
      for (let waited = 0; waited < 15_000 && left.length > 0; waited += 200) {
        await new Promise((r) => setTimeout(r, 200));
        left = trainingsIn(out);
      }
      for (const pid of left) process.kill(pid, 'SIGKILL');
      assert.deepEqual(left, [], `${signal}: trainings still running after their parent died`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
