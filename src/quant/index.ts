// Public surface of the post-training quantizer.
export { quantizeModel } from './quantize.js';
export type { QuantizeOptions, QuantizeResult } from './quantize.js';
export { QUANT_SCHEMES, SCHEMES, resolveScheme } from './schemes.js';
export type { QuantScheme, SchemeSpec, ActivationDtype } from './schemes.js';
export { CALIBRATION_METHODS, DEFAULT_PERCENTILE } from './calibrators/index.js';
export type { CalibrationMethod, CalibratorOptions } from './calibrators/index.js';
export { calibrateRanges } from './calibrate.js';
export type { CalibrationProgress, CalibrationResult } from './calibrate.js';
export { syntheticCalibration, datasetCalibration, CALIBRATION_SEED } from './calibration-data.js';
export type { CalibrationData, CalibrationPair } from './calibration-data.js';
export { QUANT_RULES } from './rules/registry.js';
export type { QuantRule, QuantRuleRegistry } from './rules/rule.js';
export { QUANT_METADATA_KEYS, readQuantizedOutputInfo } from './metadata.js';
export type { QuantizedOutputInfo } from './metadata.js';
export type { QuantSummary, ActivationSummary } from './summary.js';
export type { Range, QParams } from './qparams.js';
export { runQuantizedStereo, dequantize } from './run.js';
export type { QuantizedOutput } from './run.js';
