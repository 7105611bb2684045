import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countMacs } from '../src/models/cost.js';
import { GraphBuilder } from '../src/models/graph-builder.js';
import { initialParamValues } from '../src/models/init.js';
import { GraphShapeError, inferValueInfo } from '../src/models/ir-check.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { ConfigError } from '../src/util/errors.js';

const BASE: ModelConfig = { family: 'unet', head: 'hilbert', dims: 2, order: 3, margin: 0.1, maxDisp: 32 };
const HEAD_NODES = new Set(['head', 'head.up', 'output']);

for (const family of ['unet', 'vit'] as const) {
  test(`${family}: size, stride and output channels for every head`, () => {
    for (const [head, dims, channels] of [['direct', 2, 1], ['hilbert', 2, 2], ['hilbert', 3, 3]] as const) {
      const g = buildModelGraph({ ...BASE, family, head, dims });
      assert.equal(g.outputChannels, channels);
      assert.equal(g.stride, 16);
      assert.ok(g.paramCount >= 300_000 && g.paramCount <= 2_000_000, `${g.name}: ${g.paramCount} params`);
      assert.ok(countMacs(g, 64, 128) < 120e6, `${g.name}: too slow to train on one core`);
      assert.deepEqual(g.inputs, [{ name: 'left', channels: 3 }, { name: 'right', channels: 3 }]);
    }
  });

  test(`${family}: the backbone is identical between heads, only the head conv differs`, () => {
    const direct = buildModelGraph({ ...BASE, family, head: 'direct' });
    const hilbert = buildModelGraph({ ...BASE, family, head: 'hilbert', dims: 3 });
    const backbone = (g: typeof direct) => ({
      nodes: g.nodes.filter((n) => !HEAD_NODES.has(n.name)),
      params: g.params.filter((p) => !p.name.startsWith('head.')),
    });
    assert.deepEqual(backbone(direct), backbone(hilbert));
    assert.equal(direct.headInput, hilbert.headInput);
    const headShapes = (g: typeof direct) => g.params.filter((p) => p.name.startsWith('head.')).map((p) => p.shape);
    assert.deepEqual(headShapes(direct), [[3, 3, 16, 1], [1]]);
    assert.deepEqual(headShapes(hilbert), [[3, 3, 16, 3], [3]]);

    const a = initialParamValues(direct, 7);
    const b = initialParamValues(hilbert, 7);
    for (const p of backbone(direct).params) assert.deepEqual(a.get(p.name), b.get(p.name), p.name);
  });
}

test('initial values are a pure function of the seed', () => {
  const g = buildModelGraph({ ...BASE, family: 'vit' });
  const a = initialParamValues(g, 1);
  const again = initialParamValues(g, 1);
  const other = initialParamValues(g, 2);
  for (const p of g.params) {
    assert.deepEqual(a.get(p.name), again.get(p.name));
    if (p.init.kind === 'normal') assert.notDeepEqual(a.get(p.name), other.get(p.name));
  }
  // He init: a 3x3 conv on 32 channels has std sqrt(2 / 288).
  const w = a.get('stem.enc3.weight') as Float32Array;
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / 288)) < 0.005, `std ${std}`);
});

test('the stereo stem shares encoder weights between left and right', () => {
  const g = buildModelGraph(BASE);
  const convs = g.nodes.filter((n) => n.op === 'conv2d');
  const left = convs.find((n) => n.name.startsWith('left.enc3'));
  const right = convs.find((n) => n.name.startsWith('right.enc3'));
  assert.deepEqual(left?.inputs.slice(1), ['stem.enc3.weight', 'stem.enc3.bias']);
  assert.deepEqual(right?.inputs.slice(1), left?.inputs.slice(1));
});

test('the correlation covers displacements 0..maxDisp/4 at 1/4 resolution', () => {
  for (const maxDisp of [24, 32]) {
    const g = buildModelGraph({ ...BASE, maxDisp });
    const corr = inferValueInfo(g).get('stem.corr');
    assert.deepEqual(corr, { kind: 'map', channels: maxDisp / 4 + 1, stride: 4, extraH: 0, extraW: 0 });
  }
});

test('a graph holds only what its output depends on: the vit reads no half-resolution matching cost', () => {
  const unet = buildModelGraph(BASE);
  const vit = buildModelGraph({ ...BASE, family: 'vit' });
  assert.ok(unet.nodes.some((n) => n.name === 'stem.corr2'), 'the unet decodes with it');
  assert.ok(!vit.nodes.some((n) => n.name === 'stem.corr2' || n.name === 'stem.left2'), 'the vit does not');
  assert.ok(vit.nodes.some((n) => n.name === 'stem.corr'));
  const b = new GraphBuilder();
  const x = b.input('left', 3);
  b.node('sigmoid', 'unread', [x], {});
  const out = b.conv('out', x, 1, { act: 'none' });
  assert.deepEqual(b.build(out, out, {}, 'g').nodes.map((n) => n.name), ['out']);
  // A parameter only an unread node reads would drop out of the weights: refused, not pruned.
  const withParam = new GraphBuilder();
  const y = withParam.input('left', 3);
  withParam.conv('unread', y, 4);
  const kept = withParam.conv('out', y, 1, { act: 'none' });
  assert.throws(() => withParam.build(kept, kept, {}, 'g'), /parameter unread\.weight is read by no node the output out depends on/);
  const headless = new GraphBuilder();
  const z = headless.input('left', 3);
  const side = headless.node('sigmoid', 'side', [z], {});
  const head = headless.conv('out', z, 1, { act: 'none' });
  assert.throws(() => headless.build(head, side, {}, 'g'), /head input side is no node the output out depends on/);
  assert.throws(() => headless.build(head, 'left', {}, 'g'), /head input left is no node/, 'a graph input takes no head noise');
});

test('shape inference rejects inconsistent graphs when they are built', () => {
  const b = new GraphBuilder();
  const x = b.input('left', 3);
  const half = b.conv('half', x, 8, { stride: 2 });
  assert.throws(() => b.node('concat', 'bad', [x, half], { axis: 1 }), GraphShapeError);
  assert.throws(() => b.conv('c2', half, 8, { params: 'half' }), /reused with shape/);
  const padded = b.node('pad', 'p', [half], { top: 0, bottom: 0, left: 2, right: 0 });
  assert.throws(() => b.conv('c3', padded, 8), /padding/);
  const tokens = b.node('toTokens', 't', [half], {});
  assert.throws(() => b.node('fromTokens', 'm', [tokens, x], {}), /do not match/);
  assert.throws(() => b.node('reshape', 'r', [tokens], { shape: [0, 0, 3, -1] }), /cannot infer/);
});

test('invalid configurations are reported as ConfigError', () => {
  assert.throws(() => buildModelGraph({ ...BASE, dims: 1 }), ConfigError);
  assert.throws(() => buildModelGraph({ ...BASE, family: 'vit', heads: 5 }), ConfigError);
  assert.throws(() => buildModelGraph({ ...BASE, width: 0 }), ConfigError);
});
