import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialParamValues } from '../src/models/init.js';
import { buildModelGraph } from '../src/models/model.js';
import { loadWeights } from '../src/models/tfjs-build.js';
import { encodeWeights, readWeightsDir, writeWeightsDir, type WeightsManifest } from '../src/models/weights-io.js';
import { exportModelDir } from '../src/onnx/export-dir.js';
import { FileFormatError } from '../src/util/errors.js';
import { TINY } from './quant-support.js';

test('a weights manifest with a malformed parameter list is refused in one line naming model.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-manifest-'));
  try {
    const graph = buildModelGraph({ ...TINY, family: 'unet', head: 'direct' });
    const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 1));
    writeWeightsDir(dir, manifest, bin);
    assert.equal(readWeightsDir(dir).values.size, manifest.params.length, 'the intact folder reads');
    const [first, second] = manifest.params;
    const cases: [string, unknown, RegExp][] = [
      ['negative shape', [{ ...first, shape: [-3, ...first.shape.slice(1)] }, ...manifest.params.slice(1)], /parameter .* has shape \[-3,.*not a list of sizes/],
      ['no list', undefined, /has no params list/],
      ['an object', {}, /has no params list/],
      ['a null entry', [null], /params\[0\] has no name/],
      ['a duplicate', [first, first], /lists parameter .* twice/],
      ['past the end', [{ ...first, offset: manifest.byteLength }], /does not lie within byteLength/],
      ['overlapping', [first, { ...second, offset: first.offset + 4 }, ...manifest.params.slice(2)], /overlap in weights\.bin/],
    ];
    for (const [what, params, message] of cases) {
      writeWeightsDir(dir, { ...manifest, params } as unknown as WeightsManifest, bin);
      assert.throws(() => readWeightsDir(dir), (err: Error) => err instanceof FileFormatError && err.message.includes('model.json') && message.test(err.message) && !err.message.includes('\n'), what);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export and the tfjs reader refuse a model folder whose config its readers would refuse, or whose graph name contradicts it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-manifest-'));
  try {
    const graph = buildModelGraph({ ...TINY, family: 'unet', head: 'hilbert', dims: 3, order: 1, margin: 0.1 });
    const { manifest, bin } = encodeWeights(graph, initialParamValues(graph, 1));
    const config = manifest.config as Record<string, unknown>;
    const cases: [string, WeightsManifest, RegExp][] = [
      ['order 99', { ...manifest, config: { ...config, order: 99 } } as WeightsManifest, /model\.json: has an invalid model config: invalid order = 99/],
      ['margin 5', { ...manifest, config: { ...config, margin: 5 } } as WeightsManifest, /model\.json: has an invalid model config: invalid margin = 5/],
      ['another graph', { ...manifest, graph: 'vit-direct' }, /model\.json: names graph "vit-direct", but its config builds unet-hilbert3/],
    ];
    for (const [what, bad, message] of cases) {
      writeWeightsDir(dir, bad, bin);
      assert.throws(() => exportModelDir(dir, join(dir, 'model.onnx')), (err: Error) => err instanceof FileFormatError && message.test(err.message), what);
      // The tfjs reader (eval or train --init on a folder) says the same.
      assert.throws(() => loadWeights(dir), (err: Error) => err instanceof FileFormatError && message.test(err.message), `${what}, loadWeights`);
      assert.ok(!existsSync(join(dir, 'model.onnx')), `${what}: nothing written`);
    }
    writeWeightsDir(dir, manifest, bin);
    exportModelDir(dir, join(dir, 'model.onnx'));
    assert.ok(existsSync(join(dir, 'model.onnx')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
