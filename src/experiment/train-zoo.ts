import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE } from '../models/weights-io.js';
import { DEFAULT_STEPS } from '../train/config.js';
import { ARGS_FILE, COMMAND_FILE } from '../train/run-folder.js';
import { ConfigError, HilbertqError } from '../util/errors.js';
import { makeFolder, openAppendStream, writeFileAtomic } from '../util/fs.js';
import { stoppingChildrenOnSignal } from '../util/child-processes.js';
import { EXIT_WITH_PARENT_ENV } from '../util/parent-pipe.js';
import { trainArgsFromConfig } from './train-args.js';
import type { ZooModel } from './zoo.js';

export interface TrainingJob {
  name: string;
  /** `hilbertq train` arguments without --out and --resume. */
  args: string[];
}

/**
 * The trainings that retrain `zoo`, each rebuilt from its recorded TrainConfig with `overrides`
 * (a preset's flags) on top. A fine-tuned model is retrained stage by stage as its record
 * chains them: the run before the last into runsDir/NAME.base, the one before that into
 * NAME.base2, and so on, each later one with --init on its predecessor's result. `bases` are
 * those earlier stages in rounds, farthest from the end first (a round's runs are independent);
 * `jobs` are the models themselves. A model without a recorded config, or one no flags can
 * reproduce, is refused in one line.
 */
export function zooTrainingJobs(zoo: ZooModel[], runsDir: string, overrides: Record<string, string>): { bases: TrainingJob[][]; jobs: TrainingJob[] } {
  const rounds: TrainingJob[][] = [];
  const jobs: TrainingJob[] = [];
  for (const m of zoo) {
    // A model without any record still gets its job, which refuses it in one line.
    const stages = m.stages.length > 0 ? m.stages : [{ command: null, config: undefined }];
    const last = stages.length - 1;
    let previous: string | null = null;
    stages.forEach((stage, i) => {
      const before = last - i;
      const name = before === 0 ? m.name : `${m.name}.base${before === 1 ? '' : before}`;
      const label = before === 0 ? m.name : `${m.name} (training stage ${i + 1} of ${stages.length})`;
      const args = trainArgsFromConfig(stage.config, previous === null ? overrides : { ...overrides, '--init': join(runsDir, previous, 'model') }, label);
      if (before === 0) jobs.push({ name, args });
      else (rounds[before - 1] ??= []).push({ name, args });
      previous = name;
    });
  }
  // A zoo folder named like another model's stage (X.base) would share its run folder.
  const names = [...rounds.flat(), ...jobs].map((j) => j.name);
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash !== undefined) throw new ConfigError('--models', clash, 'names both a zoo model and a training stage of another; rename the model folder');
  return { bases: rounds.filter((r) => r !== undefined).reverse(), jobs };
}

export function runFinished(runDir: string): boolean {
  return existsSync(join(runDir, 'model', MANIFEST_FILE));
}


/** Refuses a run folder that was started with other arguments (its config.json would win on resume). */
function checkRecordedArgs(job: TrainingJob, runDir: string): void {
  const file = join(runDir, ARGS_FILE);
  if (!existsSync(file)) {
    if (existsSync(join(runDir, 'config.json'))) throw new ConfigError('--out', runDir, 'holds a training this experiment did not start; use another --out');
    return;
  }
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as string[];
  if (recorded.join(' ') !== job.args.join(' ')) {
    throw new ConfigError('--out', runDir, `was trained with '${recorded.join(' ')}', not '${job.args.join(' ')}'; use another --out`);
  }
}

/**
 * Trains the jobs as child processes of `hilbertq train` (the wasm backend is single-threaded,
 * so `jobs` runs use `jobs` cores), each into runsDir/NAME with its log beside it. A finished run
 * is skipped; an interrupted one is resumed from its last checkpoint, bit for bit; a run started
 * with other arguments is refused before anything starts. The first failure stops the others
 * (they resume on the next run).
 */
export async function trainJobs(
  jobs: TrainingJob[],
  runsDir: string,
  parallel: number,
  onProgress: (name: string, step: number) => void,
): Promise<void> {
  for (const job of jobs) checkRecordedArgs(job, join(runsDir, job.name));
  const queue = jobs.filter((j) => !runFinished(join(runsDir, j.name)));
  for (const job of jobs.filter((j) => !queue.includes(j))) onProgress(job.name, stepsOf(job));
  const children = new Set<ChildProcess>();
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let job = queue.shift(); job && !failed; job = queue.shift()) {
      try {
        await trainOne(job, runsDir, children, onProgress);
      } catch (err) {
        failed = true;
        for (const child of children) child.kill('SIGTERM');
        throw err;
      }
    }
  };
  await stoppingChildrenOnSignal(children, () => Promise.all(Array.from({ length: Math.max(1, parallel) }, worker)));
}

/** The --steps of a job's arguments (the train command's default when absent). */
export function stepsOf(job: TrainingJob): number {
  const i = job.args.indexOf('--steps');
  return i >= 0 ? Number(job.args[i + 1]) : DEFAULT_STEPS;
}

/** Children run the built CLI (dist/): from a source checkout, `npm run build` first. */
const CLI = fileURLToPath(new URL('../../bin/hilbertq.js', import.meta.url));

function trainOne(job: TrainingJob, runsDir: string, children: Set<ChildProcess>, onProgress: (name: string, step: number) => void): Promise<void> {
  const runDir = join(runsDir, job.name);
  const logFile = `${runDir}.log`;
  const resume = existsSync(join(runDir, 'config.json'));
  // A resume takes its settings from the run's config.json (and refuses flags that would change it);
  // checkRecordedArgs made sure it is this job's run.
  const backend = job.args.indexOf('--backend');
  const args = resume
    ? [CLI, 'train', '--out', runDir, '--resume', ...(backend >= 0 ? job.args.slice(backend, backend + 2) : [])]
    : [CLI, 'train', ...job.args, '--out', runDir];
  // A run started before runs recorded their command: its command is this job's (checked above).
  if (resume && !existsSync(join(runDir, COMMAND_FILE))) {
    writeFileAtomic(join(runDir, COMMAND_FILE), `${JSON.stringify({ command: ['hilbertq', 'train', ...job.args, '--out', runDir].join(' ') })}\n`);
  }
  makeFolder(runDir);
  writeFileAtomic(join(runDir, ARGS_FILE), `${JSON.stringify(job.args)}\n`);
  let logFailed: (err: Error) => void = () => {};
  const log = openAppendStream(logFile, (err) => logFailed(err));
  log.write(`$ hilbertq ${args.slice(1).join(' ')}\n`);
  return new Promise((resolve, reject) => {
    // The log cannot take more (a full disk): this job fails in one line naming it, and trainJobs stops the others.
    logFailed = reject;
    // stdin is a pipe the child watches: it ends when this process does, even on kill -9.
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, [EXIT_WITH_PARENT_ENV]: '1' } });
    children.add(child);
    child.stdout.pipe(log, { end: false });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^train (\d+)\/(\d+)/.exec(line);
      if (m) onProgress(job.name, Number(m[1]));
    });
    child.stderr.pipe(log, { end: false });
    child.on('error', (err) => reject(new HilbertqError(`cannot start the training of ${job.name}: ${err.message}`)));
    child.on('close', (code) => {
      children.delete(child);
      log.end();
      if (code === 0 && runFinished(runDir)) resolve();
      else reject(new HilbertqError(`training ${job.name} failed (exit code ${code}); see ${logFile}`));
    });
  });
}
