// `hilbertq train --out DIR` writes only into a folder that is absent, empty, or a run folder
// (one a start of its own, or `experiment --train`, began): a folder of unrelated files is refused
// in one line before anything is written into it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainJobs } from '../src/experiment/train-zoo.js';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../src/train/config.js';
import { train } from '../src/train/trainer.js';
import { ConfigError } from '../src/util/errors.js';
import { LOCK_FILE } from '../src/util/lock.js';
import { oneLine, runCli } from './cli-support.js';

await initTrainingBackend('wasm');

const TINY = ['--head', 'direct', '--size', '32x64', '--width', '0.25', '--max-disp', '12', '--steps', '1', '--batch', '1', '--val-count', '1', '--warmup', '1'];

const root = mkdtempSync(join(tmpdir(), 'hilbertq-train-out-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('train refuses a non-empty folder that is not a run folder, in one line naming it, and writes nothing into it', async () => {
  const folder = join(root, 'holiday');
  mkdirSync(join(folder, 'photos'), { recursive: true });
  writeFileSync(join(folder, 'notes.txt'), 'mine');
  const refused = oneLine(ConfigError, new RegExp(`^invalid --out = ${escaped(folder)}: is not empty and is not a training run folder \\(it holds notes\\.txt, photos\\); train into a new or empty folder$`));
  await assert.rejects(runCli(['train', ...TINY, '--out', folder]), refused);
  // The library call too: the CLI is not its only caller.
  const config: TrainConfig = {
    ...TRAIN_DEFAULTS,
    model: { family: 'unet', head: 'direct', dims: 2, order: 2, margin: 0.1, maxDisp: 12, width: 0.25 },
    height: 32, width: 64, steps: 1, batch: 1, seed: 1, data: { source: 'synthetic' }, valCount: 1,
  };
  await assert.rejects(train(config, { runDir: folder }), refused);
  assert.deepEqual(readdirSync(folder).sort(), ['notes.txt', 'photos'], 'no lock, metrics or config written into it');

  const file = join(root, 'a-file');
  writeFileSync(file, 'not a folder');
  await assert.rejects(runCli(['train', ...TINY, '--out', file]), oneLine(ConfigError, /: exists and is not a folder$/));
});

test('train writes into a folder holding only what an interrupted start, or experiment --train, left there', async () => {
  const run = join(root, 'prepared');
  mkdirSync(run);
  // experiment --train records the job's arguments before it starts the training.
  writeFileSync(join(run, 'experiment-args.json'), `${JSON.stringify(TINY)}\n`);
  // A start killed after metrics.jsonl, mid-way through writing config.json, holding its lock.
  writeFileSync(join(run, 'metrics.jsonl'), '');
  writeFileSync(join(run, '.config.json.4242.tmp'), '{"mod');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
  writeFileSync(join(run, LOCK_FILE), `${dead} 0123456789abcdef\n`);
  const log = await runCli(['train', ...TINY, '--out', run]);
  assert.match(log, /^done: 1 steps/m);
  assert.ok(existsSync(join(run, 'model', 'weights.bin')));
  assert.ok(!existsSync(join(run, LOCK_FILE)));
});

// experiment --train runs the built CLI (dist/): this checks the run folder it prepares is
// accepted by the train command as last built (`npm run build` first).
test('experiment --train still trains into the run folder it prepares, with its arguments record', async () => {
  const runs = join(root, 'runs');
  await trainJobs([{ name: 'tiny', args: TINY }], runs, 1, () => {});
  assert.ok(existsSync(join(runs, 'tiny', 'experiment-args.json')));
  assert.ok(existsSync(join(runs, 'tiny', 'model', 'weights.bin')));
});
