// Library API of hilbertq. Each module adds its public names here.
export { HilbertCurve } from './curve/hilbert-curve.js';
export type { HilbertCurveOptions, QuantizedDecoderOptions } from './curve/hilbert-curve.js';
export { Rng } from './util/rng.js';
export { HilbertqError, ConfigError, FileFormatError } from './util/errors.js';
export * from './data/index.js';
export { buildModelGraph, validateModelConfig, DEFAULT_MODEL_CONFIG } from './models/model.js';
export type { ModelConfig, ModelFamily } from './models/model.js';
export type { ModelGraph, GraphNode, OpType, OpAttrs, ParamSpec, ParamInit } from './models/ir.js';
export { GraphBuilder } from './models/graph-builder.js';
export { inferValueInfo, GraphShapeError } from './models/ir-check.js';
export type { ValueInfo } from './models/ir-check.js';
export { countMacs } from './models/cost.js';
export { initialParamValues } from './models/init.js';
export { encodeWeights, decodeWeights, readWeightsDir, writeWeightsDir } from './models/weights-io.js';
export type { WeightsManifest } from './models/weights-io.js';
export { createParams, paramsFromValues, disposeParams, runGraph, saveWeights, loadWeights } from './models/tfjs-build.js';
export type { ParamMap, RunOptions, StereoInputs } from './models/tfjs-build.js';
export * from './onnx/index.js';
