// Synthetic stereo generation throughput: the trainer streams from the generator, so this must
// stay well above the training step rate. One core, no disk.
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { makeBatch } from '../src/data/batches.js';

interface Case {
  height: number;
  width: number;
  maxDisp: number;
  seconds: number;
}

const CASES: Case[] = [
  { height: 64, width: 128, maxDisp: 24, seconds: 3 },
  { height: 256, width: 512, maxDisp: 96, seconds: 4 },
];

function measure(c: Case, withBatch: boolean): number {
  const generator = new SyntheticStereo({ height: c.height, width: c.width, maxDisp: c.maxDisp, seed: 1 });
  for (let i = 0; i < 5; i++) generator.sample(1_000_000 + i); // warm-up: let the JIT settle
  let index = 0;
  const start = performance.now();
  const budget = c.seconds * 1000;
  while (performance.now() - start < budget) {
    const s = generator.sample(index++);
    if (withBatch) makeBatch([s]);
  }
  return (index * 1000) / (performance.now() - start);
}

for (const c of CASES) {
  const pairs = measure(c, false);
  const batched = measure(c, true);
  console.log(
    `synthetic ${c.height}x${c.width} maxDisp ${c.maxDisp}: ${pairs.toFixed(0)} pairs/s (${batched.toFixed(0)} pairs/s including makeBatch)`,
  );
}
