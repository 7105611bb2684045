/**
 * Puts a finished training run into the model zoo: models/NAME/ gets the weights, the exact
 * command, config and seed that made them (from model.json's training record) and FP32 metrics on
 * the held-out synthetic test set (200 pairs, seed 2000003), measured here.
 * Run: npx tsx scripts/publish-model.ts runs/zoo-unet-hilbert unet-hilbert
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateModels, syntheticTestSet } from '../src/eval/evaluate.js';
import { openPredictor } from '../src/eval/open-predictor.js';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { writeFileAtomic } from '../src/util/fs.js';

const [runDir, name] = process.argv.slice(2);
if (!runDir || !name) throw new Error('usage: publish-model.ts RUN_DIR NAME');
const TEST_PAIRS = 200;

await initTrainingBackend('wasm');
const source = join(runDir, 'model');
const target = join('models', name);
mkdirSync(target, { recursive: true });
for (const file of ['model.json', 'weights.bin']) copyFileSync(join(source, file), join(target, file));

const manifest = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
const training = manifest.meta.training;
const model = await openPredictor(target);
const report = await evaluateModels(model, null, syntheticTestSet(TEST_PAIRS, training.config.height, training.config.width, model.config.maxDisp));
await model.release();
const metrics = { model: name, testSet: report.dataset, pairs: report.pairs, fp32: report.metrics, validation: training.validation };
writeFileAtomic(join(target, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);

const m = report.metrics;
const card = `# ${name}

${manifest.graph}: ${model.config.family} backbone, ${model.config.head} head${model.config.head === 'hilbert' ? ` (dims ${model.config.dims}, order ${model.config.order}, margin ${model.config.margin})` : ''}, max disparity ${model.config.maxDisp} px, ${(manifest.byteLength / 4).toLocaleString('en-US')} parameters.

Made by (seed ${training.config.seed}; ${Math.round(training.seconds / 60)} min wall clock on one thread, while a second training ran on the other core):

\`\`\`sh
${training.command}
\`\`\`

Training config: [model.json](model.json) (\`meta.training.config\`). Weights: \`weights.bin\`, format in
[src/models/README.md](../../src/models/README.md).

FP32 on the held-out synthetic test set (${report.pairs} pairs ${training.config.height}x${training.config.width}, seed 2000003), measured by
\`scripts/publish-model.ts\` (same as \`hilbertq eval --model models/${name} --synthetic ${TEST_PAIRS}\`):

| pixels | EPE px | D1 % | RMSE px |
| --- | --- | --- | --- |
| non-occluded | ${m.nonOccluded.epe.toFixed(3)} | ${(m.nonOccluded.d1 * 100).toFixed(2)} | ${m.nonOccluded.rmse.toFixed(3)} |
| all valid | ${m.all.epe.toFixed(3)} | ${(m.all.d1 * 100).toFixed(2)} | ${m.all.rmse.toFixed(3)} |

Validation at the end of training (${training.config.valCount} pairs, seed 1000003): EPE ${training.validation.nonOccluded.epe.toFixed(3)} px non-occluded.
`;
writeFileAtomic(join(target, 'README.md'), card);
console.log(`${target}: EPE ${m.nonOccluded.epe.toFixed(3)} px non-occluded, ${m.all.epe.toFixed(3)} px all (${report.pairs} test pairs)`);
