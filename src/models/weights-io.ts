import { SCENE_STYLES, type SceneStyle, type TrainingScenes } from '../data/types.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '../util/errors.js';
import { readFileBytes, writeFileAtomic } from '../util/fs.js';
import type { ModelGraph } from './ir.js';

/**
 * Checkpoint format: a directory with two files.
 *
 * - `weights.bin`: every parameter as float32 little-endian, concatenated in graph parameter
 *   order, no header or padding. Conv kernels are HWIO [kh, kw, cin, cout], matMul weights
 *   [in, out], biases and LayerNorm gamma/beta [C] (see ir.ts).
 * - `model.json`: { format: "hilbertq-weights", version: 1, graph: <graph name>,
 *   config: <ModelConfig the graph is rebuilt from>, dtype: "float32", byteLength,
 *   params: [{ name, shape, offset }] (offset in bytes into weights.bin), meta?: {...} }.
 *
 * Kept free of tfjs so the ONNX emitter and other tools can read checkpoints directly.
 */
export interface WeightsManifest {
  format: 'hilbertq-weights';
  version: 1;
  graph: string;
  config: unknown;
  dtype: 'float32';
  byteLength: number;
  params: { name: string; shape: number[]; offset: number }[];
  meta?: Record<string, unknown>;
}

export const MANIFEST_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export function encodeWeights(
  graph: ModelGraph,
  values: ReadonlyMap<string, Float32Array>,
  meta?: Record<string, unknown>,
): { manifest: WeightsManifest; bin: Uint8Array } {
  const entries: WeightsManifest['params'] = [];
  let offset = 0;
  for (const p of graph.params) {
    const v = values.get(p.name);
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (!v || v.length !== size) throw new Error(`parameter ${p.name}: expected ${size} values, got ${v?.length ?? 'none'}`);
    entries.push({ name: p.name, shape: [...p.shape], offset });
    offset += size * 4;
  }
  const bin = new Uint8Array(offset);
  const view = new DataView(bin.buffer);
  for (const e of entries) {
    const v = values.get(e.name) as Float32Array;
    for (let i = 0; i < v.length; i++) view.setFloat32(e.offset + i * 4, v[i], true);
  }
  const manifest: WeightsManifest = {
    format: 'hilbertq-weights', version: 1, graph: graph.name, config: graph.meta.config ?? null,
    dtype: 'float32', byteLength: offset, params: entries, ...(meta ? { meta } : {}),
  };
  return { manifest, bin };
}

export function decodeWeights(manifest: WeightsManifest, bin: Uint8Array, file = WEIGHTS_FILE): Map<string, Float32Array> {
  if (bin.byteLength !== manifest.byteLength) {
    throw new FileFormatError(file, `has ${bin.byteLength} bytes, manifest says ${manifest.byteLength}`);
  }
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const out = new Map<string, Float32Array>();
  for (const e of manifest.params) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset < 0 || e.offset + size * 4 > bin.byteLength) throw new FileFormatError(file, `parameter ${e.name} runs past the end`);
    const v = new Float32Array(size);
    for (let i = 0; i < size; i++) v[i] = view.getFloat32(e.offset + i * 4, true);
    out.set(e.name, v);
  }
  return out;
}

export function writeWeightsDir(dir: string, manifest: WeightsManifest, bin: Uint8Array): void {
  writeFileAtomic(join(dir, WEIGHTS_FILE), bin);
  writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}

export function readWeightsDir(dir: string): { manifest: WeightsManifest; values: Map<string, Float32Array> } {
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: WeightsManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as WeightsManifest;
  } catch (err) {
    throw new FileFormatError(manifestPath, `cannot read the weights manifest (${(err as Error).message})`);
  }
  // `null` or a number parses as JSON too, and crashed on `.format` with a TypeError.
  if (manifest?.format !== 'hilbertq-weights' || manifest.version !== 1 || manifest.dtype !== 'float32') {
    throw new FileFormatError(manifestPath, 'is not a hilbertq-weights v1 float32 manifest');
  }
  checkParams(manifest, manifestPath);
  const binPath = join(dir, WEIGHTS_FILE);
  return { manifest, values: decodeWeights(manifest, readFileBytes(binPath), binPath) };
}

/**
 * Refuses weights holding NaN or infinities: exported they give NaN disparities, and as --init
 * they made the first step "diverge".
 */
export function refuseNonFiniteWeights(values: ReadonlyMap<string, Float32Array>, binPath: string): void {
  for (const [name, v] of values) {
    if (!v.every(Number.isFinite)) throw new FileFormatError(binPath, `parameter ${name} holds NaN or infinite values`);
  }
}

/**
 * The manifest's parameter list: named entries with shapes of whole non-negative sizes and
 * offsets that neither overlap nor leave byteLength. A negative shape crashed with a RangeError,
 * a missing list with a TypeError, and overlapping parameters loaded as a silently wrong model.
 */
function checkParams(manifest: WeightsManifest, file: string): void {
  const params: unknown = manifest.params;
  if (!Array.isArray(params)) throw new FileFormatError(file, 'has no params list');
  if (!Number.isSafeInteger(manifest.byteLength) || manifest.byteLength < 0) throw new FileFormatError(file, `has byteLength ${JSON.stringify(manifest.byteLength)}, not a byte count`);
  const names = new Set<string>();
  const spans: [number, number, string][] = [];
  for (const [i, e] of (params as unknown[]).entries()) {
    const entry = e as Partial<WeightsManifest['params'][number]> | null;
    const name = typeof entry?.name === 'string' ? entry.name : null;
    if (name === null) throw new FileFormatError(file, `params[${i}] has no name`);
    if (names.has(name)) throw new FileFormatError(file, `lists parameter ${name} twice`);
    names.add(name);
    const shape = entry?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FileFormatError(file, `parameter ${name} has shape ${JSON.stringify(shape)}, not a list of sizes`);
    const bytes = 4 * shape.reduce((a: number, b: number) => a * b, 1);
    const offset = entry?.offset;
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) + bytes > manifest.byteLength) {
      throw new FileFormatError(file, `parameter ${name} (offset ${JSON.stringify(offset)}, ${bytes} bytes) does not lie within byteLength ${manifest.byteLength}`);
    }
    spans.push([offset as number, (offset as number) + bytes, name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw new FileFormatError(file, `parameters ${spans[i - 1][2]} and ${spans[i][2]} overlap in ${WEIGHTS_FILE}`);
  }
}

/**
 * The HxW and synthetic scene style a model was trained at, as the trainer records them in
 * `meta.training.config` (no recorded style, or a dataset folder, means 'mixed'). A style this
 * version does not know is refused naming `file`: read as 'mixed', its model would be calibrated
 * and tested on scenes it never saw.
 */
export function recordedTrainingSize(meta: Record<string, unknown> | undefined, file: string): TrainingScenes | null {
  const config = (meta?.training as { config?: { height?: unknown; width?: unknown; data?: { scenes?: unknown } } } | undefined)?.config;
  const { height, width } = config ?? {};
  const scenes = knownSceneStyle(config?.data?.scenes ?? 'mixed', file, 'meta.training.config.data.scenes');
  if (typeof height !== 'number' || typeof width !== 'number') return null;
  // An edited size (0, 1.5, 1e400 = Infinity) went on into eval's test set and export's metadata.
  for (const [field, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new FileFormatError(file, `meta.training.config.${field} is ${v}, not a size in pixels`);
  }
  return { height, width, scenes };
}

/** `scenes` as a SceneStyle, or a one-line refusal naming the file and the field it came from. */
export function knownSceneStyle(scenes: unknown, file: string, field: string): SceneStyle {
  if (SCENE_STYLES.includes(scenes as SceneStyle)) return scenes as SceneStyle;
  throw new FileFormatError(file, `${field} is ${JSON.stringify(scenes)}, not a scene style this hilbertq knows (${SCENE_STYLES.join(', ')})`);
}
