/**
 * Quantization error of the zoo, direct vs hilbert, for every scheme, on the held-out synthetic
 * test set: the figures issue 5 asks for. Writes runs/quant-table/results.json and prints a table.
 * Run: npx tsx scripts/quant-table.ts [--families unet,vit] [--pairs 200] [--reduce-range]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runQuantExperiment, type PrecisionResult } from '../src/eval/quant-experiment.js';
import { initTrainingBackend } from '../src/train/backend/index.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const families = arg('--families', 'unet,vit').split(',');
const pairs = Number(arg('--pairs', '200'));
const reduceRange = process.argv.includes('--reduce-range');
const workDir = join('runs', `quant-table${reduceRange ? '-rr' : ''}`);

await initTrainingBackend('wasm');
const all: Record<string, PrecisionResult[]> = {};
for (const family of families) {
  for (const head of ['direct', 'hilbert']) {
    const name = `${family}-${head}`;
    const modelDir = join('models', name);
    if (!existsSync(join(modelDir, 'model.json'))) {
      console.log(`${name}: not in the zoo, skipped`);
      continue;
    }
    all[name] = await runQuantExperiment({
      modelDir, name, schemes: ['w8a8', 'w8a8-pt', 'w8a16'], testPairs: pairs, calibrationPairs: 64,
      method: 'minmax', reduceRange, workDir, onStep: (s) => console.error(`... ${s}`),
    });
  }
}
writeFileSync(join(workDir, 'results.json'), `${JSON.stringify({ pairs, reduceRange, results: all }, null, 1)}\n`);
console.log(`quantization error vs FP32 on ${pairs} synthetic test pairs (seed 2000003), minmax calibration on 64 pairs${reduceRange ? ', reduce-range weights' : ''}`);
console.log('model          precision  EPE noc  D1 noc %  robust std px  RMSE px  >1px %  eff. bits');
for (const [name, rows] of Object.entries(all)) {
  for (const r of rows) {
    const m = r.report.metrics.nonOccluded;
    const q = r.report.quantError;
    console.log(
      `${name.padEnd(14)} ${r.precision.padEnd(9)} ${m.epe.toFixed(3).padStart(7)} ${(m.d1 * 100).toFixed(2).padStart(9)} ` +
        `${q ? q.robustStd.toFixed(4).padStart(14) : '-'.padStart(14)} ${q ? q.rmse.toFixed(4).padStart(8) : '-'.padStart(8)} ` +
        `${q ? (q.over1px * 100).toFixed(3).padStart(7) : '-'.padStart(7)} ${r.effectiveBits ? r.effectiveBits.toFixed(2).padStart(9) : '-'.padStart(9)}`,
    );
  }
}
for (const family of families) {
  const d = all[`${family}-direct`];
  const h = all[`${family}-hilbert`];
  if (!d || !h) continue;
  for (const scheme of ['w8a8', 'w8a8-pt', 'w8a16']) {
    const qd = d.find((r) => r.precision === scheme)?.report.quantError;
    const qh = h.find((r) => r.precision === scheme)?.report.quantError;
    if (qd && qh) {
      console.log(`${family} ${scheme}: robust std direct/hilbert = ${(qd.robustStd / qh.robustStd).toFixed(2)}x, RMSE direct/hilbert = ${(qd.rmse / qh.rmse).toFixed(2)}x`);
    }
  }
}
