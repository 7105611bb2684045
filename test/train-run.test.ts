import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../src/train/config.js';
import { initRecord, train, weightsSha256 } from '../src/train/trainer.js';
import { loadWeights } from '../src/models/tfjs-build.js';
import { buildModelGraph } from '../src/models/model.js';
import { initialParamValues } from '../src/models/init.js';
import { encodeWeights, writeWeightsDir } from '../src/models/weights-io.js';
import { generateDataset } from '../src/data/generate.js';
import { LOCK_FILE } from '../src/util/lock.js';
import { runCli } from './cli-support.js';

await initTrainingBackend('wasm');

function tinyConfig(head: 'direct' | 'hilbert', steps: number): TrainConfig {
  return {
    ...TRAIN_DEFAULTS,
    model: { family: 'unet', head, dims: 2, order: 2, margin: 0.1, maxDisp: 12, width: 0.25 },
    height: 32,
    width: 64,
    steps,
    batch: 2,
    seed: 5,
    lr: 3e-3,
    warmup: 5,
    data: { source: 'synthetic' },
    valEvery: steps,
    valCount: 2,
    checkpointEvery: 3,
    logEvery: 1,
  };
}

function withRunDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-train-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function losses(runDir: string): number[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"loss"'))
    .map((l) => (JSON.parse(l) as { loss: number }).loss);
}

for (const head of ['direct', 'hilbert'] as const) {
  // Two fixed pairs from a dataset folder, so the loss measures fitting rather than batch luck.
  test(`a tiny ${head} model's loss falls over 40 steps`, () =>
    withRunDir(async (dir) => {
      const data = join(dir, 'data');
      generateDataset({ out: data, count: 2, height: 32, width: 64, maxDisp: 12, seed: 9 });
      await train({ ...tinyConfig(head, 40), data: { source: 'folder', path: data } }, { runDir: join(dir, 'run') });
      const l = losses(join(dir, 'run'));
      assert.equal(l.length, 40);
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const first = mean(l.slice(0, 8));
      const last = mean(l.slice(-8));
      assert.ok(last < 0.8 * first, `loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
    }));
}

test('resume continues bit for bit: same weights and log as an uninterrupted run', () =>
  withRunDir(async (dir) => {
    const config = { ...tinyConfig('hilbert', 8), headNoise: 0.02 };
    const straight = join(dir, 'straight');
    const split = join(dir, 'split');
    await train(config, { runDir: straight });
    // Interrupted after 4 steps: the last checkpoint is at step 3, so step 4 is redone.
    const partial = await train(config, { runDir: split, stopAfter: 4 });
    assert.equal(partial.steps, 4);
    await train(config, { runDir: split, resume: true });
    const a = readFileSync(join(straight, 'model', 'weights.bin'));
    const b = readFileSync(join(split, 'model', 'weights.bin'));
    assert.ok(a.equals(b), 'final weights differ');
    assert.deepEqual(losses(split), losses(straight));
    // The record says which code made the weights (a commit changes rounding, not the command).
    const code = JSON.parse(readFileSync(join(split, 'model', 'model.json'), 'utf8')).meta.training.code;
    assert.equal(code.length, 1, 'one segment: both ran the same code');
    assert.equal(code[0].version, JSON.parse(readFileSync('package.json', 'utf8')).version);
    assert.ok(code[0].commit === null || /^[0-9a-f]{12}(\+dirty)?$/.test(code[0].commit), `commit ${code[0].commit}`);
  }));

test('a save killed between its two renames loses nothing: resume finds checkpoint.old', () =>
  withRunDir(async (dir) => {
    const config = tinyConfig('direct', 6);
    const straight = join(dir, 'straight');
    const split = join(dir, 'split');
    await train(config, { runDir: straight });
    await train(config, { runDir: split, stopAfter: 3 });
    // The state a kill leaves after "checkpoint -> checkpoint.old" and before the new one moved in.
    renameSync(join(split, 'checkpoint'), join(split, 'checkpoint.old'));
    mkdirSync(join(split, 'checkpoint.new'));
    writeFileSync(join(split, 'checkpoint.new', 'weights.bin'), 'half written');
    await train(config, { runDir: split, resume: true });
    assert.ok(readFileSync(join(straight, 'model', 'weights.bin')).equals(readFileSync(join(split, 'model', 'weights.bin'))));
  }));

test('a bad model setting is refused before the run folder is written', () =>
  withRunDir(async (dir) => {
    const bad = { ...tinyConfig('hilbert', 2), model: { ...tinyConfig('hilbert', 2).model, order: 0 } };
    await assert.rejects(train(bad, { runDir: join(dir, 'run') }), /invalid order = 0/);
    await train(tinyConfig('hilbert', 1), { runDir: join(dir, 'run') });
  }));

test('training leaks no tensors: the count stays flat from step to step', () =>
  withRunDir(async (dir) => {
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    await train(tinyConfig('hilbert', 6), { runDir: dir, onProgress: () => counts.push(tf.memory().numTensors) });
    assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts per step: ${counts.join(',')}`);
    assert.equal(tf.memory().numTensors, before, 'tensors left behind after training');
  }));

test('a run folder is never silently overwritten', () =>
  withRunDir(async (dir) => {
    await train(tinyConfig('direct', 1), { runDir: dir });
    await assert.rejects(train(tinyConfig('direct', 1), { runDir: dir }), /already holds a run; pass --resume/);
  }));

test('fine-tuning (init) starts from the given weights, records them, and refuses another model or changed weights', () =>
  withRunDir(async (dir) => {
    const base = join(dir, 'base');
    await train(tinyConfig('hilbert', 4), { runDir: base });
    const model = join(base, 'model');
    // Zero learning-rate steps change nothing: the fine-tuned model is the init model, bit for bit.
    const frozen = { ...tinyConfig('hilbert', 2), seed: 6, lr: 1e-12, warmup: 0, outputNoise: 0.05, init: initRecord(model) };
    await train(frozen, { runDir: join(dir, 'frozen') });
    const a = new Float32Array(readFileSync(join(model, 'weights.bin')).buffer.slice(0));
    const b = new Float32Array(readFileSync(join(dir, 'frozen', 'model', 'weights.bin')).buffer.slice(0));
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 1e-6, `weights moved by ${worst}`);
    const record = JSON.parse(readFileSync(join(dir, 'frozen', 'model', 'model.json'), 'utf8')).meta.training.config.init;
    assert.equal(record.weightsSha256, weightsSha256(model));
    assert.equal(record.training.config.steps, 4, 'the init model\'s own training record travels along');
    // A fresh run from the same seed and no init differs: the init really was used.
    await train({ ...frozen, init: undefined }, { runDir: join(dir, 'fresh') });
    assert.ok(!readFileSync(join(dir, 'fresh', 'model', 'weights.bin')).equals(readFileSync(join(dir, 'frozen', 'model', 'weights.bin'))));
    // Another model config, or weights changed since the run began, are refused before training.
    const other = { ...frozen, model: { ...frozen.model, order: 3 } };
    await assert.rejects(train(other, { runDir: join(dir, 'other') }), /is a unet-hilbert \(dims 2, order 2.*the run trains a unet-hilbert \(dims 2, order 3/);
    await train(tinyConfig('hilbert', 1), { runDir: join(dir, 'changed-source') });
    writeFileSync(join(model, 'weights.bin'), readFileSync(join(dir, 'changed-source', 'model', 'weights.bin')));
    await assert.rejects(train(frozen, { runDir: join(dir, 'stale') }), /holds other weights than this run started from/);
  }));

test('a new-head fine-tune takes the body from --init and a fresh head from its seed', () =>
  withRunDir(async (dir) => {
    await train(tinyConfig('direct', 3), { runDir: join(dir, 'base') });
    const base = join(dir, 'base', 'model');
    // Zero learning rate: the run's weights are what it started from.
    const still = { lr: 1e-12, warmup: 0 };
    const curve = { ...tinyConfig('hilbert', 1), ...still, seed: 7, init: initRecord(base, true) };
    await train(curve, { runDir: join(dir, 'curve') });
    await train({ ...curve, init: undefined }, { runDir: join(dir, 'fresh') });
    const [b, c, f] = ['base', 'curve', 'fresh'].map((r) => loadWeights(join(dir, r, 'model')));
    let body = 0;
    for (const [name, v] of c.params) {
      const want = name.startsWith('head.') ? f.params.get(name) : b.params.get(name);
      assert.ok(want, `no reference for ${name}`);
      assert.deepEqual(v.shape, want.shape, name);
      const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(v, want))).dataSync()[0]);
      assert.ok(gap < 1e-6, `${name} is ${gap} from its source`);
      if (!name.startsWith('head.')) body++;
    }
    assert.ok(body > 10 && body < c.params.size, `${body} body parameters of ${c.params.size}`);
    assert.equal(JSON.parse(readFileSync(join(dir, 'curve', 'model', 'model.json'), 'utf8')).meta.training.config.init.newHead, true);
    for (const m of [b, c, f]) for (const v of m.params.values()) v.dispose();
    // Another family or range has another body: refused before a step.
    const wide = { ...curve, model: { ...curve.model, maxDisp: 16 } };
    await assert.rejects(train(wide, { runDir: join(dir, 'wide') }), /is a unet-direct \(width 0.25, 12 px\) model, whose body differs from the unet-hilbert/);
    // Refused before the folder was written: the corrected command can use it.
    assert.ok(!existsSync(join(dir, 'wide', 'config.json')), 'a refused --init left a run behind');
    // A ViT with fewer blocks has the same parameter names as far as they go: still another body.
    const vit = { ...curve.model, family: 'vit' as const, head: 'direct' as const, blocks: 1 };
    const graph = buildModelGraph(vit);
    const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 1), {});
    writeWeightsDir(join(dir, 'vit1'), manifest, bin);
    const deeper = { ...curve, model: { ...vit, head: 'hilbert' as const, blocks: 2 }, init: initRecord(join(dir, 'vit1'), true) };
    await assert.rejects(train(deeper, { runDir: join(dir, 'deeper') }), /whose body differs/);
  }));

test('a second process on a running training folder is refused, the running one ends bit-exact; a stale lock is taken over', () =>
  withRunDir(async (dir) => {
    const config = tinyConfig('direct', 6);
    await train(config, { runDir: join(dir, 'straight') });
    const run = join(dir, 'run');
    let refused: unknown = null;
    await train(config, {
      runDir: run,
      onProgress: (p) => {
        // While the run holds its folder: a resume (here in-process; another pid alike) must not start.
        if (p.step === 2) refused = train(config, { runDir: run, resume: true }).catch((err: unknown) => err);
      },
    });
    assert.match(String(await refused), /is in use by process \d+/);
    assert.ok(readFileSync(join(run, 'model', 'weights.bin')).equals(readFileSync(join(dir, 'straight', 'model', 'weights.bin'))));
    assert.ok(!existsSync(join(run, LOCK_FILE)), 'the lock is released');
    // A lock left by a dead process is stale.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    mkdirSync(join(dir, 'stale'));
    writeFileSync(join(dir, 'stale', LOCK_FILE), `${dead.stdout.toString()}\n`);
    await train(config, { runDir: join(dir, 'stale') });
    assert.ok(existsSync(join(dir, 'stale', 'model', 'weights.bin')));
    // Our own pid with another token: a previous life of this pid (a restarted container), stale too.
    mkdirSync(join(dir, 'reborn'));
    writeFileSync(join(dir, 'reborn', LOCK_FILE), `${process.pid} 0123456789abcdef\n`);
    await train(config, { runDir: join(dir, 'reborn') });
    // A finished run is not resumed again (it rewrote its record with a resume from its last step).
    await assert.rejects(train(config, { runDir: join(dir, 'reborn'), resume: true }), /has finished its 6 steps/);
  }));

test('a resume keeps the command that started the run and records its own beside it', () =>
  withRunDir(async (dir) => {
    const config = tinyConfig('hilbert', 6);
    await train(config, { runDir: dir, command: 'hilbertq train --steps 6 --out X', stopAfter: 4 });
    await train(config, { runDir: dir, resume: true, command: 'hilbertq train --out X --resume' });
    const training = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')).meta.training;
    assert.equal(training.command, 'hilbertq train --steps 6 --out X');
    assert.deepEqual(training.resumes, [{ command: 'hilbertq train --out X --resume', fromStep: 3 }]);
  }));

test('a bad start writes nothing: a missing data folder or a size off the stride leaves no folder behind', () =>
  withRunDir(async (dir) => {
    const run = join(dir, 'run');
    await assert.rejects(train({ ...tinyConfig('direct', 2), data: { source: 'folder', path: join(dir, 'nope') } }, { runDir: run }));
    assert.ok(!existsSync(run), 'no run folder after a bad --data');
    await assert.rejects(train({ ...tinyConfig('direct', 2), height: 40 }, { runDir: run }), /--size = 40x64: height must be a multiple of the model's stride 16/);
    assert.ok(!existsSync(run), 'no run folder after a bad size');
    await train(tinyConfig('direct', 1), { runDir: run });
  }));

test('train --resume refuses flags that would change the run, naming them', async () => {
  await assert.rejects(runCli(['train', '--resume', '--steps', '5', '--model', 'vit', '--out', join(tmpdir(), 'hilbertq-no-run')]), /--resume = --model, --steps: takes the run's settings from its config.json/);
});
