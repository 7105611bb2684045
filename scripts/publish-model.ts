/**
 * Puts a finished training run into the model zoo (models/NAME): weights, README card with the
 * recorded command, FP32 metrics on the held-out test set. `hilbertq experiment --train` does
 * the same for its own zoo.
 * Run: npx tsx scripts/publish-model.ts runs/zoo-unet-hilbert unet-hilbert
 */
import { join } from 'node:path';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { publishModel } from '../src/train/publish.js';

const [runDir, name] = process.argv.slice(2);
if (!runDir || !name) throw new Error('usage: publish-model.ts RUN_DIR NAME');
await initTrainingBackend('wasm');
const { dir, fp32 } = await publishModel(runDir, join('models', name));
console.log(`${dir}: EPE ${fp32.nonOccluded.epe.toFixed(3)} px non-occluded, ${fp32.all.epe.toFixed(3)} px all`);
