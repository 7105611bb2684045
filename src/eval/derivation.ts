import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WEIGHTS_FILE } from '../models/weights-io.js';
import { readOnnxMetadata, WEIGHTS_SHA256_KEY } from '../onnx/metadata.js';
import { QUANT_METADATA_KEYS } from '../quant/metadata.js';
import { ConfigError, FileFormatError } from '../util/errors.js';
import { readFileBytes } from '../util/fs.js';
import { fileSha256, sha256Hex } from '../util/hash.js';

/** What a model says it is made from: the float ONNX bytes' hash and the weights.bin hash. */
interface Identity {
  /** A float ONNX: its own bytes' sha256; a quantized one: the recorded float model's. */
  onnx?: string;
  /** A model folder: its weights.bin's sha256; an ONNX: the recorded one, if any. */
  weights?: string;
}

/**
 * `eval --model Q --against F` measures Q's quantization error only if Q was made from F. Rule:
 * a quantized Q records the sha256 of the float ONNX bytes it was quantized from
 * (hilbertq.quant.source_sha256) and keeps the export's sha256 of the model folder's weights.bin
 * (hilbertq.weights_sha256). Against an ONNX file, the ONNX hashes are compared (for a quantized
 * reference, its own recorded source); against a model folder, the weights.bin hashes. A mismatch
 * is a ConfigError; when nothing comparable is recorded (Q quantized before the hashes were),
 * the returned warning says the check was skipped. A float --model is not checked.
 */
export function checkDerivation(modelPath: string, againstPath: string): string | null {
  const model = identityOf(modelPath);
  if (!model.quantized) return null;
  const reference = identityOf(againstPath);
  const short = (h: string): string => h.slice(0, 12);
  if (model.onnx !== undefined && reference.onnx !== undefined) {
    if (model.onnx === reference.onnx) return null;
    throw new ConfigError('--against', againstPath, `is not the model ${modelPath} was quantized from (it records float model sha256 ${short(model.onnx)}, ${againstPath} has ${short(reference.onnx)})`);
  }
  if (model.weights !== undefined && reference.weights !== undefined) {
    if (model.weights === reference.weights) return null;
    throw new ConfigError('--against', againstPath, `holds other weights than ${modelPath} was made from (weights.bin sha256 ${short(reference.weights)}, recorded ${short(model.weights)})`);
  }
  const missing = reference.folder ? 'no weights.bin hash' : 'no source model hash';
  return `warning: ${modelPath} records ${missing} (made before hilbertq recorded it), so whether it was made from ${againstPath} is not checked; requantize it to enable the check`;
}

function identityOf(path: string): Identity & { quantized: boolean; folder: boolean } {
  if (!existsSync(path)) throw new FileFormatError(path, 'does not exist');
  if (statSync(path).isDirectory()) return { weights: fileSha256(join(path, WEIGHTS_FILE)), quantized: false, folder: true };
  const bytes = readFileBytes(path);
  let meta: Record<string, string>;
  try {
    meta = readOnnxMetadata(bytes);
  } catch {
    throw new FileFormatError(path, 'is not an ONNX model (protobuf decoding failed)');
  }
  const quantized = meta[QUANT_METADATA_KEYS.scheme] !== undefined;
  const onnx = quantized ? meta[QUANT_METADATA_KEYS.sourceSha256] : sha256Hex(bytes);
  const weights = meta[WEIGHTS_SHA256_KEY];
  return { ...(onnx !== undefined ? { onnx } : {}), ...(weights !== undefined ? { weights } : {}), quantized, folder: false };
}
