/**
 * Training cost per model at the default size: forward ms, train-step ms and their ratio on
 * tfjs-wasm (one thread), and the same graph in PyTorch (one thread) when Debian's
 * python3-torch is installed. Run: npm run bench:train [-- --repeats N]
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBatch } from '../src/data/batches.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { createParams, disposeParams, runGraph, saveWeights } from '../src/models/tfjs-build.js';
import { Adam } from '../src/train/adam.js';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../src/train/config.js';
import { trainStep } from '../src/train/step.js';

const BATCH = 4;
const HEIGHT = 64;
const WIDTH = 128;
const MAX_DISP = 24;
const repeatsFlag = process.argv.indexOf('--repeats');
const REPEATS = repeatsFlag > 0 ? Number(process.argv[repeatsFlag + 1]) : 20;
const PYTHON = '/usr/bin/python3';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Calls per timed block. */
const BLOCK = 5;
/** V8's collector, exposed by `node --expose-gc` (the npm script passes it). */
const collectGarbage = (globalThis as { gc?: () => void }).gc;

/**
 * Median ms per call of each function, timed in alternating blocks of BLOCK calls until each has
 * `repeats` calls: load drift on a shared machine (seen here: +-10% between minutes) hits all of
 * them alike. Between blocks, untimed, a full garbage collection (as timeit switches the
 * collector off), so that the garbage one function leaves (a train step leaves plenty) is not
 * collected while the other is timed; collections a block's own allocations trigger count.
 * Without --expose-gc the first call of each block is dropped instead, which still leaves some
 * of the previous block's garbage to it.
 */
function interleavedMs(fns: (() => void)[], repeats: number): number[] {
  const times: number[][] = fns.map(() => []);
  while (times.some((t) => t.length < repeats)) {
    fns.forEach((fn, k) => {
      if (collectGarbage) collectGarbage();
      else fn();
      for (let i = 0; i < BLOCK; i++) {
        const t = performance.now();
        fn();
        times[k].push(performance.now() - t);
      }
    });
  }
  return times.map(median);
}

function torchAvailable(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

await initTrainingBackend('wasm');
const torchVersion = torchAvailable();
const generator = new SyntheticStereo({ height: HEIGHT, width: WIDTH, maxDisp: MAX_DISP, seed: 1 });
const batch = makeBatch(Array.from({ length: BATCH }, (_, i) => generator.sample(i)));
const image = (data: Float32Array): tf.Tensor4D =>
  tf.transpose(tf.tensor4d(data, [BATCH, 3, HEIGHT, WIDTH]), [0, 2, 3, 1]) as tf.Tensor4D;

console.log(`bench:train  batch ${BATCH}, ${HEIGHT}x${WIDTH}, max disparity ${MAX_DISP}, ${REPEATS} calls each, in alternating blocks of ${BLOCK} (median call; ${collectGarbage ? 'full garbage collection between blocks, untimed' : 'no --expose-gc: first call of a block dropped'}); tfjs ${tf.version.tfjs} wasm, 1 thread`);
console.log(torchVersion ? `PyTorch ${torchVersion} (1 thread) runs the same graph IR` : 'PyTorch: not installed (apt-get install python3-torch), skipped');
console.log('model           params  fwd ms  step ms  step/fwd   torch fwd  torch step  ours/torch step');

for (const family of ['unet', 'vit'] as const) {
  for (const head of ['direct', 'hilbert'] as const) {
    const model: ModelConfig = { family, head, dims: 2, order: 3, margin: 0.1, maxDisp: MAX_DISP, width: 1 };
    const graph = buildModelGraph(model);
    const params = createParams(graph, 1);
    const config: TrainConfig = { ...TRAIN_DEFAULTS, model, height: HEIGHT, width: WIDTH, steps: 1000, batch: BATCH, seed: 1, data: { source: 'synthetic' } };
    const adam = new Adam(params, { clipNorm: config.clipNorm });
    const variables = [...params.values()];
    const left = image(batch.left);
    const right = image(batch.right);
    let step = 0;
    const [forward, train] = interleavedMs(
      [
        () => tf.tidy(() => runGraph(graph, params, { left, right }).dataSync()),
        () => trainStep(config, graph, params, variables, adam, batch, step++, 1e-4),
      ],
      REPEATS,
    );
    let torchCols = '           -           -                -';
    if (torchVersion) {
      const dir = mkdtempSync(join(tmpdir(), 'hilbertq-bench-'));
      try {
        saveWeights(dir, graph, params);
        writeFileSync(join(dir, 'graph.json'), JSON.stringify(graph));
        const r = spawnSync(PYTHON, [join(import.meta.dirname, 'torch_ir.py'), dir, String(BATCH), String(HEIGHT), String(WIDTH), String(REPEATS)], {
          encoding: 'utf8',
          env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
        });
        if (r.status !== 0) throw new Error(`torch_ir.py failed: ${r.stderr}`);
        const t = JSON.parse(r.stdout) as { forward_ms: number; step_ms: number };
        torchCols = `${t.forward_ms.toFixed(1).padStart(10)}  ${t.step_ms.toFixed(1).padStart(10)}  ${(train / t.step_ms).toFixed(2).padStart(15)}`;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(
      `${`${family}-${head}`.padEnd(14)} ${String(graph.paramCount).padStart(7)} ${forward.toFixed(1).padStart(7)} ${train.toFixed(1).padStart(8)} ${(train / forward).toFixed(2).padStart(9)} ${torchCols}`,
    );
    tf.dispose([left, right]);
    adam.dispose();
    disposeParams(params);
  }
}
console.log('targets: step/fwd <= 3.5; ours/torch step <= 3 (unet)');
