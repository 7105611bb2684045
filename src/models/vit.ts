import { widen, type GraphBuilder } from './graph-builder.js';
import { stereoStem } from './stereo-stem.js';

export interface VitOptions {
  width: number;
  maxDisp: number;
  blocks: number;
  heads: number;
  /** Token channels before the width multiplier. */
  tokenChannels: number;
}

/** Tokens live at 1/16; inputs must be multiples of this. */
export const VIT_STRIDE = 16;

/**
 * DPT-like hybrid backbone (MobileViT-style conv stem + plain transformer + DPT decoder).
 *
 * - Stem: the shared stereo stem (correlation at 1/4), then stride-2 convs to 1/8 and 1/16.
 * - Position: a 3x3 conv residual on the 1/16 map (conditional position encoding), so any
 *   input size works without interpolating a learned table.
 * - Tokens: the 1/16 map flattened; pre-norm blocks with multi-head attention (MatMul + Softmax)
 *   and a ReLU MLP (no GELU/Erf, which has no INT8 kernel).
 * - Reassemble: taps from three blocks become maps again and are resampled to 1/16, 1/8, 1/4;
 *   the 1/8 and 1/4 conv features are added there (DPT-hybrid keeps its CNN stages too).
 * - Fusion: residual conv units + bilinear x2, up to 1/2, then one conv (the DPT head's first).
 *
 * Returns the head input: a map at 1/2 resolution, like the U-Net's.
 */
export function buildVitBackbone(b: GraphBuilder, left: string, right: string, o: VitOptions): string {
  const c = (n: number): number => widen(n, o.width);
  const C = widen(o.tokenChannels, o.width);
  if (C % o.heads !== 0) throw new Error(`${o.heads} heads do not divide ${C} token channels`);
  const stem = stereoStem(b, left, right, { c2: c(16), c4: c(32), redir: c(16), fused: c(48), maxDisp: o.maxDisp });

  const f8 = b.conv('vit.down8', stem.fused4, c(64), { stride: 2 });
  const f16 = b.conv('vit.down16', f8, C, { stride: 2 });
  const pos = b.conv('vit.pos', f16, C, { act: 'none', initGain: 0.5 });
  const grid = b.node('add', 'vit.pos.add', [f16, pos], {});

  let tokens = b.node('toTokens', 'vit.tokens', [grid], {});
  const outputs: string[] = [];
  for (let i = 0; i < o.blocks; i++) {
    tokens = transformerBlock(b, `vit.block${i}`, tokens, o.heads);
    outputs.push(tokens);
  }
  const tap = (fraction: number): string => outputs[Math.max(1, Math.round(o.blocks * fraction)) - 1];
  const toMap = (name: string, t: string): string => b.node('fromTokens', name, [t, grid], {});

  const F16 = c(64);
  const F8 = c(48);
  const F4 = c(32);
  const r16 = b.conv('vit.reasm16', toMap('vit.map16', tap(1)), F16, { kernel: 1, act: 'none' });
  const r8 = b.node('add', 'vit.reasm8', [
    b.upsample('vit.reasm8.up', b.conv('vit.reasm8.proj', toMap('vit.map8', tap(0.5)), F8, { kernel: 1, act: 'none' })),
    b.conv('vit.reasm8.skip', f8, F8, { kernel: 1, act: 'none' }),
  ], {});
  const r4 = b.node('add', 'vit.reasm4', [
    b.upsample('vit.reasm4.up', b.conv('vit.reasm4.proj', toMap('vit.map4', tap(0.25)), F4, { kernel: 1, act: 'none' }), 4),
    b.conv('vit.reasm4.skip', stem.fused4, F4, { kernel: 1, act: 'none' }),
  ], {});

  // DPT fusion: out = RCU(prev + RCU(skip)), then a 1x1 projection to the next width and x2.
  // At 1/4 the skip's own RCU is dropped: it would cost as much as the whole transformer.
  const fuse = (name: string, skip: string, prev: string | null, next: number, skipRcu = true): string => {
    let x = skipRcu ? residualConvUnit(b, `${name}.rcu1`, skip) : skip;
    if (prev) x = b.node('add', `${name}.sum`, [x, prev], {});
    x = residualConvUnit(b, `${name}.rcu2`, x);
    // DPT upsamples, then projects; a 1x1 conv commutes with bilinear resizing, so project first.
    return b.upsample(`${name}.up`, b.conv(`${name}.proj`, x, next, { kernel: 1, act: 'none' }));
  };
  const p8 = fuse('vit.fuse16', r16, null, F8);
  const p4 = fuse('vit.fuse8', r8, p8, F4);
  const p2 = fuse('vit.fuse4', r4, p4, F4, false);
  return b.conv('vit.out2', p2, c(16));
}

/** x + conv(relu(conv(relu(x)))), the DPT residual conv unit. */
function residualConvUnit(b: GraphBuilder, name: string, x: string): string {
  const ch = b.channels(x);
  const a = b.conv(`${name}.conv1`, b.node('relu', `${name}.relu`, [x], {}), ch);
  const r = b.conv(`${name}.conv2`, a, ch, { act: 'none', initGain: 0.5 });
  return b.node('add', name, [x, r], {});
}

/** Pre-norm block: x + MHSA(LN(x)), then x + MLP(LN(x)) with a ReLU MLP of ratio 2. */
function transformerBlock(b: GraphBuilder, name: string, x: string, heads: number): string {
  const C = b.channels(x);
  const dh = C / heads;
  const h = b.layerNorm(`${name}.ln1`, x);
  const split = (t: string, perm: number[]): string =>
    b.node('transpose', `${t}.heads`, [b.node('reshape', `${t}.split`, [t], { shape: [0, 0, heads, dh] })], { perm });
  // 1/sqrt(dh) is applied to q (T x C values) rather than to the T x T scores.
  const q = b.node('affine', `${name}.q.scaled`, [b.linear(`${name}.q`, h, C)], { scale: 1 / Math.sqrt(dh), bias: 0 });
  const qh = split(q, [0, 2, 1, 3]); // [N, heads, T, dh]
  const kh = split(b.linear(`${name}.k`, h, C), [0, 2, 3, 1]); // [N, heads, dh, T]
  const vh = split(b.linear(`${name}.v`, h, C), [0, 2, 1, 3]); // [N, heads, T, dh]
  const attn = b.node('softmax', `${name}.attn`, [b.node('matMul', `${name}.scores`, [qh, kh], {})], { axis: -1 });
  const ctx = b.node('matMul', `${name}.ctx`, [attn, vh], {});
  const merged = b.node('reshape', `${name}.merge`, [b.node('transpose', `${name}.ctx.t`, [ctx], { perm: [0, 2, 1, 3] })], {
    shape: [0, 0, C],
  });
  const x1 = b.node('add', `${name}.res1`, [x, b.linear(`${name}.proj`, merged, C, { initGain: 0.5 })], {});
  const m = b.linear(`${name}.mlp2`, b.linear(`${name}.mlp1`, b.layerNorm(`${name}.ln2`, x1), 2 * C, { act: 'relu' }), C, {
    initGain: 0.5,
  });
  return b.node('add', `${name}.res2`, [x1, m], {});
}
