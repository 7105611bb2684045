/**
 * Inference latency on ONNX Runtime's CPU provider (1 intra-op thread), batch 1, at the default
 * 64x128 or at `--size HxW` (e.g. the precision preset's 128x256): fp32 and w8a8, direct and
 * hilbert heads, unet and vit. Each figure is the median of
 * `--runs` (>= 50) calls of DepthPredictor.predict, so it includes padding, the ORT run and the
 * head decoding (the curve's table look-up for a quantized hilbert head). Direct and hilbert
 * runs, fp32 and w8a8, are interleaved so that load drift hits them alike; the hilbert overhead
 * is the median of the per-round ratio of the two heads' times (pairedOverhead).
 * Uses the zoo's weights from models/ when present, else freshly initialised ones (latency does
 * not depend on the weights' values). Prints the CPU and whether it has VNNI, on which ORT's int8
 * kernels depend. For w8a8 it also times the ORT run, the head's tail and the decode apart.
 * Run: npm run bench:infer [-- --runs N] [--size HxW] [--zoo models/precision]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSize } from '../src/data/options.js';
import { SyntheticStereo } from '../src/data/synthetic/generator.js';
import { DepthPredictor } from '../src/infer/depth-predictor.js';
import { interleavedTimes, median, pairedOverhead } from '../src/infer/latency.js';
import { OutputDecoder } from '../src/infer/output-decoder.js';
import { rgbToPlanar } from '../src/infer/stereo-pair.js';
import { initialParamValues } from '../src/models/init.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { readWeightsDir, recordedTrainingSize } from '../src/models/weights-io.js';
import { exportOnnx } from '../src/onnx/export.js';
import { syntheticCalibration } from '../src/quant/calibration-data.js';
import { hostLacksVnni } from '../src/quant/host-cpu.js';
import { quantizeModel } from '../src/quant/quantize.js';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}
const ZOO = flag('--zoo') ?? 'models';
const zooRecord = (): { config: ModelConfig; meta?: Record<string, unknown> } | undefined => {
  const file = join(ZOO, 'unet-direct', 'model.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { config: ModelConfig; meta?: Record<string, unknown> }) : undefined;
};
const zooMaxDisp = (): number | undefined => zooRecord()?.config.maxDisp;
// The probe and calibration pairs in the zoo's own scene style: a curve head's decode is slower
// for outputs far off the curve, which scenes unlike its training ones make common.
const SCENES = recordedTrainingSize(zooRecord()?.meta, join(ZOO, 'unet-direct', 'model.json'))?.scenes ?? 'mixed';
const { height: HEIGHT, width: WIDTH } = parseSize(flag('--size') ?? '64x128');
const MAX_DISP = zooMaxDisp() ?? Math.round(WIDTH * 0.25);
const PRECISIONS = ['fp32', 'w8a8'] as const;
const RUNS = Math.max(50, Number(flag('--runs') ?? 100));

function floatModel(family: 'unet' | 'vit', head: 'direct' | 'hilbert'): { bytes: Uint8Array; source: string } {
  const dir = join(ZOO, `${family}-${head}`);
  if (existsSync(join(dir, 'model.json'))) {
    const { manifest, values } = readWeightsDir(dir);
    return { bytes: exportOnnx(buildModelGraph(manifest.config as ModelConfig), values), source: dir };
  }
  const config: ModelConfig = { family, head, dims: 2, order: 3, margin: 0.1, maxDisp: MAX_DISP, width: 1 };
  const graph = buildModelGraph(config);
  return { bytes: exportOnnx(graph, initialParamValues(graph, 1)), source: 'fresh init' };
}

const sample = new SyntheticStereo({ height: HEIGHT, width: WIDTH, maxDisp: MAX_DISP, seed: 5, scenes: SCENES }).sample(0);
const left = { width: WIDTH, height: HEIGHT, data: sample.left };
const right = { width: WIDTH, height: HEIGHT, data: sample.right };
const dir = mkdtempSync(join(tmpdir(), 'hilbertq-bench-infer-'));
const lacksVnni = hostLacksVnni();
const vnni = lacksVnni === null ? 'VNNI unknown' : lacksVnni ? 'no VNNI' : 'with VNNI';
console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} (${vnni})`);
console.log(`bench:infer  batch 1, ${HEIGHT}x${WIDTH}, max disparity ${MAX_DISP}, ${SCENES} scenes, ORT CPU EP 1 thread, median of ${RUNS} runs (the four models of a family interleaved)`);
console.log('family  precision  direct ms  hilbert ms  hilbert overhead   weights');
try {
  for (const family of ['unet', 'vit'] as const) {
    const predictors: DepthPredictor[] = [];
    const sources = new Set<string>();
    for (const precision of PRECISIONS) {
      for (const head of ['direct', 'hilbert'] as const) {
        const { bytes, source } = floatModel(family, head);
        sources.add(source);
        let model = bytes;
        if (precision === 'w8a8') {
          const calibration = syntheticCalibration({ height: HEIGHT, width: WIDTH, maxDisp: MAX_DISP, count: 8, scenes: SCENES });
          model = (await quantizeModel(bytes, { scheme: 'w8a8', method: 'minmax', calibration })).model;
        }
        const file = join(dir, `${family}-${head}-${precision}.onnx`);
        writeFileSync(file, model);
        predictors.push(await DepthPredictor.load(file, { threads: 1 }));
      }
    }
    // All four models of a family in one interleaved loop: load drift hits fp32 and w8a8 alike.
    const times = await interleavedTimes(predictors, left, right, RUNS);
    const ms = times.map(median);
    const [fp32, w8a8] = PRECISIONS.map((_, k) => ({ direct: ms[2 * k], hilbert: ms[2 * k + 1], overhead: pairedOverhead(times[2 * k], times[2 * k + 1]) }));
    for (const [precision, { direct, hilbert, overhead }] of [['fp32', fp32], ['w8a8', w8a8]] as const) {
      console.log(
        `${family.padEnd(7)} ${precision.padEnd(9)} ${direct.toFixed(2).padStart(10)} ${hilbert.toFixed(2).padStart(11)} ${`${(overhead * 100).toFixed(1)} %`.padStart(17)}   ${[...sources].join(', ')}`,
      );
    }
    console.log(`${family.padEnd(7)} w8a8 speed-up over fp32: direct ${(fp32.direct / w8a8.direct).toFixed(2)}x, hilbert ${(fp32.hilbert / w8a8.hilbert).toFixed(2)}x`);
    const parts = await w8a8Parts(predictors.slice(2));
    if (parts) console.log(`${family.padEnd(7)} w8a8 parts, direct / hilbert ms: ${parts}`);
    for (const p of predictors) await p.release();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('targets: unet w8a8 >= 2x faster than fp32; hilbert <= 3 % slower than direct at w8a8');

/**
 * Where a w8a8 prediction's time goes, for the direct and the hilbert model: the ORT run, the
 * head's tail (ExportOptions.headTail 'decoder': the x2 and sigmoid on the codes) and the decode,
 * each timed apart (medians of RUNS rounds, the two models interleaved), on the probe image
 * (its size a multiple of the stride: no padding). Null where the size needs padding.
 */
async function w8a8Parts([direct, hilbert]: DepthPredictor[]): Promise<string | null> {
  if (HEIGHT % direct.stride !== 0 || WIDTH % direct.stride !== 0) return null;
  const l = rgbToPlanar(left);
  const r = rgbToPlanar(right);
  const times = [direct, hilbert].map(() => ({ graph: [] as number[], tail: [] as number[], decode: [] as number[] }));
  const decoders = [direct, hilbert].map((p) => new OutputDecoder(p.config, p.encoding, p.file));
  for (let round = 0; round < RUNS + 5; round++) {
    for (const [k, p] of [direct, hilbert].entries()) {
      const t0 = performance.now();
      const output = await p.rawOutput(l, r, HEIGHT, WIDTH);
      const t1 = performance.now();
      const expanded = decoders[k].expand(output, HEIGHT, WIDTH);
      const t2 = performance.now();
      decoders[k].decode(expanded, HEIGHT, WIDTH);
      const t3 = performance.now();
      if (round < 5) continue; // warm-up
      times[k].graph.push(t1 - t0);
      times[k].tail.push(t2 - t1);
      times[k].decode.push(t3 - t2);
    }
  }
  const pair = (key: 'graph' | 'tail' | 'decode', digits: number): string => times.map((t) => median(t[key]).toFixed(digits)).join(' / ');
  return `graph ${pair('graph', 2)}, tail ${pair('tail', 3)}, decode ${pair('decode', 3)}`;
}
