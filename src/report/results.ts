import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { ExperimentArtifacts, ExperimentOptions, Precision, PrecisionRow } from './run-experiment.js';

/** What results.json holds: every number the report shows, and how it was produced. */
export interface ExperimentResults {
  setup: {
    date: string;
    command: string;
    node: string;
    platform: string;
    cpu: string;
    cores: number;
    onnxruntime: string;
    tfjs: string;
    testPairs: number;
    testSeed: number;
    calibrationPairs: number;
    calibrationSeed: number;
    reduceRange: boolean;
    latency: string;
  };
  rows: PrecisionRow[];
  /** Quantization-error reduction, direct / hilbert, per family and scheme. */
  reductions: { family: string; precision: Precision; robustStd: number; rmse: number }[];
  /** Hilbert latency over direct latency - 1, per family and precision. */
  latencyOverhead: { family: string; precision: Precision; overhead: number }[];
}

export function collectResults(a: ExperimentArtifacts, o: ExperimentOptions, command: string): ExperimentResults {
  const find = (family: string, head: string, precision: Precision): PrecisionRow | undefined =>
    a.rows.find((r) => r.family === family && r.head === head && r.precision === precision);
  const reductions: ExperimentResults['reductions'] = [];
  const latencyOverhead: ExperimentResults['latencyOverhead'] = [];
  const families = [...new Set(a.rows.map((r) => r.family))];
  for (const family of families) {
    for (const precision of ['fp32', ...o.schemes] as Precision[]) {
      const direct = find(family, 'direct', precision);
      const hilbert = find(family, 'hilbert', precision);
      if (!direct || !hilbert) continue;
      latencyOverhead.push({ family, precision, overhead: hilbert.latencyMs / direct.latencyMs - 1 });
      if (direct.quantError && hilbert.quantError) {
        reductions.push({
          family,
          precision,
          robustStd: direct.quantError.robustStd / hilbert.quantError.robustStd,
          rmse: direct.quantError.rmse / hilbert.quantError.rmse,
        });
      }
    }
  }
  return {
    setup: {
      date: new Date().toISOString(),
      command,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      onnxruntime: ort.env.versions.node ?? 'unknown',
      tfjs: tf.version.tfjs,
      testPairs: o.testPairs,
      testSeed: 2_000_003,
      calibrationPairs: o.calibrationPairs,
      calibrationSeed: 3_000_003,
      reduceRange: o.reduceRange,
      latency: `median of ${o.latencyRuns} DepthPredictor.predict calls, batch 1, ORT CPU EP with 1 thread`,
    },
    rows: a.rows,
    reductions,
    latencyOverhead,
  };
}

/** The headline table, in the shape of the paper's Table 2, as Markdown. */
export function headlineMarkdown(r: ExperimentResults): string {
  const lines = [
    '| model | precision | EPE px | D1 % | q-err robust std px | q-err RMSE px | eff. bits | latency ms | hilbert overhead |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of r.rows) {
    const m = row.metrics.nonOccluded;
    const q = row.quantError;
    const overhead = row.head === 'hilbert' ? r.latencyOverhead.find((x) => x.family === row.family && x.precision === row.precision) : undefined;
    lines.push(
      `| ${row.model} | ${row.precision} | ${m.epe.toFixed(3)} | ${(m.d1 * 100).toFixed(2)} | ${q ? q.robustStd.toFixed(4) : '-'} | ` +
        `${q ? q.rmse.toFixed(4) : '-'} | ${row.effectiveBits ? row.effectiveBits.toFixed(2) : '-'} | ${row.latencyMs.toFixed(2)} | ` +
        `${overhead ? `${(overhead.overhead * 100).toFixed(1)} %` : ''} |`,
    );
  }
  lines.push('', '| family | precision | reduction (robust std) direct / hilbert | reduction (RMSE) |', '| --- | --- | --- | --- |');
  for (const x of r.reductions) lines.push(`| ${x.family} | ${x.precision} | ${x.robustStd.toFixed(2)}x | ${x.rmse.toFixed(2)}x |`);
  return lines.join('\n');
}
