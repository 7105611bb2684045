import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainJobs } from '../src/experiment/train-zoo.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../src/train/config.js';
import { train } from '../src/train/trainer.js';
import { FileSystemError } from '../src/util/errors.js';
import { appendToFile, openAppendStream } from '../src/util/fs.js';

function withTempDir<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-fs-errors-'));
  return Promise.resolve()
    .then(() => fn(dir))
    .finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** One line naming `path` and the problem, as the CLI prints it (tests run as root: chmod denies nothing). */
function oneLine(path: string, problem: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof FileSystemError && err.message.includes(path) && problem.test(err.message) && !err.message.includes('\n');
}

test('appends fail in one line naming the file: a folder in its place, a file where a folder should be', () =>
  withTempDir((dir) => {
    mkdirSync(join(dir, 'metrics.jsonl'));
    assert.throws(() => appendToFile(join(dir, 'metrics.jsonl'), 'x\n'), oneLine(join(dir, 'metrics.jsonl'), /is a folder, not a file/));
    writeFileSync(join(dir, 'file'), '');
    const under = join(dir, 'file', 'run.log');
    assert.throws(() => appendToFile(under, 'x\n'), oneLine(under, /a part of its path is a file/));
    assert.throws(() => openAppendStream(under, () => {}), oneLine(under, /a part of its path is a file/));
  }));

test('a run folder whose metrics.jsonl is a folder: train fails in one line and leaves no config.json', () =>
  withTempDir(async (dir) => {
    const config: TrainConfig = {
      ...TRAIN_DEFAULTS,
      model: { family: 'unet', head: 'direct', dims: 2, order: 2, margin: 0.1, maxDisp: 12, width: 0.25 },
      height: 32,
      width: 64,
      steps: 1,
      batch: 1,
      seed: 5,
      data: { source: 'synthetic' },
      valCount: 1,
    };
    mkdirSync(join(dir, 'run', 'metrics.jsonl'), { recursive: true });
    await assert.rejects(train(config, { runDir: join(dir, 'run') }), oneLine(join(dir, 'run', 'metrics.jsonl'), /is a folder, not a file/));
    assert.ok(!existsSync(join(dir, 'run', 'config.json')), 'a corrected start is not refused as "already holds a run"');
  }));

test('experiment --train: a training log that cannot be opened fails in one line before any training starts', () =>
  withTempDir(async (dir) => {
    mkdirSync(join(dir, 'unet-direct.log'));
    await assert.rejects(trainJobs([{ name: 'unet-direct', args: ['--steps', '1'] }], dir, 1, () => {}), oneLine(join(dir, 'unet-direct.log'), /is a folder, not a file/));
    assert.ok(!existsSync(join(dir, 'unet-direct', 'config.json')), 'no training was started');
  }));
