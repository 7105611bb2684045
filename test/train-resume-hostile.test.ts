// A resume reads what is on disk: config.json, checkpoint/ and metrics.jsonl may have been edited,
// damaged or cut short. Each case fails in one line naming the file and the field, or (nothing to
// resume from) starts over with a notice; none trains on from trusted garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { MAX_VAL_COUNT, TRAIN_DEFAULTS, validateTrainConfig, type TrainConfig } from '../src/train/config.js';
import { initRecord, train } from '../src/train/trainer.js';
import { generateDataset } from '../src/data/generate.js';
import { FileFormatError, HilbertqError } from '../src/util/errors.js';
import { LOCK_FILE, lockFolder } from '../src/util/lock.js';
import { oneLine } from './cli-support.js';

await initTrainingBackend('wasm');

function tinyConfig(steps: number): TrainConfig {
  return {
    ...TRAIN_DEFAULTS,
    model: { family: 'unet', head: 'direct', dims: 2, order: 2, margin: 0.1, maxDisp: 12, width: 0.25 },
    height: 32,
    width: 64,
    steps,
    batch: 1,
    seed: 5,
    lr: 3e-3,
    warmup: 1,
    data: { source: 'synthetic' },
    valEvery: steps,
    valCount: 1,
    checkpointEvery: 3,
    logEvery: 1,
  };
}

const root = mkdtempSync(join(tmpdir(), 'hilbertq-hostile-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** A run of 8 steps on a dataset folder, interrupted after 4 (its checkpoint is at step 3); made once. */
let interrupted: Promise<string> | null = null;
function interruptedRun(): Promise<string> {
  interrupted ??= (async () => {
    const data = join(root, 'data');
    generateDataset({ out: data, count: 2, height: 32, width: 64, maxDisp: 12, seed: 9 });
    const run = join(root, 'interrupted');
    await train({ ...tinyConfig(8), data: { source: 'folder', path: data } }, { runDir: run, stopAfter: 4 });
    return run;
  })();
  return interrupted;
}

/** A copy of the interrupted run, changed by `damage`. */
async function damagedCopy(name: string, damage: (run: string) => void): Promise<string> {
  const run = join(root, name);
  cpSync(await interruptedRun(), run, { recursive: true });
  damage(run);
  return run;
}

function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(file, JSON.stringify(value));
}

const resume = (run: string): Promise<unknown> => train(tinyConfig(8), { runDir: run, resume: true });

/** The resume is refused in one line matching `pattern`; the folder is left as it was, with no model. */
async function refused(run: string, pattern: RegExp): Promise<void> {
  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
  await assert.rejects(resume(run), oneLine(FileFormatError, pattern));
  assert.ok(!existsSync(join(run, 'model')), 'a refused resume published a model');
  assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8'), metrics, 'a refused resume changed metrics.jsonl');
  assert.ok(!existsSync(join(run, LOCK_FILE)), 'the lock is released');
}

const escaped = (path: string): string => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('config.json: a missing, mistyped or renamed data.path is one line naming the file and the field', async () => {
  for (const [name, edit] of [
    ['no-path', (d: Record<string, unknown>) => delete d.path],
    ['path-123', (d: Record<string, unknown>) => (d.path = 123)],
    ['path-renamed', (d: Record<string, unknown>) => ((d.dir = d.path), delete d.path)],
  ] as const) {
    const run = await damagedCopy(name, (r) => editJson(join(r, 'config.json'), (c) => edit(c.data as Record<string, unknown>)));
    await refused(run, new RegExp(`^${escaped(join(run, 'config.json'))}: invalid data\\.path = (missing|123): `));
  }
});

test('config.json: a bad field names the file; a string "300" reads as a string', async () => {
  const batch = await damagedCopy('batch-0', (r) => editJson(join(r, 'config.json'), (c) => (c.batch = 0)));
  await refused(batch, new RegExp(`^${escaped(join(batch, 'config.json'))}: invalid batch = 0: must be an integer >= 1$`));
  const steps = await damagedCopy('steps-string', (r) => editJson(join(r, 'config.json'), (c) => (c.steps = '300')));
  await refused(steps, new RegExp(`^${escaped(join(steps, 'config.json'))}: invalid steps = "300": must be a number$`));
});

test("config.json: a resumed run's dataset folder that is gone is named as config.json's data.path", async () => {
  const run = await damagedCopy('data-gone', (r) => editJson(join(r, 'config.json'), (c) => ((c.data as { path: string }).path = join(root, 'no-such-data'))));
  await refused(run, new RegExp(`^${escaped(join(run, 'config.json'))}: data\\.path: ${escaped(join(root, 'no-such-data'))}: `));
});

test("state.json: a step beyond the run's steps, a string or a negative step is refused, naming the file and the field", async () => {
  for (const [name, step] of [['step-1e9', 1e9], ['step-string', '3'], ['step-negative', -5]] as const) {
    const run = await damagedCopy(name, (r) => editJson(join(r, 'checkpoint', 'state.json'), (s) => (s.step = step)));
    await refused(run, new RegExp(`^${escaped(join(run, 'checkpoint', 'state.json'))}: invalid step = ${escaped(JSON.stringify(step))}: must be an integer in 0\\.\\.8`));
  }
});

test('an incomplete or damaged checkpoint is refused in one line, not silently retrained from step 0', async () => {
  for (const [name, damage, problem] of [
    ['no-weights', (r: string) => rmSync(join(r, 'checkpoint', 'weights.bin')), /is incomplete \(missing weights\.bin\)/],
    ['no-optimizer', (r: string) => rmSync(join(r, 'checkpoint', 'optimizer.bin')), /is incomplete \(missing optimizer\.bin\)/],
    ['no-marker', (r: string) => rmSync(join(r, 'checkpoint', 'complete')), /is incomplete \(missing the marker file 'complete'\)/],
    ['checkpoint-file', (r: string) => (rmSync(join(r, 'checkpoint'), { recursive: true }), writeFileSync(join(r, 'checkpoint'), 'x')), /is not a folder/],
  ] as const) {
    const run = await damagedCopy(name, damage);
    await refused(run, new RegExp(`^${escaped(join(run, 'checkpoint'))}: ${problem.source}: the run cannot resume from it`));
  }
});

test('a run stopped before its first checkpoint starts again from step 0, saying so', async () => {
  const run = join(root, 'before-first');
  await train(tinyConfig(4), { runDir: run, stopAfter: 2 });
  // A save cut short by the kill is no checkpoint.
  mkdirSync(join(run, 'checkpoint.new'));
  const notices: string[] = [];
  await train(tinyConfig(4), { runDir: run, resume: true, onNotice: (m) => notices.push(m) });
  assert.deepEqual(notices, [`${run} holds no checkpoint (the run stopped before its first one): training starts again from step 0`]);
  assert.ok(existsSync(join(run, 'model', 'weights.bin')));
});

test('a metrics.jsonl line cut short by a kill is dropped on resume: the log stays JSON lines', async () => {
  const run = join(root, 'cut-metrics');
  // Stopped right after the step-3 checkpoint, whose record counts all 3 lines.
  await train(tinyConfig(5), { runDir: run, stopAfter: 3 });
  const file = join(run, 'metrics.jsonl');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.length - 20));
  await train(tinyConfig(5), { runDir: run, resume: true });
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
  assert.deepEqual(lines.filter((l) => l.includes('"loss"')).map((l) => (JSON.parse(l) as { step: number }).step), [1, 2, 4, 5]);
});

test('--init weights holding NaN are refused in one line before a run starts', async () => {
  const base = join(root, 'nan-base');
  await train(tinyConfig(1), { runDir: base });
  const weights = join(base, 'model', 'weights.bin');
  const bytes = readFileSync(weights);
  new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).fill(Number.NaN, 0, 10);
  writeFileSync(weights, bytes);
  // Read when the flags are (trainConfigFromFlags), before any run folder exists.
  assert.throws(() => initRecord(join(base, 'model')), oneLine(FileFormatError, new RegExp(`^${escaped(weights)}: parameter \\S+ holds NaN or infinite values$`)));
});

test('a run diverging before its first checkpoint does not claim one is kept', async () => {
  const run = join(root, 'diverged');
  const curve = { ...tinyConfig(4), model: { ...tinyConfig(4).model, head: 'hilbert' as const }, alpha: 1e300 };
  await assert.rejects(train(curve, { runDir: run }), oneLine(HilbertqError, new RegExp(`^training diverged at step 1: loss is \\S+; ${escaped(run)} holds no checkpoint yet$`)));
});

test('a hilbertq.lock that is a folder is refused at once, saying the lock path is not a file', () => {
  const dir = join(root, 'lock-folder');
  mkdirSync(join(dir, LOCK_FILE), { recursive: true });
  const started = performance.now();
  assert.throws(() => lockFolder(dir), oneLine(FileFormatError, /hilbertq\.lock: is a folder, not a lock file: remove it if no hilbertq process is using /));
  assert.ok(performance.now() - started < 1000, 'refused after retrying');
});

test('train interrupted by SIGINT or SIGTERM exits 130/143 and releases its lock', async () => {
  const interruptedBy = async (signal: 'SIGINT' | 'SIGTERM'): Promise<void> => {
    const run = join(root, `signal-${signal}`);
    const args = ['train', '--steps', '100000', '--size', '32x64', '--width', '0.25', '--batch', '1', '--val-count', '1', '--warmup', '1', '--out', run];
    const script = `import { main } from ${JSON.stringify(join(import.meta.dirname, '..', 'src', 'cli', 'main.ts'))}; await main(['node', 'hilbertq', ...${JSON.stringify(args)}]);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = new Promise<number | string | null>((r) => child.once('exit', (c, s) => r(c ?? s)));
    // Training has begun (the lock is taken) once the first step is logged.
    const deadline = performance.now() + 60_000;
    while (!existsSync(join(run, 'metrics.jsonl')) || readFileSync(join(run, 'metrics.jsonl'), 'utf8') === '') {
      assert.ok(child.exitCode === null && performance.now() < deadline, 'the training never began');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(existsSync(join(run, LOCK_FILE)));
    child.kill(signal);
    assert.equal(await exited, signal === 'SIGINT' ? 130 : 143);
    assert.ok(!existsSync(join(run, LOCK_FILE)), `${signal} left ${LOCK_FILE} behind`);
  };
  await Promise.all([interruptedBy('SIGINT'), interruptedBy('SIGTERM')]);
});

test('a validation set too large to run every --val-every steps is refused before the run starts', () => {
  assert.doesNotThrow(() => validateTrainConfig({ ...tinyConfig(4), valCount: MAX_VAL_COUNT }));
  for (const valCount of [MAX_VAL_COUNT + 1, 99_999_999_999]) {
    assert.throws(() => validateTrainConfig({ ...tinyConfig(4), valCount }), new RegExp(`valCount = ${valCount}: at most ${MAX_VAL_COUNT}`));
  }
});
