import { HilbertqError } from '../util/errors.js';
import { evaluateZooModel, type EvaluationSettings } from './evaluate-model.js';
import type { ZooModel } from './zoo.js';

/**
 * A child process of evaluate-jobs.ts: it evaluates the models it is sent, one at a time, and
 * answers over the IPC channel with progress and the evaluation (as JSON, the form the stage cache
 * keeps). It ends with its parent: a closed channel means the parent is gone.
 */

/** One model to evaluate, afresh (the parent decided that no cached result serves). */
export interface EvaluateJob {
  model: ZooModel;
  settings: EvaluationSettings;
  workDir: string;
}

export type WorkerMessage =
  | { kind: 'progress'; what: string }
  | { kind: 'done'; evaluation: string }
  | { kind: 'failed'; message: string; expected: boolean };

const send = (m: WorkerMessage): void => {
  process.send?.(m);
};

process.on('disconnect', () => process.exit(143));
process.on('message', (job: EvaluateJob) => {
  evaluateZooModel(job.model, job.settings, job.workDir, (what) => send({ kind: 'progress', what })).then(
    (evaluation) => send({ kind: 'done', evaluation: JSON.stringify(evaluation) }),
    // An expected failure travels as its one line; anything else keeps its stack.
    (err: unknown) => send({ kind: 'failed', message: err instanceof HilbertqError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err), expected: err instanceof HilbertqError }),
  );
});
