import { ConfigError } from '../util/errors.js';
import { GraphBuilder, widen } from './graph-builder.js';
import { addHead, type HeadKind } from './heads.js';
import type { ModelGraph } from './ir.js';
import { buildUnetBackbone } from './unet.js';
import { buildVitBackbone } from './vit.js';

export type ModelFamily = 'unet' | 'vit';

export interface ModelConfig {
  family: ModelFamily;
  head: HeadKind;
  /** Hilbert curve dimension D (channels of the hilbert head). Ignored by the direct head's graph. */
  dims: number;
  /** Hilbert curve order p and margin k: not part of the graph, kept so a checkpoint is self-describing. */
  order: number;
  margin: number;
  /** Largest disparity in input pixels; q = disparity / maxDisp. */
  maxDisp: number;
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

export function validateModelConfig(cfg: ModelConfig): void {
  if (cfg.family !== 'unet' && cfg.family !== 'vit') throw new ConfigError('family', cfg.family, "expected 'unet' or 'vit'");
  if (cfg.head !== 'direct' && cfg.head !== 'hilbert') throw new ConfigError('head', cfg.head, "expected 'direct' or 'hilbert'");
  if (!Number.isInteger(cfg.dims) || cfg.dims < 2 || cfg.dims > 8) throw new ConfigError('dims', cfg.dims, 'expected an integer in 2..8');
  if (!Number.isInteger(cfg.maxDisp) || cfg.maxDisp < 4) throw new ConfigError('maxDisp', cfg.maxDisp, 'expected an integer >= 4');
  const width = cfg.width ?? 1;
  if (!(width > 0 && width <= 4)) throw new ConfigError('width', width, 'expected a multiplier in (0, 4]');
  if (cfg.family === 'vit') {
    const heads = cfg.heads ?? 4;
    const tokens = widen(cfg.tokenChannels ?? 128, width);
    if (!Number.isInteger(heads) || heads < 1 || tokens % heads !== 0) {
      throw new ConfigError('heads', heads, `must divide the ${tokens} token channels`);
    }
    const blocks = cfg.blocks ?? 4;
    if (!Number.isInteger(blocks) || blocks < 1) throw new ConfigError('blocks', blocks, 'expected an integer >= 1');
  }
}

/** Builds the full graph: backbone of `cfg.family` + head of `cfg.head`. Deterministic in cfg. */
export function buildModelGraph(cfg: ModelConfig): ModelGraph {
  validateModelConfig(cfg);
  const b = new GraphBuilder();
  const left = b.input('left', 3);
  const right = b.input('right', 3);
  const width = cfg.width ?? 1;
  const features = cfg.family === 'unet'
    ? buildUnetBackbone(b, left, right, { width, maxDisp: cfg.maxDisp })
    : buildVitBackbone(b, left, right, {
      width, maxDisp: cfg.maxDisp, blocks: cfg.blocks ?? 4, heads: cfg.heads ?? 4, tokenChannels: cfg.tokenChannels ?? 128,
    });
  const output = addHead(b, features, cfg.head, cfg.dims);
  return b.build(output, features, { config: { ...cfg } }, `${cfg.family}-${cfg.head}${cfg.head === 'hilbert' ? cfg.dims : ''}`);
}
