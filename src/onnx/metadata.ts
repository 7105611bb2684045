import type { TrainingScenes } from '../data/types.js';
import { knownSceneStyle } from '../models/weights-io.js';
import type { ModelGraph } from '../models/ir.js';
import { FileFormatError } from '../util/errors.js';
import { decodeModel } from './onnx-proto.js';

/**
 * The hilbertq facts an ONNX file carries in `metadata_props`, so a deployed model decodes
 * its own output (curve dims/order/margin, maxDisp) without the training checkpoint. Later
 * stages (the quantizer: output scale and zero point) add their own keys via `opts.metadata`.
 */
export const ONNX_FORMAT_VERSION = 1;

export const METADATA_KEYS = {
  /** JSON of the ModelConfig the graph was built from. */
  config: 'hilbertq.config',
  /** Input H and W must be multiples of this. */
  stride: 'hilbertq.stride',
  formatVersion: 'hilbertq.format_version',
  graph: 'hilbertq.graph',
} as const;

/** Optional: the HxW a model was trained at (synthetic calibration and test pairs default to it). */
export const TRAINING_SIZE_KEY = 'hilbertq.training_size';

/**
 * Optional: sha256 of the model folder's weights.bin the ONNX was exported from (exportModelDir
 * records it; the quantizer keeps it), so `eval --against <folder>` can check the derivation.
 */
export const WEIGHTS_SHA256_KEY = 'hilbertq.weights_sha256';

/**
 * Optional: the graph ends at the head's logits and the runtime applies this tail (models/heads.ts
 * HEAD_TAIL); absent, the graph's output is the head's output itself.
 */
export const HEAD_TAIL_KEY = 'hilbertq.head_tail';

/** Optional: the synthetic scene style a model was trained on (absent: 'mixed'). */
export const TRAINING_SCENES_KEY = 'hilbertq.training_scenes';

/** The recorded training size and scene style of a model (ONNX file `file`), if its metadata has a size. */
export function trainingSizeOf(meta: Record<string, string>, file: string): TrainingScenes | null {
  // Checked even without a size: a style this version does not know means a newer or edited file.
  const scenes = knownSceneStyle(meta[TRAINING_SCENES_KEY] ?? 'mixed', file, TRAINING_SCENES_KEY);
  const m = /^(\d+)x(\d+)$/.exec(meta[TRAINING_SIZE_KEY] ?? '');
  if (!m) return null;
  const [height, width] = [Number(m[1]), Number(m[2])];
  // "0x0" went on to eval and quantize as a test size, refused there without naming the file.
  if (!(height >= 1 && width >= 1 && Number.isSafeInteger(height) && Number.isSafeInteger(width))) {
    throw new FileFormatError(file, `has ${TRAINING_SIZE_KEY} ${m[0]}, not a size in pixels`);
  }
  return { height, width, scenes };
}

// The head's tail key is written by the exporter from ExportOptions.headTail, never passed through.
const RESERVED = new Set<string>([...Object.values(METADATA_KEYS), HEAD_TAIL_KEY]);

export function exportMetadata(graph: ModelGraph, extra: Readonly<Record<string, string>> = {}, headTail?: string): { key: string; value: string }[] {
  const own: Record<string, string> = {
    [METADATA_KEYS.formatVersion]: String(ONNX_FORMAT_VERSION),
    [METADATA_KEYS.graph]: graph.name,
    [METADATA_KEYS.stride]: String(graph.stride),
    ...(graph.meta.config !== undefined ? { [METADATA_KEYS.config]: JSON.stringify(graph.meta.config) } : {}),
    ...(headTail !== undefined ? { [HEAD_TAIL_KEY]: headTail } : {}),
  };
  for (const key of Object.keys(extra)) {
    // Overriding the exporter's own facts would make the file describe another model.
    if (RESERVED.has(key)) throw new Error(`metadata key ${key} is written by the exporter itself`);
  }
  return Object.entries({ ...own, ...extra }).map(([key, value]) => ({ key, value: String(value) }));
}

/**
 * Refuse a file written by a newer hilbertq: its metadata may mean what this build would misread
 * (a decode it does not know would come out as plausible, wrong disparities). A file without the
 * key is left to the caller's own checks (it has no hilbertq config either).
 */
export function checkFormatVersion(file: string, meta: Readonly<Record<string, string>>): void {
  const text = meta[METADATA_KEYS.formatVersion];
  if (text === undefined) return;
  const version = Number(text);
  if (!/^\d+$/.test(text) || version < 1) throw new FileFormatError(file, `has an invalid ${METADATA_KEYS.formatVersion} "${text}"`);
  if (version > ONNX_FORMAT_VERSION) {
    throw new FileFormatError(file, `was written by a newer hilbertq (format ${version}; this one reads format ${ONNX_FORMAT_VERSION} and older): update hilbertq`);
  }
}

/** `metadata_props` of an ONNX file as a plain record. */
export function readOnnxMetadata(model: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of decodeModel(model).metadata_props ?? []) out[key] = value;
  return out;
}
