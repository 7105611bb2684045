import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { SceneStyle } from '../data/types.js';
import { syntheticTestSet } from '../eval/evaluate.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import { interleavedTimes, LATENCY_WARMUP, median, pairedOverhead } from '../infer/latency.js';
import { writeFileAtomic } from '../util/fs.js';
import { CODE_VERSION, type ModelEvaluation, type Precision } from './evaluate-model.js';

export interface LatencyResults {
  fingerprint: string;
  runs: number;
  /** model -> precision -> median ms of DepthPredictor.predict (batch 1, 1 ORT thread). */
  medianMs: Record<string, Partial<Record<Precision, number>>>;
  /** Per interleaved group (one input geometry), each member's ms in every round, for pairedOverheadOf. */
  rounds: { model: string; precision: Precision; ms: number[] }[][];
}

/**
 * How much slower `model` runs than `baseline` in one precision (pairedOverhead of their rounds),
 * or null when they did not run in the same interleaved loop.
 */
export function pairedOverheadOf(latency: LatencyResults, baseline: string, model: string, precision: Precision): number | null {
  for (const group of latency.rounds ?? []) {
    const find = (name: string) => group.find((m) => m.model === name && m.precision === precision);
    const [a, b] = [find(baseline), find(model)];
    if (a && b) return pairedOverhead(a.ms, b.ms);
  }
  return null;
}

const LATENCY_FILE = 'latency.json';

/**
 * Latency of every model in every precision, after all evaluations: every model in every
 * precision of one input size runs interleaved (A B C ... A B C ...), so that neither the
 * hilbert-vs-direct overhead nor the int8-vs-fp32 speed-up is skewed by whatever else the host
 * does meanwhile (timing one precision after the other once put a 1.11x where interleaved runs
 * measure 1.4x). Cached in workDir/latency.json. `onProgress` counts interleaved rounds.
 */
export async function measureLatencies(
  evaluations: ModelEvaluation[],
  runs: number,
  workDir: string,
  onProgress: (done: number, total: number, what: string) => void,
  useCache = true,
): Promise<LatencyResults> {
  // Latency belongs to the host too: another CPU (or the same folder on another machine) measures again.
  const host = `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`;
  const fingerprint = createHash('sha256').update(JSON.stringify([runs, host, CODE_VERSION, evaluations.map((e) => e.fingerprint)])).digest('hex');
  const file = join(workDir, LATENCY_FILE);
  if (useCache && existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as LatencyResults;
    if (cached.fingerprint === fingerprint) return cached;
  }
  // One group per input geometry and scene style: only models fed the same pair run interleaved.
  interface Group {
    height: number;
    width: number;
    maxDisp: number;
    scenes: SceneStyle;
    members: { model: string; precision: Precision; onnxFile: string }[];
  }
  const groups = new Map<string, Group>();
  for (const e of evaluations) {
    const { height, width, scenes } = e.model.trainingSize;
    const maxDisp = e.model.config.maxDisp;
    for (const p of e.precisions) {
      const key = JSON.stringify([height, width, maxDisp, scenes]);
      if (!groups.has(key)) groups.set(key, { height, width, maxDisp, scenes, members: [] });
      groups.get(key)?.members.push({ model: e.model.name, precision: p.precision, onnxFile: p.onnxFile });
    }
  }
  const medianMs: LatencyResults['medianMs'] = {};
  const rounds: LatencyResults['rounds'] = [];
  const total = groups.size * (LATENCY_WARMUP + runs);
  let done = 0;
  for (const { height, width, maxDisp, scenes, members } of groups.values()) {
    // A pair like the models' own: a curve head's decode takes its slower exact path for outputs
    // far off the curve, which scenes unlike the training ones make common (the precision unet on
    // a mixed scene: 13 % of pixels, +1.4 ms; on a precision scene 0.7 %).
    const probe = syntheticTestSet(1, height, width, maxDisp, scenes).get(0);
    const left = { width, height, data: probe.left };
    const right = { width, height, data: probe.right };
    const predictors: DepthPredictor[] = [];
    try {
      for (const m of members) predictors.push(await DepthPredictor.load(m.onnxFile, { threads: 1 }));
      const what = `latency ${height}x${width}, ${members.length} models and precisions interleaved`;
      const times = await interleavedTimes(predictors, left, right, runs, LATENCY_WARMUP, () => onProgress(++done, total, what));
      members.forEach((m, i) => {
        medianMs[m.model] = { ...medianMs[m.model], [m.precision]: median(times[i]) };
      });
      rounds.push(members.map((m, i) => ({ model: m.model, precision: m.precision, ms: times[i].map((t) => Number(t.toFixed(4))) })));
    } finally {
      for (const p of predictors) await p.release();
    }
  }
  const results: LatencyResults = { fingerprint, runs, medianMs, rounds };
  writeFileAtomic(file, `${JSON.stringify(results, null, 1)}\n`);
  return results;
}
