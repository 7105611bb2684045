import { ConfigError } from '../util/errors.js';
import { GraphBuilder, widen } from './graph-builder.js';
import { addHead, type HeadKind } from './heads.js';
import { validateOutputMap, type OutputMap } from './output-map.js';
import type { ModelGraph } from './ir.js';
import { buildUnetBackbone, type UnetOptions } from './unet.js';
import { buildVitBackbone, type VitOptions } from './vit.js';

export type ModelFamily = 'unet' | 'vit';

export interface ModelConfig {
  family: ModelFamily;
  head: HeadKind;
  /** Hilbert curve dimension D (channels of the hilbert head). Ignored by the direct head's graph. */
  dims: number;
  /** Hilbert curve order p and margin k: not part of the graph, kept so a checkpoint is self-describing. */
  order: number;
  margin: number;
  /** Largest disparity in input pixels; q = disparity / maxDisp (with the linear output map). */
  maxDisp: number;
  /** How q maps to disparity (output-map.ts); absent: 'linear'. */
  outputMap?: OutputMap;
  /** Smallest disparity of a 'log' or 'inverse' output map, in pixels. */
  minDisp?: number;
  /** Channel multiplier (1 = the default sizes). */
  width?: number;
  /** ViT only: transformer blocks, attention heads, token channels (before `width`). */
  blocks?: number;
  heads?: number;
  tokenChannels?: number;
}

export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  family: 'unet', head: 'hilbert', dims: 2, order: 3, margin: 0.1, maxDisp: 32, width: 1,
};

/** What the backbone is built from, defaults filled in: two configs with the same settings share a body. */
export type BackboneSettings = ({ family: 'unet' } & UnetOptions) | ({ family: 'vit' } & VitOptions);

export function backboneSettings(cfg: ModelConfig): BackboneSettings {
  const width = cfg.width ?? 1;
  return cfg.family === 'vit'
    ? { family: 'vit', width, maxDisp: cfg.maxDisp, blocks: cfg.blocks ?? 4, heads: cfg.heads ?? 4, tokenChannels: cfg.tokenChannels ?? 128 }
    : { family: 'unet', width, maxDisp: cfg.maxDisp };
}

/** The largest disparity range a model may have. */
export const MAX_MODEL_DISP = 8192;

export function validateModelConfig(cfg: ModelConfig): void {
  // A config read from a file may be null, an array or a number: say so, not "cannot read properties of null".
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new ConfigError('model config', JSON.stringify(cfg) ?? String(cfg), 'expected a JSON object');
  if (cfg.family !== 'unet' && cfg.family !== 'vit') throw new ConfigError('family', cfg.family, "expected 'unet' or 'vit'");
  if (cfg.head !== 'direct' && cfg.head !== 'hilbert') throw new ConfigError('head', cfg.head, "expected 'direct' or 'hilbert'");
  if (!Number.isInteger(cfg.dims) || cfg.dims < 2 || cfg.dims > 8) throw new ConfigError('dims', cfg.dims, 'expected an integer in 2..8');
  // At most the widest image `data generate` makes: a metadata maxDisp of 1e9 scored EPE 4e8 without a word.
  if (!Number.isInteger(cfg.maxDisp) || cfg.maxDisp < 4 || cfg.maxDisp > MAX_MODEL_DISP) throw new ConfigError('maxDisp', cfg.maxDisp, `expected an integer in 4..${MAX_MODEL_DISP}`);
  validateOutputMap(cfg);
  const body = backboneSettings(cfg);
  if (!(body.width > 0 && body.width <= 4)) throw new ConfigError('width', body.width, 'expected a multiplier in (0, 4]');
  if (body.family === 'vit') {
    const tokens = widen(body.tokenChannels, body.width);
    if (!Number.isInteger(body.heads) || body.heads < 1 || tokens % body.heads !== 0) {
      throw new ConfigError('heads', body.heads, `must divide the ${tokens} token channels`);
    }
    if (!Number.isInteger(body.blocks) || body.blocks < 1) throw new ConfigError('blocks', body.blocks, 'expected an integer >= 1');
  }
}

/** Builds the full graph: backbone of `cfg.family` + head of `cfg.head`. Deterministic in cfg. */
export function buildModelGraph(cfg: ModelConfig): ModelGraph {
  validateModelConfig(cfg);
  const b = new GraphBuilder();
  const left = b.input('left', 3);
  const right = b.input('right', 3);
  const body = backboneSettings(cfg);
  const features = body.family === 'unet' ? buildUnetBackbone(b, left, right, body) : buildVitBackbone(b, left, right, body);
  const output = addHead(b, features, cfg.head, cfg.dims);
  return b.build(output, features, { config: { ...cfg } }, `${cfg.family}-${cfg.head}${cfg.head === 'hilbert' ? cfg.dims : ''}`);
}
