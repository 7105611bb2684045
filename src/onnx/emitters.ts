import type { NodeOf, OpType } from '../models/ir.js';
import { inferValueInfo } from '../models/ir-check.js';
import { float, int, ints, str, type AttrValue } from './attributes.js';
import type { EmitContext } from './emit-context.js';

/**
 * One ONNX lowering per IR op, like tfjs-core's kernel registry (and TFJS_OPS beside the IR).
 * Maps are NCHW in ONNX, exactly as the IR describes them, so map axes are used as written;
 * tensors (tokens) are never relaid out. Every emitter writes its final value to
 * `ctx.outputOf(node)`.
 */
export type OnnxEmitter<K extends OpType> = (node: NodeOf<K>, ctx: EmitContext) => void;

/** Slice "to the end": ONNX clamps ends to the dimension, and INT64_MAX is the conventional marker. */
const TO_THE_END = 2n ** 63n - 1n;

export const ONNX_EMITTERS: { [K in OpType]: OnnxEmitter<K> } = {
  affine: (node, ctx) => {
    const { scale, bias } = node.attrs;
    let x = ctx.input(node.inputs[0]);
    if (scale === 1 && bias === 0) return ctx.alias(node, x);
    if (scale !== 1) x = ctx.emit('Mul', [x, ctx.floatScalar(scale)], bias === 0 ? ctx.outputOf(node) : ctx.temp(node, 'scaled'));
    if (bias !== 0) ctx.emit('Add', [x, ctx.floatScalar(bias)], ctx.outputOf(node));
  },
  conv2d: (node, ctx) => {
    const [x, weight, bias] = node.inputs;
    const { kernel, stride, pad, dilation } = node.attrs;
    ctx.emit('Conv', [ctx.input(x), ctx.convWeight(weight), ctx.input(bias)], ctx.outputOf(node), {
      kernel_shape: ints([kernel, kernel]),
      strides: ints([stride, stride]),
      pads: ints([pad, pad, pad, pad]),
      dilations: ints([dilation, dilation]),
      group: int(1),
    });
  },
  relu: unary('Relu'),
  // Clip(0, 6) directly after a Conv is what ORT fuses and the QDQ quantizer folds into the conv's range.
  relu6: (node, ctx) => {
    ctx.emit('Clip', [ctx.input(node.inputs[0]), ctx.floatScalar(0), ctx.floatScalar(6)], ctx.outputOf(node));
  },
  sigmoid: unary('Sigmoid'),
  add: binary('Add'),
  mul: binary('Mul'),
  concat: (node, ctx) => {
    ctx.emit('Concat', node.inputs.map((i) => ctx.input(i)), ctx.outputOf(node), { axis: int(node.attrs.axis) });
  },
  resize: (node, ctx) => {
    const { scale, mode } = node.attrs;
    // tfjs resizeBilinear / resizeNearestNeighbor with halfPixelCenters = true (tfjs-ops.ts):
    // source = (dst + 0.5) / scale - 0.5, clamped to the edge; nearest picks floor(source + 0.5),
    // i.e. ties round up. With integer scales no ties occur, but round_prefer_ceil is the same rule.
    const attrs: Record<string, AttrValue> = mode === 'bilinear'
      ? { mode: str('linear'), coordinate_transformation_mode: str('half_pixel') }
      : { mode: str('nearest'), coordinate_transformation_mode: str('half_pixel'), nearest_mode: str('round_prefer_ceil') };
    ctx.emit('Resize', [ctx.input(node.inputs[0]), '', ctx.floats([1, 1, scale, scale])], ctx.outputOf(node), attrs);
  },
  pad: (node, ctx) => {
    const { top, bottom, left, right } = node.attrs;
    // Default mode 'constant' with no constant_value input pads with zeros.
    ctx.emit('Pad', [ctx.input(node.inputs[0]), ctx.int64s([0, 0, top, left, 0, 0, bottom, right])], ctx.outputOf(node));
  },
  slice: (node, ctx) => {
    const { axis, start, end } = node.attrs;
    const inputs = [ctx.input(node.inputs[0]), ctx.int64s([start]), ctx.int64s([end ?? TO_THE_END]), ctx.int64s([axis])];
    ctx.emit('Slice', inputs, ctx.outputOf(node));
  },
  reduceMean: (node, ctx) => {
    const x = ctx.input(node.inputs[0]);
    const { axis } = node.attrs;
    // Opset 18 moved `axes` from an attribute to an input.
    if (ctx.opset >= 18) ctx.emit('ReduceMean', [x, ctx.int64s([axis])], ctx.outputOf(node), { keepdims: int(1) });
    else ctx.emit('ReduceMean', [x], ctx.outputOf(node), { axes: ints([axis]), keepdims: int(1) });
  },
  toTokens: (node, ctx) => {
    const flat = ctx.emit('Reshape', [ctx.input(node.inputs[0]), ctx.int64s([0, 0, -1])], ctx.temp(node, 'flat')); // [N, C, H*W]
    ctx.emit('Transpose', [flat], ctx.outputOf(node), { perm: ints([0, 2, 1]) }); // [N, H*W, C]
  },
  fromTokens: (node, ctx) => {
    const [tokens, ref] = node.inputs;
    const channelsFirst = ctx.emit('Transpose', [ctx.input(tokens)], ctx.temp(node, 'channels_first'), { perm: ints([0, 2, 1]) });
    // [0, 0, H, W]: Reshape copies N and C from [N, C, H*W]; H and W come from the reference map.
    const shape = ctx.once(`mapShape:${ref}`, () => {
      const refName = ctx.input(ref);
      const hw = ctx.emit('Shape', [refName], `${refName}/hw`, { start: int(2), end: int(4) });
      return ctx.emit('Concat', [ctx.int64s([0, 0]), hw], `${refName}/map_shape`, { axis: int(0) });
    });
    ctx.emit('Reshape', [channelsFirst, shape], ctx.outputOf(node));
  },
  matMul: binary('MatMul'),
  softmax: (node, ctx) => {
    ctx.emit('Softmax', [ctx.input(node.inputs[0])], ctx.outputOf(node), { axis: int(node.attrs.axis) });
  },
  layerNorm: (node, ctx) => {
    const [x, gamma, beta] = node.inputs.map((i) => ctx.input(i));
    ctx.emit('LayerNormalization', [x, gamma, beta], ctx.outputOf(node), { axis: int(-1), epsilon: float(node.attrs.epsilon) });
  },
  transpose: (node, ctx) => {
    ctx.emit('Transpose', [ctx.input(node.inputs[0])], ctx.outputOf(node), { perm: ints(node.attrs.perm) });
  },
  reshape: (node, ctx) => {
    ctx.emit('Reshape', [ctx.input(node.inputs[0]), ctx.int64s(node.attrs.shape)], ctx.outputOf(node));
  },
  /**
   * Float graphs run matchingCostBandMatMul (the w8a8 and w8a16 schemes, which keep it in float,
   * with the norms folded into its MatMul); fully integer graphs the grouped-conv form
   * (ExportOptions.matchingCost).
   */
  matchingCost: (node, ctx) => (ctx.matchingCost === 'grouped-conv' ? matchingCostGroupedConv(node, ctx) : matchingCostBandMatMul(node, ctx)),
};

function unary<K extends OpType>(opType: string): OnnxEmitter<K> {
  return (node, ctx) => {
    ctx.emit(opType, [ctx.input(node.inputs[0])], ctx.outputOf(node));
  };
}

function binary<K extends OpType>(opType: string): OnnxEmitter<K> {
  return (node, ctx) => {
    ctx.emit(opType, [ctx.input(node.inputs[0]), ctx.input(node.inputs[1])], ctx.outputOf(node));
  };
}


/**
 * The matching cost for fully integer graphs (w8a8-pt): the right map (negated for ssd: Add and
 * Mul have integer kernels, Sub has none) zero-padded on the left once, its maxShift + 1 shifted
 * views stacked on a depth axis ([N, C, D, H, W]), the left map broadcast against them, and one
 * 1x1x1 convolution over the C channels with weights 1/C (one output channel) for the mean. Every
 * op has an integer kernel, where a ReduceMean would need the whole volume dequantized (measured
 * on the precision unet at 128x256, ORT CPU EP, 1 thread: that DequantizeLinear and ReduceMean
 * took 14 of 42 profiled ms in w8a8). In 8 bits it is more precise than the band MatMul, whose
 * norms and products are quantized apart (q-err robust std 0.300 against 0.316 px, unet).
 */
function matchingCostGroupedConv(node: MatchingCostNode, ctx: EmitContext): void {
  const info = inferValueInfo(ctx.graph).get(node.inputs[0]);
  if (info?.kind !== 'map') throw new Error(`${node.name}: the matching cost's input is not a feature map`);
  const c = info.channels;
  const perChannel = shiftedProducts(node, ctx); // [N, C, D, H, W]
  // A 1x1x1 conv over C channels with weights 1/C: [N, 1, D, H, W], then drop the channel axis.
  const weight = ctx.floatTensor(`${node.name}.mean_weight`, [1, c, 1, 1, 1], new Array<number>(c).fill(1 / c));
  const mean = ctx.emit('Conv', [perChannel, weight], ctx.temp(node, 'mean'), { kernel_shape: ints([1, 1, 1]) });
  ctx.emit('Squeeze', [mean, ctx.int64s([1])], ctx.outputOf(node));
}

/**
 * The matching cost as one batched MatMul over blocks of B pixels of each row (bandBlockWidth),
 * with the band of displacements read off by a skew that needs no copy. Per block: the left
 * pixels padded by D + 1 zero rows (B + D + 1 rows) and the right window of the D columns before
 * the block and its own B (D + B columns). The product of left x with right x - d (window column
 * x + D - d) then sits at flat offset x (D + B + 1) + D - d of the block's matrix: viewed as rows
 * of D + B + 1 it is row x, column D - d, so the band is columns 0 .. D of the first B rows, in
 * descending d; one reversal of the cropped band puts d in order. The width is padded to a
 * multiple of B and the result cropped back. ssd expands to |l|^2 + |r|^2 - 2 l.r: the norms
 * added as maps, or (band-matmul-folded) as two more channels of the MatMul's operands.
 * Algebraically equal to the per-displacement SSD (in float the expansion cancels where features
 * are large against their differences: parity with tfjs is 1e-7 at trained feature sizes), and
 * the fastest form measured (precision unet, 128x256, ORT CPU EP, 1 thread, AMD EPYC with VNNI;
 * whole rows as blocks, see bandBlockWidth): fp32 13.2 -> 9.1 ms against stacking shifted views
 * for a ReduceMean, and w8a8 9.2 (grouped conv) -> 6.5 ms when its nodes stay in float (7.3 ms in
 * 8 bits). The reversal of the band instead of the right window took the shipped unet-direct's
 * fp32 graph from 8.27-8.37 to 8.05-8.16 ms, and with the norms folded into w8a8's float cost
 * its w8a8 graph from 5.70 to 5.43 ms, with the same q-err (docs/precision-regime.md,
 * session 36).
 */
function matchingCostBandMatMul(node: MatchingCostNode, ctx: EmitContext): void {
  const { maxShift, metric } = node.attrs;
  const info = inferValueInfo(ctx.graph).get(node.inputs[0]);
  if (info?.kind !== 'map') throw new Error(`${node.name}: the matching cost's input is not a feature map`);
  const c = info.channels;
  const t = (suffix: string): string => ctx.temp(node, suffix);
  const d = maxShift;
  const block = bandBlockWidth(d);
  const channelsAfter = (x: string, value: number, suffix: string): string =>
    ctx.emit('Pad', [x, ctx.int64s([0, 0, 0, 0, 0, 1, 0, 0]), ctx.floatScalar(value)], t(suffix));
  const norm = (x: string, suffix: string): string =>
    ctx.opset >= 18
      ? ctx.emit('ReduceSumSquare', [x, ctx.int64s([1])], t(suffix), { keepdims: int(1) })
      : ctx.emit('ReduceSumSquare', [x], t(suffix), { axes: ints([1]), keepdims: int(1) });
  // Folded, ssd's |l|^2 + |r|^2 - 2 l.r is all inside the MatMul: the left pixels as [l, 1, |l|^2]
  // and the right as [-2 r / C, |r|^2 / C, 1 / C] (K = C + 2), which saves maxShift + 1 shifted
  // Slices of |r|^2, their Concat and three passes over the volume. Quantized as it is, though,
  // each operand would put features and squared norms under one scale (about 9x coarser
  // features, 4x the output error), so only graphs that keep the cost in float fold.
  const folded = metric === 'ssd' && ctx.matchingCost === 'band-matmul-folded';
  const inputLeft = ctx.input(node.inputs[0]);
  const inputRight = ctx.input(node.inputs[1]);
  let left = inputLeft;
  let right = inputRight;
  if (folded) {
    left = ctx.emit('Concat', [channelsAfter(left, 1, 'l_one'), norm(left, 'l_norm')], t('l_aug'), { axis: int(1) });
    const scales = ctx.floatTensor(`${node.name}.r_scales`, [1, c + 1, 1, 1], [...new Array<number>(c).fill(-2 / c), 1 / c]);
    right = ctx.emit('Mul', [ctx.emit('Concat', [right, norm(right, 'r_norm')], t('r_cat'), { axis: int(1) }), scales], t('r_scaled'));
  }
  // Pad x to a multiple of the block width: r = (B - W mod B) mod B columns on the right.
  const width = ctx.emit('Shape', [left], t('width'), { start: int(3), end: int(4) });
  const blockSize = ctx.int64s([block]);
  const rest = ctx.emit('Mod', [ctx.emit('Sub', [blockSize, ctx.emit('Mod', [width, blockSize], t('width_mod'))], t('width_short')), blockSize], t('width_pad'));
  const padsX = (before: number, suffix: string): string => ctx.emit('Concat', [ctx.int64s([0, 0, 0, before, 0, 0, 0]), rest], t(suffix), { axis: int(0) });
  const leftPadded = ctx.emit('Pad', [left, padsX(0, 'l_pads')], t('l_pad'));
  let rightPadded = ctx.emit('Pad', [right, padsX(d, 'r_pads')], t('r_pad'));
  // The constant channel after the zero padding: a right pixel beyond the image still adds |l|^2 / C.
  if (folded) rightPadded = channelsAfter(rightPadded, 1 / c, 'r_one');
  const blocks = (x: string, suffix: string): string => ctx.emit('Reshape', [x, ctx.int64s([0, 0, 0, -1, block])], t(suffix));
  // Left: each block's B pixels plus D + 1 zero rows, as [N, H, nb, B + D + 1, K].
  const leftRows = ctx.emit('Pad', [blocks(leftPadded, 'l_blocks'), ctx.int64s([0, 0, 0, 0, 0, 0, 0, 0, 0, d + 1])], t('l_rows_pad'));
  const rows = ctx.emit('Transpose', [leftRows], t('l_rows'), { perm: ints([0, 2, 3, 4, 1]) });
  // Right: each block's window of D + B columns (the D before it, then its own B), as [N, H, nb, K, D + B].
  const own = blocks(ctx.emit('Slice', [rightPadded, ctx.int64s([d]), ctx.int64s([TO_THE_END]), ctx.int64s([3])], t('r_own_cols')), 'r_own');
  let window = own;
  if (d > 0) {
    const shifted = blocks(ctx.emit('Slice', [rightPadded, ctx.int64s([0]), ctx.int64s([-d]), ctx.int64s([3])], t('r_prev_cols')), 'r_prev_blocks');
    const before = ctx.emit('Slice', [shifted, ctx.int64s([0]), ctx.int64s([d]), ctx.int64s([4])], t('r_prev'));
    window = ctx.emit('Concat', [before, own], t('r_window'), { axis: int(4) });
  }
  const cols = ctx.emit('Transpose', [window], t('r_cols'), { perm: ints([0, 2, 3, 1, 4]) });
  const products = ctx.emit('MatMul', [rows, cols], t('products')); // [N, H, nb, B + D + 1, D + B]
  const skewed = ctx.emit('Reshape', [products, ctx.int64s([0, 0, 0, block + d, block + d + 1])], t('skewed'));
  const band = ctx.emit('Slice', [skewed, ctx.int64s([0, 0]), ctx.int64s([block, d + 1]), ctx.int64s([3, 4])], t('band'));
  const flat = ctx.emit('Reshape', [band, ctx.int64s([0, 0, -1, d + 1])], t('band_rows'));
  const croppedDescending = ctx.emit('Slice', [flat, ctx.int64s([0]), width, ctx.int64s([2])], t('band_crop'));
  const cropped = ctx.emit('Slice', [croppedDescending, ctx.int64s([-1]), ctx.int64s([-(2n ** 63n)]), ctx.int64s([3]), ctx.int64s([-1])], t('band_rev'));
  if (folded) {
    ctx.emit('Transpose', [cropped], ctx.outputOf(node), { perm: ints([0, 3, 1, 2]) });
    return;
  }
  const dots = ctx.emit('Transpose', [cropped], t('dots'), { perm: ints([0, 3, 1, 2]) });
  if (metric !== 'ssd') {
    ctx.emit('Mul', [dots, ctx.floatScalar(1 / c)], ctx.outputOf(node));
    return;
  }
  const leftNorm = norm(inputLeft, 'l_norm');
  const rightNorm = norm(inputRight, 'r_norm');
  const rightNormPadded = d > 0 ? ctx.emit('Pad', [rightNorm, ctx.int64s([0, 0, 0, d, 0, 0, 0, 0])], t('r_norm_pad')) : rightNorm;
  const rightNorms = stackShifted(node, ctx, rightNormPadded, { xAxis: 3, stackAxis: 1, view: 'r_norm', stack: 'r_norms' });
  const norms = ctx.emit('Add', [leftNorm, rightNorms], t('norms'));
  const cross = ctx.emit('Mul', [dots, ctx.floatScalar(-2)], t('cross'));
  const sum = ctx.emit('Add', [norms, cross], t('sum'));
  ctx.emit('Mul', [sum, ctx.floatScalar(1 / c)], ctx.outputOf(node));
}

/**
 * Block width of the band form. A block of B pixels costs (B + D)(B + D + 1) C products, least
 * per pixel near B = D, but many small blocks cost more in ORT than their saved products: on the
 * precision unet at 128x256 (ORT CPU EP, 1 thread, interleaved) fp32 took 8.84 ms with whole rows
 * as one block, 9.09 ms with B = 2D, 9.60 ms with B = D (w8a8 6.10, 6.53, 6.91 ms). Whole rows
 * cost (W + D)^2 C per row, quadratic in the width: at 1024x2048, 13.9 s and 3.0 GB against
 * 2.8 s and 0.9 GB with B = 2D, which is what is used.
 */
function bandBlockWidth(maxShift: number): number {
  return Math.max(8, 2 * maxShift);
}

type MatchingCostNode = Parameters<OnnxEmitter<'matchingCost'>>[0];

/**
 * The maxShift + 1 views of a map zero-padded by maxShift on the left of its x axis in which
 * column x is column x - d of the unpadded map (d = 0..maxShift), stacked along `stackAxis`; the
 * padded map itself when maxShift is 0. Intermediates are named `view${d}` and `stack`.
 */
function stackShifted(node: MatchingCostNode, ctx: EmitContext, padded: string, o: { xAxis: number; stackAxis: number; view: string; stack: string }): string {
  const { maxShift } = node.attrs;
  if (maxShift === 0) return padded;
  const views: string[] = [];
  for (let d = 0; d <= maxShift; d++) {
    // Start skips maxShift - d pad columns, end drops the d rightmost real columns.
    const end = ctx.int64s([d === 0 ? TO_THE_END : -d]);
    views.push(ctx.emit('Slice', [padded, ctx.int64s([maxShift - d]), end, ctx.int64s([o.xAxis])], ctx.temp(node, `${o.view}${d}`)));
  }
  return ctx.emit('Concat', views, ctx.temp(node, o.stack), { axis: int(o.stackAxis) });
}

/** The grouped-conv form up to the channel mean: [N, C, D, H, W] squared differences or products. */
function shiftedProducts(node: MatchingCostNode, ctx: EmitContext): string {
  const { maxShift, metric } = node.attrs;
  const left = ctx.input(node.inputs[0]);
  let source = ctx.input(node.inputs[1]);
  if (metric === 'ssd') source = ctx.emit('Mul', [source, ctx.floatScalar(-1)], ctx.temp(node, 'neg'));
  const padded = maxShift > 0 ? ctx.emit('Pad', [source, ctx.int64s([0, 0, 0, maxShift, 0, 0, 0, 0])], ctx.temp(node, 'pad')) : source;
  const depthAxis = ctx.int64s([2]);
  const padded5 = ctx.emit('Unsqueeze', [padded, depthAxis], ctx.temp(node, 'pad5'));
  const stack = stackShifted(node, ctx, padded5, { xAxis: 4, stackAxis: 2, view: 'shift', stack: 'stack' });
  const left5 = ctx.emit('Unsqueeze', [left, depthAxis], ctx.temp(node, 'left5'));
  if (metric !== 'ssd') return ctx.emit('Mul', [left5, stack], ctx.temp(node, 'prod'));
  const diff = ctx.emit('Add', [left5, stack], ctx.temp(node, 'diff'));
  return ctx.emit('Mul', [diff, diff], ctx.temp(node, 'sq'));
}
