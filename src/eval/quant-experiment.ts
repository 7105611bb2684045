import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateModels, syntheticTestSet, type EvalReport } from './evaluate.js';
import { openPredictor } from './open-predictor.js';
import { exportModelDir } from '../onnx/export-dir.js';
import { quantizeModel } from '../quant/quantize.js';
import { syntheticCalibration } from '../quant/calibration-data.js';
import type { QuantScheme } from '../quant/schemes.js';
import type { CalibrationMethod } from '../quant/calibrators/index.js';

/**
 * The paper's measurement on one model: export FP32, quantize it in each scheme, and evaluate
 * every precision on the same held-out pairs, with the quantization error taken against the
 * FP32 ONNX model's own prediction.
 */
export interface QuantExperimentOptions {
  modelDir: string;
  name: string;
  schemes: QuantScheme[];
  testPairs: number;
  calibrationPairs: number;
  method: CalibrationMethod;
  reduceRange: boolean;
  workDir: string;
  onStep?: (what: string) => void;
}

export interface PrecisionResult {
  precision: 'fp32' | QuantScheme;
  report: EvalReport;
  /** log2(maxDisp / robust std of the quantization error): the output's effective bits. */
  effectiveBits: number | null;
}

export async function runQuantExperiment(o: QuantExperimentOptions): Promise<PrecisionResult[]> {
  mkdirSync(o.workDir, { recursive: true });
  const fp32File = join(o.workDir, `${o.name}.fp32.onnx`);
  exportModelDir(o.modelDir, fp32File);
  const reference = await openPredictor(fp32File);
  const size = reference.trainingSize ?? { height: 64, width: 128 };
  const testSet = syntheticTestSet(o.testPairs, size.height, size.width, reference.config.maxDisp);
  const results: PrecisionResult[] = [];
  try {
    o.onStep?.(`${o.name} fp32`);
    results.push({ precision: 'fp32', report: await evaluateModels(reference, null, testSet), effectiveBits: null });
    for (const scheme of o.schemes) {
      o.onStep?.(`${o.name} ${scheme}`);
      const calibration = syntheticCalibration({ ...size, maxDisp: reference.config.maxDisp, count: o.calibrationPairs });
      const { model } = await quantizeModel(readFileSync(fp32File), { scheme, method: o.method, calibration, reduceRange: o.reduceRange });
      const file = join(o.workDir, `${o.name}.${scheme}.onnx`);
      writeFileSync(file, model);
      const quantized = await openPredictor(file);
      try {
        const report = await evaluateModels(quantized, reference, testSet);
        const std = report.quantError?.robustStd ?? 0;
        results.push({ precision: scheme, report, effectiveBits: std > 0 ? Math.log2(reference.config.maxDisp / std) : null });
      } finally {
        await quantized.release();
      }
    }
  } finally {
    await reference.release();
  }
  return results;
}
