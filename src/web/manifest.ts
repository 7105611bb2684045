import type { TrainingScenes } from '../data/types.js';
import type { OutputEncoding } from '../infer/output-decoder.js';
import type { ModelConfig } from '../models/model.js';

// What `hilbertq web build` writes and the page reads: types only, so the page imports them
// without pulling in anything from Node.

/** Written last by the build: a folder holding it is a complete site. */
export const SITE_MANIFEST = 'manifest.json';

export const WEB_MODELS = ['unet-direct', 'unet-hilbert', 'vit-direct', 'vit-hilbert'] as const;
export const WEB_PRECISIONS = ['fp32', 'w8a8', 'w8a16'] as const;
export type WebPrecision = (typeof WEB_PRECISIONS)[number];

/** One .onnx file of the site, with what the page needs to decode its output (from its ONNX metadata). */
export interface SiteModelFile {
  /** Relative to the site root. */
  file: string;
  bytes: number;
  config: ModelConfig;
  stride: number;
  encoding: OutputEncoding;
}

export interface SiteModel {
  name: string;
  trainingSize: TrainingScenes | null;
  precisions: Partial<Record<WebPrecision, SiteModelFile>>;
}

export interface SiteSample {
  name: string;
  /** Relative to the site root. */
  left: string;
  right: string;
  width: number;
  height: number;
}

export interface SiteManifest {
  hilbertq: string;
  builtAt: string;
  /** onnxruntime-web's version and the folder of its .wasm/.mjs files (ort.env.wasm.wasmPaths). */
  ort: { version: string; wasmPaths: string };
  models: SiteModel[];
  samples: SiteSample[];
}
