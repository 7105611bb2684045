import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { evaluateModels, syntheticTestSet } from '../eval/evaluate.js';
import type { StereoMetrics } from '../eval/metrics.js';
import { openPredictor } from '../eval/open-predictor.js';
import { isLinearOutput } from '../models/output-map.js';
import { MANIFEST_FILE, recordedTrainingSize, WEIGHTS_FILE } from '../models/weights-io.js';
import { FileFormatError, onFileSystem } from '../util/errors.js';
import { makeFolder, writeFileAtomic } from '../util/fs.js';

/**
 * "; hilbertq 0.1.0 at commit abc (resumed at def)" from the training record's code list;
 * empty for records from before it was kept.
 */
function codeNote(code: { version: string; commit: string | null }[] | undefined): string {
  if (!Array.isArray(code) || code.length === 0) return '';
  const at = (c: { version: string; commit: string | null }): string => `hilbertq ${c.version}${c.commit ? ` at commit ${c.commit}` : ''}`;
  return `; ${at(code[0])}${code.length > 1 ? ` (resumed with ${code.slice(1).map(at).join(', then ')})` : ''}`;
}

/** Pairs of the held-out synthetic test set (seed 2000003) every zoo card reports. */
export const ZOO_TEST_PAIRS = 200;

export interface PublishedModel {
  dir: string;
  fp32: StereoMetrics;
}

/**
 * Puts a finished training run into a model zoo: TARGET gets the weights, a README card with the
 * exact command, config and seed that made them (from model.json's training record) and FP32
 * metrics on the held-out synthetic test set, measured here. metrics.json is written last, so
 * its presence marks a complete publication. Needs the tfjs backend initialised.
 */
export async function publishModel(runDir: string, target: string, testPairs = ZOO_TEST_PAIRS): Promise<PublishedModel> {
  const source = join(runDir, 'model');
  for (const file of [MANIFEST_FILE, WEIGHTS_FILE]) {
    if (!existsSync(join(source, file))) throw new FileFormatError(join(source, file), 'does not exist: the run has not finished');
  }
  makeFolder(target);
  for (const file of [MANIFEST_FILE, WEIGHTS_FILE]) onFileSystem(join(target, file), 'write', () => copyFileSync(join(source, file), join(target, file)));
  const name = target.split('/').filter(Boolean).pop() as string;
  const manifest = JSON.parse(readFileSync(join(target, MANIFEST_FILE), 'utf8'));
  const training = manifest.meta.training;
  const model = await openPredictor(target);
  const scenes = recordedTrainingSize(manifest.meta, join(target, MANIFEST_FILE))?.scenes ?? 'mixed';
  const report = await evaluateModels(model, null, syntheticTestSet(testPairs, training.config.height, training.config.width, model.config.maxDisp, scenes));
  await model.release();
  const m = report.metrics;
  const c = model.config;
  const card = `# ${name}

${manifest.graph}: ${c.family} backbone, ${c.head} head${c.head === 'hilbert' ? ` (dims ${c.dims}, order ${c.order}, margin ${c.margin})` : ''}, max disparity ${c.maxDisp} px${!isLinearOutput(c) ? ` (output map ${c.outputMap} from ${c.minDisp} px)` : ''}, ${(manifest.byteLength / 4).toLocaleString('en-US')} parameters.

Made by (seed ${training.config.seed}; ${Math.round(training.seconds / 60)} min wall clock on one thread, while a second training ran on the other core${codeNote(training.code)}${chainMinutes(training)}):

\`\`\`sh
${training.command ?? '(the command was not recorded)'}
\`\`\`
${fineTuneNote(training.config.init)}
Training config: [model.json](model.json) (\`meta.training.config\`). Weights: \`weights.bin\`, format in
[src/models/README.md](${weightsFormatLink(target)}).

FP32 on the held-out synthetic test set (${report.pairs} ${scenes} pairs ${training.config.height}x${training.config.width}, seed 2000003), measured by
\`publishModel\` (src/train/publish.ts; same as \`hilbertq eval --model ${target} --synthetic ${testPairs}\`):

| pixels | EPE px | D1 % | RMSE px |
| --- | --- | --- | --- |
| non-occluded | ${m.nonOccluded.epe.toFixed(3)} | ${(m.nonOccluded.d1 * 100).toFixed(2)} | ${m.nonOccluded.rmse.toFixed(3)} |
| all valid | ${m.all.epe.toFixed(3)} | ${(m.all.d1 * 100).toFixed(2)} | ${m.all.rmse.toFixed(3)} |

Validation at the end of training (${training.config.valCount} pairs, seed 1000003): EPE ${training.validation.nonOccluded.epe.toFixed(3)} px non-occluded.
`;
  writeFileAtomic(join(target, 'README.md'), card);
  const metrics = { model: name, testSet: report.dataset, pairs: report.pairs, fp32: m, validation: training.validation };
  writeFileAtomic(join(target, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  return { dir: target, fp32: m };
}

/** The weights format's documentation, relative to a zoo folder inside the repository (models/NAME or models/precision/NAME). */
function weightsFormatLink(target: string): string {
  const inModels = resolve(target).split(sep).reverse().indexOf('models');
  return inModels < 0 ? '../../src/models/README.md' : `${'../'.repeat(inModels + 1)}src/models/README.md`;
}

interface InitRecord {
  model: string;
  weightsSha256: string;
  newHead?: boolean;
  training?: { command?: string; seconds?: number; config?: { seed?: number; init?: InitRecord } } | null;
}

/** The models a run started from, nearest first, back to the first run. */
function initChain(init: InitRecord | undefined): InitRecord[] {
  const chain: InitRecord[] = [];
  for (let from = init; from; from = from.training?.config?.init) chain.push(from);
  return chain;
}

/** For a fine-tuned model: the wall clock of all its stages, where each recorded it. */
function chainMinutes(training: { seconds: number; config: { init?: InitRecord } }): string {
  const chain = initChain(training.config.init);
  if (chain.length === 0 || chain.some((from) => typeof from.training?.seconds !== 'number')) return '';
  const seconds = chain.reduce((sum, from) => sum + (from.training?.seconds as number), training.seconds);
  return `; all ${chain.length + 1} stages: ${Math.round(seconds / 60)} min`;
}

/** For a fine-tuned model: what it started from and the command that trained that, back to the first run. */
function fineTuneNote(init: InitRecord | undefined): string {
  if (!init) return '';
  const stages: string[] = [];
  for (const from of initChain(init)) {
    const how = from.newHead ? 'with a fresh head (`--init` and `--new-head`: only the body was taken)' : '(`--init`)';
    stages.push(`${stages.length === 0 ? 'Fine-tuned' : 'That was itself fine-tuned'} ${how} from the weights then in \`${from.model}\` (weights sha256 ${from.weightsSha256.slice(0, 12)}), which were made by
(seed ${from.training?.config?.seed ?? '?'}):

\`\`\`sh
${from.training?.command ?? '(no recorded command)'}
\`\`\`
`);
  }
  return `
${stages.join('\n')}
\`hilbertq experiment --train\` retrains ${stages.length === 1 ? 'both stages' : `all ${stages.length + 1} stages`} in order, first to last.
`;
}

