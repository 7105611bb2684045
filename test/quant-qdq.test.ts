import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../src/models/graph-builder.js';
import { initialParamValues } from '../src/models/init.js';
import { exportOnnx } from '../src/onnx/export.js';
import { HEAD_TAIL_KEY, METADATA_KEYS } from '../src/onnx/metadata.js';
import { DataType, type NodeProto } from '../src/onnx/onnx-proto.js';
import { saveOptimizedModel } from '../src/onnx/ort.js';
import { QUANT_METADATA_KEYS } from '../src/quant/metadata.js';
import { quantizeModel, type QuantizeResult } from '../src/quant/quantize.js';
import { QUANT_RULES } from '../src/quant/rules/registry.js';
import type { QuantScheme } from '../src/quant/schemes.js';
import { calibrationPairs, ModelView, tinyModel } from './quant-support.js';

let dir: string;
const results = new Map<string, QuantizeResult>();

async function quantized(family: 'unet' | 'vit', scheme: QuantScheme): Promise<QuantizeResult> {
  const key = `${family}-${scheme}`;
  let hit = results.get(key);
  if (!hit) {
    hit = await quantizeModel(tinyModel(family), { scheme, calibration: calibrationPairs(3), headTail: 'graph' });
    results.set(key, hit);
  }
  return hit;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hilbertq-quant-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The DequantizeLinear feeding input `index` of every node of `opType`, and its quantized initializer (if any). */
function dequantizedInputs(view: ModelView, opType: string, index: number, keep: (node: NodeProto) => boolean = () => true) {
  // The matching cost's mean is a Conv without bias (fixed 1/C weights): it has no input 2.
  return view.ops(opType).filter((node) => node.input.length > index && keep(node)).map((node) => {
    const dq = view.producer(node.input[index]);
    assert.equal(dq?.op_type, 'DequantizeLinear', `${node.name} input ${index} comes from a DequantizeLinear`);
    const data = view.model.graph.initializer.find((t) => t.name === dq!.input[0]);
    return { node, dq: dq!, data: data!, scale: view.init(dq!.input[1]), zeroPoint: view.init(dq!.input[2]) };
  });
}

for (const family of ['unet', 'vit'] as const) {
  test(`${family} w8a8: int8 Conv weights per output channel, int32 biases with scale = input scale x weight scale`, async () => {
    const view = new ModelView((await quantized(family, 'w8a8')).model);
    // The image convs (3 input channels) stay float by the w8a8 rule (floatConvMaxInputChannels).
    const imageConv = (node: NodeProto): boolean => /^(left|right)\.enc1\.conv$/.test(node.name);
    for (const node of view.ops('Conv').filter(imageConv)) assert.notEqual(view.producer(node.input[1])?.op_type, 'DequantizeLinear', `${node.name} stays float`);
    const weights = dequantizedInputs(view, 'Conv', 1, (node) => !imageConv(node));
    assert.ok(weights.length > 10);
    for (const { node, dq, data, scale, zeroPoint } of weights) {
      assert.equal(data.data_type, DataType.INT8, node.name);
      assert.equal(view.attr(dq, 'axis'), 0);
      assert.deepEqual(scale.dims, [data.dims[0]], `${node.name}: one scale per output channel`);
      assert.equal(zeroPoint.data_type, DataType.INT8);
      assert.ok(view.values(zeroPoint.name).every((z) => z === 0), 'symmetric weights');
      assert.ok(view.values(data.name).every((v) => v >= -127 && v <= 127));
    }
    for (const { node, data, scale } of dequantizedInputs(view, 'Conv', 2, (node) => !imageConv(node))) {
      assert.equal(data.data_type, DataType.INT32, `${node.name} bias`);
      const xScale = view.values(view.producer(node.input[0])!.input[1])[0];
      const wScales = view.values(view.producer(node.input[1])!.input[1]);
      assert.deepEqual(view.values(scale.name), wScales.map((w) => Math.fround(xScale * w)), `${node.name} bias scale`);
    }
    // (A matrix: two or more axes longer than 1; the matching cost's per-channel scales are not.)
    const floatWeights = view.model.graph.initializer.filter((t) => t.data_type === DataType.FLOAT && t.dims.filter((d) => Number(d) > 1).length >= 2 && t.name !== 'stem.enc1.weight');
    // w8a8 leaves Softmax in float (SCHEMES.w8a8.floatOpTypes), and with it the chain that only
    // feeds it: the attention's query and key projections and their scores.
    for (const t of floatWeights) assert.match(t.name, /^vit\.block\d\.[qk]\.weight$/, 'the only float weight matrices are the softmax chain\'s');
    if (family === 'unet') assert.deepEqual(floatWeights.map((t) => t.name), []);
    if (family === 'vit') {
      // The softmax chain's float MatMuls read float weights directly: only the others are checked.
      const quantizedWeight = (node: NodeProto): boolean => view.producer(node.input[1])?.op_type === 'DequantizeLinear';
      const matMulWeights = dequantizedInputs(view, 'MatMul', 1, quantizedWeight).filter((w) => w.data?.data_type === DataType.INT8);
      assert.ok(matMulWeights.length > 0);
      for (const { dq, data, scale } of matMulWeights) {
        assert.equal(view.attr(dq, 'axis'), 1, 'MatMul [in, out] weight: one scale per output column');
        assert.deepEqual(scale.dims, [data.dims[1]]);
      }
    }
  });
}

test('w8a8-pt: every weight and activation has a single scale', async () => {
  const view = new ModelView((await quantized('unet', 'w8a8-pt')).model);
  for (const dq of view.ops('DequantizeLinear')) {
    assert.equal(view.attr(dq, 'axis'), undefined, dq.name);
    assert.deepEqual(view.init(dq.input[1]).dims, [], `${dq.name}: scalar scale`);
  }
  for (const { data } of dequantizedInputs(view, 'Conv', 1)) assert.equal(data.data_type, DataType.INT8);
});

for (const [scheme, dtype, name] of [['w8a8', DataType.UINT8, 'uint8'], ['w8a16', DataType.UINT16, 'uint16']] as const) {
  test(`${scheme}: the graph output is the ${name} output of a QuantizeLinear, its scale and zero point recorded in metadata`, async () => {
    const { model, summary } = await quantized('unet', scheme);
    const view = new ModelView(model);
    const output = view.model.graph.output.find((o) => o.name === 'output');
    assert.equal(output?.type.tensor_type.elem_type, dtype);
    const q = view.producer('output');
    assert.equal(q?.op_type, 'QuantizeLinear');
    assert.equal(view.init(q!.input[2]).data_type, dtype);
    const meta = view.metadata();
    assert.equal(meta[QUANT_METADATA_KEYS.outputDtype], name);
    assert.equal(Number(meta[QUANT_METADATA_KEYS.outputScale]), view.values(q!.input[1])[0]);
    assert.equal(Number(meta[QUANT_METADATA_KEYS.outputZeroPoint]), view.values(q!.input[2])[0]);
    assert.equal(summary.output.scale, view.values(q!.input[1])[0]);
    assert.equal(meta[QUANT_METADATA_KEYS.scheme], scheme);
    assert.equal(meta[QUANT_METADATA_KEYS.method], 'minmax');
    const float = new ModelView(tinyModel('unet')).metadata();
    for (const key of [METADATA_KEYS.config, METADATA_KEYS.stride, METADATA_KEYS.graph]) assert.equal(meta[key], float[key], key);
    if (scheme === 'w8a16') {
      assert.equal(view.model.opset_import.find((o) => !o.domain)?.version, 21, 'uint16 Q/DQ need opset 21');
      const norms = view.ops('ReduceSumSquare');
      assert.equal(norms.length, 4, 'the band form of both matching costs');
      for (const r of norms) assert.equal(r.input.length, 2, 'opset 18+ ReduceSumSquare takes axes as an input');
      assert.equal(view.nodes.find((n) => n.name === 'stem.corr')?.op_type, 'Transpose', 'the float cost in the folded form');
    }
  });
}

test('graph inputs get a QuantizeLinear with scale 1/255 (exact for 8-bit images); Relu after Conv is folded', async () => {
  // w8a8-pt: fully integer. (w8a8 leaves the image convs, and so the images, in float.)
  const { model, summary } = await quantized('unet', 'w8a8-pt');
  const view = new ModelView(model);
  for (const input of ['left', 'right']) {
    const q = view.nodes.find((n) => n.op_type === 'QuantizeLinear' && n.input[0] === input);
    assert.ok(q, `${input} is quantized`);
    assert.equal(view.values(q!.input[1])[0], Math.fround(1 / 255));
    assert.equal(view.values(q!.input[2])[0], 0);
  }
  const floatRelus = new ModelView(tinyModel('unet')).ops('Relu').length;
  assert.equal(view.ops('Relu').length, 0);
  assert.equal(summary.foldedActivations.Relu, floatRelus);
  const cpu = new ModelView((await quantized('unet', 'w8a8')).model);
  for (const input of ['left', 'right']) assert.ok(!cpu.nodes.some((n) => n.op_type === 'QuantizeLinear' && n.input[0] === input), `w8a8: ${input} stays float`);
});

test('nodesToExclude leaves the named nodes float (ORT nodes_to_exclude), and what only feeds them; an unknown name is a ConfigError', async () => {
  // The image convs, under w8a8-pt (w8a8 leaves them float by its own rule).
  const imageConvs = ['left.enc1.conv', 'right.enc1.conv'];
  const { model, summary } = await quantizeModel(tinyModel('unet'), { scheme: 'w8a8-pt', calibration: calibrationPairs(1), nodesToExclude: imageConvs });
  assert.deepEqual(summary.floatOps.Conv, imageConvs);
  const notCost = (names: string[] | undefined): string[] => (names ?? []).filter((n) => !n.startsWith('stem.corr'));
  assert.deepEqual(notCost(summary.floatOps.Mul), ['left.norm/scaled', 'right.norm/scaled'], 'the input normalisation feeding them too');
  const view = new ModelView(model);
  for (const input of ['left', 'right']) {
    assert.ok(!view.nodes.some((n) => n.op_type === 'QuantizeLinear' && n.input[0] === input), `${input} stays float`);
  }
  for (const conv of view.ops('Conv')) {
    assert.equal(view.producer(conv.input[1])?.op_type === 'DequantizeLinear', !imageConvs.includes(conv.name), conv.name);
  }
  assert.deepEqual(summary.floatOps.Relu, ['left.enc1', 'right.enc1'], 'the float convs keep their Relu');
  await assert.rejects(
    quantizeModel(tinyModel('unet'), { scheme: 'w8a8', calibration: calibrationPairs(1), nodesToExclude: ['no.such.node'] }),
    /nodesToExclude = no\.such\.node/,
  );
  // A node of the given file that the integer lowering would move onto another op (the band
  // form's last Mul becomes the grouped conv's Squeeze): the graph stays as given and the node
  // runs in float, rather than "no node has this name".
  const kept = await quantizeModel(tinyModel('unet'), { scheme: 'w8a8-pt', calibration: calibrationPairs(1), nodesToExclude: ['stem.corr'] });
  assert.ok(kept.summary.floatOps.Mul?.includes('stem.corr'), JSON.stringify(kept.summary.floatOps));
  assert.deepEqual(kept.summary.floatOps.MatMul, ['stem.corr/products'], 'the band form as given; what only feeds the excluded node is float too');
  assert.equal(kept.summary.quantizedOps.MatMul, 1, 'the other matching cost in integer');
  // A name of the lowered graph too (its integer mean): both graphs cannot be kept, so it is an error, not a silent drop.
  await assert.rejects(
    quantizeModel(tinyModel('unet'), { scheme: 'w8a8-pt', calibration: calibrationPairs(1), nodesToExclude: ['stem.corr', 'stem.corr/mean'] }),
    /nodesToExclude = stem\.corr\/mean.*name nodes of one graph/,
  );
});

test('w8a8 runs the matching cost in float as the band form, alone: the encoders feeding it stay integer', async () => {
  const { model, summary } = await quantized('unet', 'w8a8');
  assert.deepEqual(summary.floatOps.MatMul, ['stem.corr/products', 'stem.corr2/products']);
  assert.deepEqual(summary.floatOps.ReduceSumSquare?.length, 4);
  for (const [op, names] of Object.entries(summary.floatOps)) {
    // (stem.match is the softmax over the cost, float by the w8a8 rule; the image convs and the
    // normalisation feeding them are float by the rule on convs of 3 input channels.)
    for (const name of names) {
      assert.ok(/^(stem\.(corr|match)|(left|right)\.(norm|enc1))/.test(name), `${op} ${name} is float but neither a matching cost, its softmax nor the image path`);
    }
  }
  const view = new ModelView(model);
  // The folded band form (norms inside the MatMul), as only a float cost may take it: the band's
  // Transpose writes each cost, and no shifted slice of |r|^2 is left.
  for (const cost of ['stem.corr', 'stem.corr2']) assert.equal(view.nodes.find((n) => n.name === cost)?.op_type, 'Transpose', `${cost} folded`);
  assert.deepEqual(view.nodes.filter((n) => /\/r_norm\d/.test(n.name)).map((n) => n.name), []);
  // Naming the cost in nodesToExclude keeps that re-lowering (it runs in float either way): the
  // given export's cost ends in a Mul, the folded one in a Transpose.
  const named = new ModelView((await quantizeModel(tinyModel('unet'), { scheme: 'w8a8', calibration: calibrationPairs(1), nodesToExclude: ['stem.corr'] })).model);
  assert.equal(named.nodes.find((n) => n.name === 'stem.corr')?.op_type, 'Transpose', 'still the folded form');
  assert.ok(named.metadata()[HEAD_TAIL_KEY], 'the head tail still moves to the decoder');
  for (const conv of view.ops('Conv').filter((c) => !c.name.endsWith('.enc1.conv'))) assert.equal(view.producer(conv.input[1])?.op_type, 'DequantizeLinear', `${conv.name} has int8 weights`);
  for (const cost of ['stem.corr', 'stem.corr2']) {
    assert.ok(view.nodes.some((n) => n.op_type === 'QuantizeLinear' && n.input[0] === cost), `${cost} is quantized for its integer consumers`);
  }
});

test('w8a8-pt quantizes the matching cost as one integer stack: shifted views share the right map\'s scale, the mean is an int8 grouped conv', async () => {
  const { model, summary } = await quantized('unet', 'w8a8-pt');
  const shared = new Map(summary.activations.map((a) => [a.tensor, a.sharedWith]));
  for (const cost of ['stem.corr', 'stem.corr2']) {
    for (const view of [`${cost}/pad`, `${cost}/shift0`, `${cost}/stack`]) assert.equal(shared.get(view), `${cost}/neg`, view);
  }
  assert.equal(summary.floatOps.ReduceMean, undefined, 'no float ReduceMean: the whole volume stays 8-bit');
  const file = join(dir, 'unet.cost.opt.onnx');
  await saveOptimizedModel(model, file);
  const optimized = new ModelView(readFileSync(file));
  assert.equal(optimized.ops('ReduceMean').length, 0);
  const means = optimized.ops('QLinearConv').filter((n) => n.output[0].startsWith('stem.corr'));
  assert.equal(means.length, 2, 'one integer mean per matching cost');
  // The float model has the band form, the faster one in float; the integer graph is lowered again.
  assert.equal(new ModelView(tinyModel('unet')).ops('MatMul').length, 2);
  const asGiven = await quantizeModel(tinyModel('unet'), { scheme: 'w8a8-pt', calibration: calibrationPairs(2), schemeMatchingCost: false });
  assert.equal(asGiven.summary.quantizedOps.MatMul, 2, 'as given: the band form in integer');
  assert.deepEqual(asGiven.summary.floatOps.ReduceSumSquare?.length, 4, 'its norms have no integer kernel');
  const stacks = optimized.nodes.filter((n) => n.output[0].startsWith('stem.corr') && n.output[0].includes('/stack'));
  assert.equal(stacks.length, 2, 'one stack per matching cost');
  for (const stack of stacks) {
    assert.equal(stack.op_type, 'QLinearConcat');
    // QLinearConcat inputs: y_scale, y_zero_point, then (x, x_scale, x_zero_point) per input: all one scale, a plain copy.
    for (let i = 2; i < stack.input.length; i += 3) assert.equal(stack.input[i + 1], stack.input[0], `${stack.name} input ${i}`);
  }
  const slices = optimized.ops('Slice').filter((n) => n.output[0].startsWith('stem.corr'));
  assert.ok(slices.length >= 2, `${slices.length} shifted views`);
  for (const slice of slices) {
    assert.notEqual(optimized.producer(slice.input[0])?.op_type, 'DequantizeLinear', `${slice.name} runs on uint8`);
  }
});

test('Clip(0, 6) after a Conv is folded: the Conv output takes the Clip range; nearest Resize runs on uint8', async () => {
  const b = new GraphBuilder();
  const sum = b.node('add', 'sum', [b.input('left', 3), b.input('right', 3)], {});
  const c1 = b.conv('c1', sum, 4, { act: 'relu6' });
  const up = b.upsample('up', b.conv('c2', c1, 2, { stride: 2, act: 'none' }), 2, 'nearest');
  const graph = b.build(b.node('sigmoid', 'out', [up], {}), c1, {}, 'relu6');
  // w8a8-pt: w8a8 would leave c1, a conv of 3 input channels, in float.
  const { model, summary } = await quantizeModel(exportOnnx(graph, initialParamValues(graph, 1)), { scheme: 'w8a8-pt', calibration: calibrationPairs(2) });
  assert.equal(summary.foldedActivations.Clip, 1);
  const c1Range = summary.activations.find((a) => a.tensor === 'c1')!;
  assert.ok(c1Range.range.min === 0 && c1Range.range.max <= 6 && c1Range.zeroPoint === 0, JSON.stringify(c1Range));
  assert.equal(summary.activations.find((a) => a.tensor === 'up')?.sharedWith, 'c2');
  const view = new ModelView(model);
  assert.equal(view.ops('Clip').length, 0);
  const file = join(dir, 'relu6.opt.onnx');
  await saveOptimizedModel(model, file);
  const optimized = new ModelView(readFileSync(file));
  const resize = optimized.ops('Resize')[0];
  assert.notEqual(optimized.producer(resize.input[0])?.op_type, 'DequantizeLinear', 'ORT dropped the Q/DQ around the nearest Resize');
});

test('data movement reading a graph input directly (Reshape, Transpose) shares its image scale 1/255', async () => {
  const b = new GraphBuilder();
  const left = b.input('left', 3);
  const back = b.node('fromTokens', 'back', [b.node('toTokens', 'tokens', [left], {}), left], {});
  const sum = b.node('add', 'sum', [back, b.input('right', 3)], {});
  const graph = b.build(b.node('sigmoid', 'out', [sum], {}), sum, {}, 'movement');
  const { summary } = await quantizeModel(exportOnnx(graph, initialParamValues(graph, 1)), { scheme: 'w8a8', calibration: calibrationPairs(2) });
  const moved = summary.activations.filter((a) => a.tensor.startsWith('tokens') || a.tensor.startsWith('back'));
  assert.ok(moved.length >= 2, JSON.stringify(summary.activations.map((a) => a.tensor)));
  for (const a of moved) assert.equal(a.scale, Math.fround(1 / 255), JSON.stringify(a));
  assert.deepEqual(Object.keys(summary.floatOps), [], 'nothing left float');
});

test('a model exported at opset 21 is quantized at opset 21 (no upgrade needed for uint16)', async () => {
  const { model, summary } = await quantizeModel(tinyModel('unet', 'direct', 21), { scheme: 'w8a16', calibration: calibrationPairs(1) });
  assert.equal(summary.opset, 21);
  assert.equal(new ModelView(model).model.graph.output[0].type.tensor_type.elem_type, DataType.UINT16);
});

test('an op without a rule stays float between DQ and Q and is reported; LayerNormalization by default', async () => {
  const { Sigmoid: _dropped, ...rules } = QUANT_RULES;
  const { model, summary } = await quantizeModel(tinyModel('unet'), { scheme: 'w8a8', calibration: calibrationPairs(2), rules, headTail: 'graph' });
  assert.deepEqual(summary.floatOps.Sigmoid, ['output']);
  assert.equal(summary.quantizedOps.Sigmoid, undefined);
  const view = new ModelView(model);
  const sigmoid = view.ops('Sigmoid')[0];
  assert.equal(view.producer(sigmoid.input[0])?.op_type, 'DequantizeLinear');
  assert.equal(view.producer('output')?.op_type, 'QuantizeLinear', 'the output stays quantized all the same');
  // (ORT may still fuse such a DQ -> op -> Q group into an integer kernel of its own: QLinearSigmoid here.)

  const vit = (await quantized('vit', 'w8a8')).summary;
  assert.equal(vit.floatOps.LayerNormalization?.length, 8);
  // Softmax is float by the w8a8 rule, with the chain feeding it, and so is the matching cost.
  assert.ok(vit.floatOps.LayerNormalization && vit.floatOps.Softmax);
  const costOps = ['Concat', 'Pad', 'ReduceSumSquare', 'Slice', 'Conv', 'Relu'];
  for (const op of Object.keys(vit.floatOps)) assert.ok(['Add', 'LayerNormalization', 'MatMul', 'Mul', 'Reshape', 'Softmax', 'Transpose', ...costOps].includes(op), op);
  const integer = (await quantized('vit', 'w8a8-pt')).summary;
  assert.deepEqual(Object.keys(integer.floatOps).sort(), ['LayerNormalization'], 'the DSP recipe keeps Softmax in integer');
});

/** Op types of the optimized graph that compute on float data (read a DequantizeLinear output). */
function floatOpTypes(view: ModelView): Set<string> {
  const dequantized = new Set(view.ops('DequantizeLinear').map((n) => n.output[0]));
  return new Set(view.nodes.filter((n) => n.op_type !== 'QuantizeLinear' && n.input.some((i) => dequantized.has(i))).map((n) => n.op_type));
}

for (const scheme of ['w8a8', 'w8a8-pt'] as const) {
  for (const family of ['unet', 'vit'] as const) {
    test(`${family} ${scheme}: ORT fuses every Conv into QLinearConv and every MatMul into QLinearMatMul`, async (t) => {
      const file = join(dir, `${family}.${scheme}.opt.onnx`);
      await saveOptimizedModel((await quantized(family, scheme)).model, file);
      const view = new ModelView(readFileSync(file));
      const float = new ModelView(tinyModel(family)).opCounts();
      const counts = view.opCounts();
      // w8a8 leaves the two image convs (3 input channels) in float by rule.
      assert.equal(counts.Conv ?? 0, scheme === 'w8a8' ? 2 : 0, 'no float Conv remains but the image convs');
      // Every float Conv, plus (w8a8-pt) the two matching costs' integer means, lowered again.
      // (The vit reads only the 1/4-resolution one; its graph holds no other.)
      const costMatMuls = family === 'unet' ? 2 : 1;
      assert.equal(counts.QLinearConv, float.Conv + (scheme === 'w8a8-pt' ? costMatMuls : -2));
      // w8a8 leaves the attention's softmax chain in float (query, key, scores: 3 MatMuls a block)
      // and the matching costs' band MatMuls; w8a8-pt replaces those by the grouped convs.
      const floatMatMuls = scheme === 'w8a8' ? (family === 'vit' ? 12 : 0) + costMatMuls : 0;
      assert.equal(counts.MatMul ?? 0, floatMatMuls, 'float MatMuls: only the softmax chain and the matching costs');
      assert.equal(counts.QLinearMatMul ?? 0, (float.MatMul ?? 0) - costMatMuls - (scheme === 'w8a8' ? floatMatMuls - costMatMuls : 0));
      // w8a8 keeps the matching cost, the image normalisation and Softmax in float: the Adds and Muls left are the vit's.
      const integerOps = scheme === 'w8a8-pt' ? ['QLinearAdd', 'QLinearMul', 'QLinearConcat', 'QLinearSigmoid', 'QLinearSoftmax'] : ['QLinearConcat', 'QLinearSigmoid'];
      for (const op of integerOps) assert.ok(counts[op] > 0, op);
      const floats = [...floatOpTypes(view)].sort();
      t.diagnostic(`ops left in float by ORT: ${floats.join(', ')}`);
      // Pad and linear Resize have no uint8 path in ORT 1.30's CPU QDQ transformer; Shape only reads dims.
      const softmaxChain = scheme === 'w8a8' ? ['Add', 'MatMul', 'Mul', 'Reshape', 'Softmax', 'Transpose', 'Slice', 'Concat', 'ReduceSumSquare'] : [];
      for (const op of floats) assert.ok(['LayerNormalization', 'Pad', 'Resize', 'Shape', ...softmaxChain].includes(op), op);
    });
  }
}
