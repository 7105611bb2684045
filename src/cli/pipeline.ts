import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportHtml } from '../report/html.js';
import { realPairMarkdown } from '../report/real-pair.js';
import { ALOE, evaluateRealPair } from '../experiment/real-pair.js';
import { ablationMarkdown, collectResults, headlineMarkdown, targetsMarkdown, type ExperimentResults } from '../report/results.js';
import { initTrainingBackend } from '../train/backend/index.js';
import { publishModel } from '../train/publish.js';
import { ConfigError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { cachedEvaluation, evaluateZooModel, type ModelEvaluation } from '../experiment/evaluate-model.js';
import { evaluateInChildren } from '../experiment/evaluate-jobs.js';
import { measureLatencies } from '../experiment/latency-stage.js';
import type { ExperimentPreset } from '../experiment/presets.js';
import { stepsOf, trainJobs, zooTrainingJobs } from '../experiment/train-zoo.js';
import { listZoo, type ZooModel } from '../experiment/zoo.js';

export interface PipelineOptions {
  preset: ExperimentPreset;
  /** Report folder: index.html, results.json, summary.md; work/ (ONNX files, cached stages); with --train runs/ and models/. */
  out: string;
  /** The shipped zoo: evaluated as it is, or (with train) the source of the recorded training commands. */
  zooDir: string;
  train: boolean;
  /** Processes side by side (one core each): trainings, then the models' quantization and evaluation. */
  jobs: number;
  reduceRange: boolean;
  /** Reuse finished stages of an earlier run into the same folder (experiment: yes; demo: no, it measures afresh). */
  resume: boolean;
  command: string;
  /** A companion report to link from this one (the demo's mixed-scene report). */
  seeAlso?: { href: string; label: string };
  onProgress: (stage: string, done: number, total: number, what: string) => void;
}

export interface PipelineResult {
  results: ExperimentResults;
  summary: string;
  files: string[];
}

/**
 * The paper's experiment, end to end: (optionally) train the zoo, then quantize every model in
 * every scheme, evaluate all precisions on the same held-out pairs, time them interleaved, and
 * write the report. Each finished stage is recorded, so a rerun into the same folder skips it.
 */
export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const zoo = o.train ? await trainZoo(o) : shippedZoo(o);
  const evaluations: ModelEvaluation[] = [];
  const workDir = join(o.out, 'work');
  const settingsOf = (m: ZooModel) => ({
    schemes: m.role === 'headline' ? o.preset.schemes : o.preset.ablationSchemes,
    testPairs: o.preset.testPairs,
    calibrationPairs: o.preset.calibrationPairs,
    calibrationSets: m.role === 'headline' ? o.preset.calibrationSets : 1,
    calibrationMethod: o.preset.calibrationMethod,
    convRounding: o.preset.convRounding,
    pictures: m.role === 'headline' ? o.preset.pictures : 0,
    reduceRange: o.reduceRange,
  });
  const total = zoo.reduce((n, m) => n + 1 + settingsOf(m).schemes.length + o.preset.testPairs, 0);
  let done = 0;
  const progress = (model: ZooModel, what: string): void => {
    done = what.endsWith('cached') ? done + 1 + settingsOf(model).schemes.length + o.preset.testPairs : done + 1;
    o.onProgress('evaluate', done, total, what);
  };
  const cached = zoo.map((m) => (o.resume ? cachedEvaluation(m, settingsOf(m), workDir) : null));
  zoo.forEach((m, i) => cached[i] && progress(m, `${m.name}: cached`));
  const fresh = zoo.filter((_, i) => cached[i] === null);
  // Side by side in child processes (one core each) where more than one model needs it; the
  // numbers are the same as in this process, in the same order.
  const evaluated: ModelEvaluation[] = [];
  if (o.jobs > 1 && fresh.length > 1) evaluated.push(...(await evaluateInChildren(fresh, settingsOf, workDir, o.jobs, progress)));
  else for (const model of fresh) evaluated.push(await evaluateZooModel(model, settingsOf(model), workDir, (what) => progress(model, what)));
  for (const c of cached) evaluations.push(c ?? (evaluated.shift() as ModelEvaluation));
  const latency = await measureLatencies(evaluations, o.preset.latencyRuns, workDir, (done, total, what) => o.onProgress('latency', done, total, what), o.resume);
  o.onProgress('real pair', 0, 1, ALOE.name);
  const realPair = await evaluateRealPair(evaluations, ALOE);
  o.onProgress('real pair', 1, 1, ALOE.name);
  const results = collectResults(evaluations, latency, {
    command: o.command,
    preset: o.preset.name,
    testPairs: o.preset.testPairs,
    calibrationPairs: o.preset.calibrationPairs,
    calibrationMethod: o.preset.calibrationMethod,
    convRounding: o.preset.convRounding,
    reduceRange: o.reduceRange,
    latencyRuns: o.preset.latencyRuns,
  }, realPair);
  const focus = o.preset.schemes.includes('w8a8') ? 'w8a8' : o.preset.schemes[0];
  const summary = [
    headlineMarkdown(results),
    targetsMarkdown(results),
    ablationMarkdown(results, focus),
    realPairMarkdown(results.realPair),
    o.seeAlso ? `See also: ${o.seeAlso.label}, [${o.seeAlso.href}](${o.seeAlso.href}).` : '',
  ].filter(Boolean).join('\n\n');
  const files = ['results.json', 'summary.md', 'index.html'].map((f) => join(o.out, f));
  writeFileAtomic(files[0], `${JSON.stringify(results, null, 1)}\n`);
  writeFileAtomic(files[1], `# hilbertq results\n\n${results.setup.testPairs} held-out synthetic pairs; ${results.setup.latency}.\n\`${results.setup.command}\`\n\n${summary}\n`);
  writeFileAtomic(files[2], await reportHtml(results, evaluations, focus, realPair, o.seeAlso));
  return { results, summary, files };
}

/** Which preset (and training changes) an --out folder's models were trained with. */
const PRESET_FILE = 'trained-with.txt';

function presetKey(p: ExperimentPreset): string {
  return `preset ${p.name} ${JSON.stringify(p.trainOverrides)}`;
}

function trainedWith(out: string): string | null {
  const file = join(out, PRESET_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

function shippedZoo(o: PipelineOptions): ZooModel[] {
  const trained = join(o.out, 'models');
  if (!o.preset.matchesShippedZoo) {
    if (existsSync(trained) && trainedWith(o.out) === presetKey(o.preset)) return listZoo(trained);
    throw new ConfigError('--preset', o.preset.name, `its models are not shipped (the zoo was trained with the default preset): add --train, or point --out at a folder where '--preset ${o.preset.name} --train' ran`);
  }
  return listZoo(o.zooDir);
}

/** Retrains every shipped model from its recorded config (and the preset's changes), then publishes it into out/models. */
async function trainZoo(o: PipelineOptions): Promise<ZooModel[]> {
  const shipped = listZoo(o.zooDir);
  const runsDir = join(o.out, 'runs');
  // Each model rebuilt from its recorded TrainConfig (the preset's flags on top); a fine-tuned one
  // stage by stage: the model it started from (and what that started from), then the fine-tuning.
  const { bases, jobs } = zooTrainingJobs(shipped, runsDir, o.preset.trainOverrides);
  const recorded = trainedWith(o.out);
  if (recorded !== null && recorded !== presetKey(o.preset)) {
    throw new ConfigError('--out', o.out, `holds an experiment trained as ${recorded}, not ${presetKey(o.preset)}; use another --out`);
  }
  writeFileAtomic(join(o.out, PRESET_FILE), `${presetKey(o.preset)}\n`);
  const done = new Map<string, number>();
  const total = [...bases.flat(), ...jobs].reduce((n, job) => n + stepsOf(job), 0);
  const progress = (name: string, step: number): void => {
    done.set(name, step);
    o.onProgress('train', [...done.values()].reduce((n, s) => n + s, 0), total, `${name} step ${step}`);
  };
  for (const round of bases) await trainJobs(round, runsDir, o.jobs, progress);
  await trainJobs(jobs, runsDir, o.jobs, progress);
  await initTrainingBackend('wasm');
  for (const job of jobs) {
    const target = join(o.out, 'models', job.name);
    if (existsSync(join(target, 'metrics.json'))) continue;
    await publishModel(join(o.out, 'runs', job.name), target, o.preset.testPairs);
    o.onProgress('publish', jobs.indexOf(job) + 1, jobs.length, job.name);
  }
  // Only this zoo's models: the folder may hold others from an earlier --models.
  const names = new Set(jobs.map((j) => j.name));
  return listZoo(join(o.out, 'models')).filter((m) => names.has(m.name));
}
