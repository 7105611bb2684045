// Public surface of the ONNX exporter.
export { exportOnnx, buildOnnxModel, DEFAULT_OPSET, MAX_OPSET } from './export.js';
export type { ExportOptions } from './export.js';
export { exportModelDir, readModelDir } from './export-dir.js';
export type { ExportSummary } from './export-dir.js';
export { ONNX_EMITTERS } from './emitters.js';
export type { OnnxEmitter } from './emitters.js';
export { METADATA_KEYS, ONNX_FORMAT_VERSION, readOnnxMetadata } from './metadata.js';
export { decodeModel, encodeModel } from './onnx-proto.js';
export type { ModelProto, GraphProto, NodeProto, TensorProto } from './onnx-proto.js';
export { createOrtSession, runStereo, saveOptimizedModel } from './ort.js';
export type { NchwTensor, OrtSessionOptions } from './ort.js';
