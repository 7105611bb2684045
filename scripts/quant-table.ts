/**
 * Quantization error of the zoo, direct vs hilbert, for every scheme, on the held-out synthetic
 * test set: the figures issue 5 asks for. Writes runs/quant-table[-rr]/results.json and prints a
 * table. Run: npx tsx scripts/quant-table.ts [--families unet,vit] [--pairs 200] [--reduce-range]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runExperiment } from '../src/report/run-experiment.js';
import { initTrainingBackend } from '../src/train/backend/index.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const families = arg('--families', 'unet,vit').split(',');
const pairs = Number(arg('--pairs', '200'));
const reduceRange = process.argv.includes('--reduce-range');
const workDir = join('runs', `quant-table${reduceRange ? '-rr' : ''}`);
const SCHEMES = ['w8a8', 'w8a8-pt', 'w8a16'] as const;

await initTrainingBackend('wasm');
const modelDirs = families
  .flatMap((family) => ['direct', 'hilbert'].map((head) => join('models', `${family}-${head}`)))
  .filter((dir) => {
    const found = existsSync(join(dir, 'model.json'));
    if (!found) console.log(`${dir}: not in the zoo, skipped`);
    return found;
  });
// Latency is bench:infer's job: one timed run per precision keeps this script about accuracy.
const { rows } = await runExperiment({
  modelDirs, schemes: [...SCHEMES], testPairs: pairs, calibrationPairs: 64, reduceRange, latencyRuns: 1, pictures: 0, workDir,
  onStep: (s) => console.error(`... ${s}`),
});
writeFileSync(join(workDir, 'results.json'), `${JSON.stringify({ pairs, reduceRange, rows }, null, 1)}\n`);
console.log(`quantization error vs FP32 on ${pairs} synthetic test pairs (seed 2000003), minmax calibration on 64 pairs${reduceRange ? ', reduce-range weights' : ''}`);
console.log('model          precision  EPE noc  D1 noc %  robust std px  RMSE px  >1px %  eff. bits');
for (const r of rows) {
  const m = r.metrics.nonOccluded;
  const q = r.quantError;
  console.log(
    `${r.model.padEnd(14)} ${r.precision.padEnd(9)} ${m.epe.toFixed(3).padStart(7)} ${(m.d1 * 100).toFixed(2).padStart(9)} ` +
      `${q ? q.robustStd.toFixed(4).padStart(14) : '-'.padStart(14)} ${q ? q.rmse.toFixed(4).padStart(8) : '-'.padStart(8)} ` +
      `${q ? (q.over1px * 100).toFixed(3).padStart(7) : '-'.padStart(7)} ${r.effectiveBits ? r.effectiveBits.toFixed(2).padStart(9) : '-'.padStart(9)}`,
  );
}
for (const family of families) {
  for (const scheme of SCHEMES) {
    const qd = rows.find((r) => r.family === family && r.head === 'direct' && r.precision === scheme)?.quantError;
    const qh = rows.find((r) => r.family === family && r.head === 'hilbert' && r.precision === scheme)?.quantError;
    if (qd && qh) {
      console.log(`${family} ${scheme}: robust std direct/hilbert = ${(qd.robustStd / qh.robustStd).toFixed(2)}x, RMSE direct/hilbert = ${(qd.rmse / qh.rmse).toFixed(2)}x`);
    }
  }
}
