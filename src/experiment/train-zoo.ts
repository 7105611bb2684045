import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE } from '../models/weights-io.js';
import { ConfigError, HilbertqError } from '../util/errors.js';

export interface TrainingJob {
  name: string;
  /** `hilbertq train` arguments without --out and --resume. */
  args: string[];
}

/**
 * The `hilbertq train` arguments of a recorded command, with some flags replaced (a preset's
 * size, say). --out and --resume are the experiment's business and are dropped.
 */
export function trainingArgs(command: string, overrides: Record<string, string>): string[] {
  const tokens = command.trim().split(/\s+/);
  if (tokens[0] !== 'hilbertq' || tokens[1] !== 'train') throw new ConfigError('recorded command', command, "does not start with 'hilbertq train'");
  const args: string[] = [];
  const seen = new Set<string>();
  for (let i = 2; i < tokens.length; i++) {
    const flag = tokens[i];
    const takesValue = i + 1 < tokens.length && !tokens[i + 1].startsWith('--');
    const value = takesValue ? tokens[++i] : null;
    if (flag === '--out' || flag === '--resume') continue;
    seen.add(flag);
    args.push(flag, ...(flag in overrides ? [overrides[flag]] : value === null ? [] : [value]));
  }
  for (const [flag, value] of Object.entries(overrides)) if (!seen.has(flag)) args.push(flag, value);
  return args;
}

export function runFinished(runDir: string): boolean {
  return existsSync(join(runDir, 'model', MANIFEST_FILE));
}

/**
 * Trains the jobs as child processes of `hilbertq train` (the wasm backend is single-threaded,
 * so `jobs` runs use `jobs` cores), each into runsDir/NAME with its log beside it. A finished run
 * is skipped; an interrupted one is resumed from its last checkpoint, bit for bit.
 */
export async function trainJobs(
  jobs: TrainingJob[],
  runsDir: string,
  parallel: number,
  onProgress: (name: string, step: number, steps: number) => void,
): Promise<void> {
  const queue = jobs.filter((j) => !runFinished(join(runsDir, j.name)));
  for (const job of jobs.filter((j) => !queue.includes(j))) {
    const { steps } = JSON.parse(readFileSync(join(runsDir, job.name, 'config.json'), 'utf8')) as { steps: number };
    onProgress(job.name, steps, steps);
  }
  const worker = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) await trainOne(job, runsDir, onProgress);
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
}

const CLI = fileURLToPath(new URL('../../bin/hilbertq.js', import.meta.url));

function trainOne(job: TrainingJob, runsDir: string, onProgress: (name: string, step: number, steps: number) => void): Promise<void> {
  const runDir = join(runsDir, job.name);
  const logFile = `${runDir}.log`;
  const resume = existsSync(join(runDir, 'config.json'));
  const args = [CLI, 'train', ...job.args, '--out', runDir, ...(resume ? ['--resume'] : [])];
  mkdirSync(runsDir, { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`$ hilbertq ${args.slice(1).join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      for (const m of chunk.toString().matchAll(/train (\d+)\/(\d+)/g)) onProgress(job.name, Number(m[1]), Number(m[2]));
    });
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    child.on('error', (err) => reject(new HilbertqError(`cannot start the training of ${job.name}: ${err.message}`)));
    child.on('close', (code) => {
      log.end();
      if (code === 0 && runFinished(runDir)) resolve();
      else reject(new HilbertqError(`training ${job.name} failed (exit code ${code}); see ${logFile}`));
    });
  });
}
