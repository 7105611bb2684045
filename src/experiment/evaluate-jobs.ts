import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ORT_THREADS_ENV } from '../onnx/ort.js';
import { stoppingChildrenOnSignal } from '../util/child-processes.js';
import { HilbertqError } from '../util/errors.js';
import type { EvaluationSettings, ModelEvaluation } from './evaluate-model.js';
import type { EvaluateJob, WorkerMessage } from './evaluate-worker.js';
import type { ZooModel } from './zoo.js';

/**
 * The worker beside this module: dist/'s .js when installed, src/'s .ts under tsx (the child
 * inherits this process's --import tsx). The same code as this process, so that the results it
 * caches carry this process's code fingerprint (evaluate-model.ts CODE_VERSION).
 */
const WORKER = [new URL('./evaluate-worker.js', import.meta.url), new URL('./evaluate-worker.ts', import.meta.url)].map((u) => fileURLToPath(u)).find((f) => existsSync(f));

/**
 * Evaluates `models` in `parallel` child processes (one core each: their ONNX Runtime sessions
 * get one intra-op thread), in the order given, and returns the evaluations in that order. Each
 * model's numbers are what a serial evaluation gives: every random choice is seeded per model.
 * The first failure stops the other children and is thrown.
 */
export async function evaluateInChildren(
  models: readonly ZooModel[],
  settingsOf: (m: ZooModel) => EvaluationSettings,
  workDir: string,
  parallel: number,
  onProgress: (model: ZooModel, what: string) => void,
  /** The child's module: evaluate-worker beside this one, or a stand-in (tests of crashing children). */
  worker = WORKER,
): Promise<ModelEvaluation[]> {
  if (!worker) throw new HilbertqError(`cannot evaluate models side by side: evaluate-worker is missing beside ${fileURLToPath(import.meta.url)}`);
  const results = new Array<ModelEvaluation>(models.length);
  const queue = models.map((model, index) => ({ model, index }));
  const children = new Set<ChildProcess>();
  let failed = false;
  const evaluator = async (): Promise<void> => {
    const child = fork(worker, [], { env: { ...process.env, [ORT_THREADS_ENV]: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // During a job runJob reports the child's errors; between jobs (a late IPC error from a child
    // that died) there is nothing to add, and an 'error' without a listener would end this process.
    child.on('error', () => {});
    children.add(child);
    try {
      for (let next = queue.shift(); next && !failed; next = queue.shift()) {
        const job: EvaluateJob = { model: next.model, settings: settingsOf(next.model), workDir };
        const model = next.model;
        results[next.index] = await runJob(child, job, (what) => onProgress(model, what));
      }
    } catch (err) {
      failed = true;
      for (const c of children) c.kill('SIGTERM');
      throw err;
    } finally {
      children.delete(child);
      // A connected child ends itself on the disconnect (evaluate-worker.ts); disconnecting a
      // closed channel would throw ERR_IPC_DISCONNECTED over the error that closed it.
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
    }
  };
  await stoppingChildrenOnSignal(children, () => Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, models.length)) }, evaluator)));
  return results;
}

function runJob(child: ChildProcess, job: EvaluateJob, onProgress: (what: string) => void): Promise<ModelEvaluation> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const onMessage = (m: WorkerMessage): void => {
      try {
        if (m.kind === 'progress') return onProgress(m.what);
        cleanup();
        if (m.kind === 'done') resolve(JSON.parse(m.evaluation) as ModelEvaluation);
        else reject(m.expected ? new HilbertqError(`evaluating ${job.model.name}: ${m.message}`) : new Error(`evaluating ${job.model.name}: ${m.message}`));
      } catch (err) {
        cleanup();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(new HilbertqError(`evaluating ${job.model.name}: its process ended (${signal ?? `exit code ${code}`})`));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new HilbertqError(`evaluating ${job.model.name}: its process failed (${err.message})`));
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.on('error', onError);
    child.send(job);
  });
}
