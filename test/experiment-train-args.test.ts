import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerTrainCommand, trainConfigFromFlags } from '../src/cli/train.js';
import { trainArgsFromConfig } from '../src/experiment/train-args.js';
import { zooTrainingJobs } from '../src/experiment/train-zoo.js';
import { listZoo } from '../src/experiment/zoo.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { initialParamValues } from '../src/models/init.js';
import { encodeWeights, writeWeightsDir } from '../src/models/weights-io.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../src/train/config.js';

const MODEL: ModelConfig = { family: 'unet', head: 'hilbert', dims: 3, order: 2, margin: 0.1, maxDisp: 12, width: 0.25 };

function recorded(changes: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...TRAIN_DEFAULTS,
    model: MODEL,
    height: 32,
    width: 64,
    steps: 50,
    batch: 1,
    seed: 3,
    lr: 5e-4,
    warmup: 7,
    alpha: 1,
    beta: 0.5,
    headNoise: 0.06,
    outputNoise: 0.03,
    data: { source: 'synthetic', scenes: 'precision' },
    valEvery: 2,
    valCount: 1,
    checkpointEvery: 1,
    ...changes,
  };
}

/** `hilbertq train ARGS` as the train command itself would read them. */
function parsedByTrain(args: string[]): TrainConfig {
  const program = new Command();
  registerTrainCommand(program);
  const train = program.commands.find((c) => c.name() === 'train') as Command;
  train.parseOptions([...args, '--out', 'unused']);
  return trainConfigFromFlags(train.opts() as Parameters<typeof trainConfigFromFlags>[0]);
}

test('trainArgsFromConfig rebuilds every recorded field, and the train command reads the same config back', () => {
  const config = recorded();
  const args = trainArgsFromConfig(config, {}, 'm');
  assert.deepEqual(parsedByTrain(args), config);
  const folder = recorded({ data: { source: 'folder', path: '/data/kitti' }, outputNoise: undefined });
  delete folder.outputNoise;
  assert.deepEqual(parsedByTrain(trainArgsFromConfig(folder, {}, 'm')), folder);
});

test('trainArgsFromConfig reproduces a direct head with a non-linear output map', () => {
  const logDepth = recorded({ model: { ...MODEL, head: 'direct', outputMap: 'log', minDisp: 1.5 } });
  const args = trainArgsFromConfig(logDepth, {}, 'm');
  assert.equal(args[args.indexOf('--output-map') + 1], 'log');
  assert.equal(args[args.indexOf('--min-disp') + 1], '1.5');
  assert.deepEqual(parsedByTrain(args), logDepth);
  // The flags are checked by their own names before anything is built.
  assert.throws(() => parsedByTrain(['--head', 'direct', '--output-map', 'cubic']), /--output-map = cubic: expected one of linear, log, inverse/);
  assert.throws(() => parsedByTrain(['--head', 'direct', '--min-disp', '2']), /--min-disp = 2: needs --output-map log or inverse/);
});

test('trainArgsFromConfig applies the overrides by flag name, adds new ones and never passes --out', () => {
  const args = trainArgsFromConfig(recorded(), { '--size': '192x256', '--steps': '2', '--backend': 'cpu', '--out': 'x' }, 'm');
  const flag = (name: string): string | undefined => args[args.indexOf(name) + 1];
  assert.equal(flag('--size'), '192x256');
  assert.equal(flag('--steps'), '2');
  assert.equal(flag('--backend'), 'cpu');
  assert.equal(args.filter((a) => a === '--steps').length, 1);
  assert.ok(!args.includes('--out'));
});

test('trainArgsFromConfig refuses, in one line naming the model, what no flag can reproduce', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...recorded(), mystery: 1 }, /unet-x.*'mystery'/],
    [recorded({ clipNorm: 3 }), /unet-x.*clipNorm 3/],
    [recorded({ data: { source: 'synthetic', maxObjects: 4 } }), /unet-x.*data\.maxObjects/],
    [recorded({ data: { source: 'folder', path: 'd', format: 'kitti' } }), /unet-x.*data\.format/],
    [{ ...recorded(), model: { ...MODEL, skip: true } }, /unet-x.*'skip'/],
    [recorded({ init: { model: 'a', weightsSha256: 'f', training: {} } }), /unet-x.*fine-tuned/],
    [undefined, /unet-x.*is missing/],
  ];
  for (const [config, message] of cases) {
    assert.throws(() => trainArgsFromConfig(config, {}, 'unet-x'), (err: Error) => message.test(err.message) && !err.message.includes('\n'));
  }
});

test('a body-only fine-tune (init.newHead) is rebuilt with --new-head, and only then', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-new-head-'));
  try {
    const graph = buildModelGraph({ ...MODEL, head: 'direct' });
    const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 1), {});
    writeWeightsDir(join(dir, 'base'), manifest, bin);
    const init = { model: 'models/gone', weightsSha256: 'f'.repeat(64), training: {} };
    for (const newHead of [true, false]) {
      const config = recorded({ init: { ...init, ...(newHead ? { newHead } : {}) } });
      const args = trainArgsFromConfig(config, { '--init': join(dir, 'base') }, 'm');
      assert.equal(args.includes('--new-head'), newHead);
      // The same config back, but for the init folder, which is the caller's.
      const parsed = parsedByTrain(args);
      assert.equal(parsed.init?.model, join(dir, 'base'));
      assert.deepEqual({ ...parsed, init: { ...parsed.init, model: 'x', weightsSha256: 'x', training: null } }, { ...config, init: { ...config.init, model: 'x', weightsSha256: 'x', training: null } });
    }
    // An init record with fields no flag reproduces is refused, not rebuilt as a whole-model fine-tune.
    for (const [bad, message] of [[{ ...init, newHead: 'true' }, /init\.newHead = "true"/], [{ ...init, frozen: ['enc1'] }, /init field 'frozen'/]] as const) {
      assert.throws(() => trainArgsFromConfig(recorded({ init: bad as unknown as TrainConfig['init'] }), { '--init': 'x' }, 'm'), message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('experiment --train follows the recorded config, not a recorded command that says otherwise', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-zoo-config-'));
  try {
    const zoo = join(dir, 'zoo');
    const base = recorded({ seed: 1, outputNoise: undefined });
    delete base.outputNoise;
    const models: [string, TrainConfig][] = [
      ['unet-direct', recorded({ model: { ...MODEL, head: 'direct' } })],
      // Fine-tuned: its base is rebuilt from the config recorded in its init.
      ['unet-hilbert', recorded({ seed: 2, init: { model: 'models/gone', weightsSha256: 'f'.repeat(64), training: { command: 'hilbertq train --model vit --steps 9', config: base } } })],
      // Three stages: a direct base, a new-head fine-tune onto a 4-dim curve, then a fine-tune of that.
      ['unet-hilbert-d4o1', recorded({ seed: 5, model: { ...MODEL, dims: 4, order: 1 }, init: { model: 'runs/x', weightsSha256: 'e'.repeat(64), training: {
        command: null,
        config: recorded({ seed: 4, model: { ...MODEL, dims: 4, order: 1 }, init: { model: 'runs/y', weightsSha256: 'd'.repeat(64), newHead: true, training: { config: { ...base, model: { ...MODEL, head: 'direct' } } } } }),
      } } })],
    ];
    for (const [name, config] of models) {
      const graph = buildModelGraph(config.model);
      // The command lies: it names another backbone, size and step count.
      const command = 'hilbertq train --model vit --head direct --size 16x16 --steps 99999 --out runs/lie';
      const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 1), { training: { command, config } });
      writeWeightsDir(join(zoo, name), manifest, bin);
    }
    const runs = join(dir, 'runs');
    const { bases, jobs } = zooTrainingJobs(listZoo(zoo), runs, { '--steps': '2' });
    const flag = (args: string[], name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
    // A zoo folder named like another model's stage would share its run folder: refused.
    const clash = listZoo(zoo).map((m) => (m.name === 'unet-direct' ? { ...m, name: 'unet-hilbert.base' } : m));
    assert.throws(() => zooTrainingJobs(clash, runs, {}), /unet-hilbert\.base: names both a zoo model and a training stage/);
    // Rounds farthest from the end first: every run's --init is a run of an earlier round.
    assert.deepEqual(bases.map((r) => r.map((b) => b.name)), [['unet-hilbert-d4o1.base2'], ['unet-hilbert.base', 'unet-hilbert-d4o1.base']]);
    assert.deepEqual(jobs.map((j) => j.name), ['unet-direct', 'unet-hilbert', 'unet-hilbert-d4o1']);
    for (const job of [...bases.flat(), ...jobs]) {
      assert.equal(flag(job.args, '--model'), 'unet', `${job.name}: the config's backbone`);
      assert.equal(flag(job.args, '--size'), '32x64', `${job.name}: the config's size`);
      assert.equal(flag(job.args, '--steps'), '2', `${job.name}: the preset's override`);
    }
    assert.equal(flag(jobs[0].args, '--head'), 'direct');
    const [hilbertBase, chainBase] = bases[1];
    assert.equal(flag(hilbertBase.args, '--seed'), '1');
    assert.equal(flag(hilbertBase.args, '--output-noise'), undefined);
    assert.equal(flag(hilbertBase.args, '--init'), undefined);
    const [chainRoot] = bases[0];
    assert.equal(flag(chainRoot.args, '--head'), 'direct');
    assert.equal(flag(chainRoot.args, '--init'), undefined);
    assert.equal(flag(chainBase.args, '--init'), join(runs, 'unet-hilbert-d4o1.base2', 'model'));
    assert.ok(chainBase.args.includes('--new-head') && !jobs[2].args.includes('--new-head'));
    assert.equal(flag(jobs[2].args, '--seed'), '5');
    assert.equal(flag(jobs[2].args, '--init'), join(runs, 'unet-hilbert-d4o1.base', 'model'));
    assert.equal(flag(jobs[1].args, '--seed'), '2');
    assert.equal(flag(jobs[1].args, '--output-noise'), '0.03');
    assert.equal(flag(jobs[1].args, '--init'), join(runs, 'unet-hilbert.base', 'model'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
