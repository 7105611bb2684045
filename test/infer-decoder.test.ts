import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileFormatError } from '../src/util/errors.js';
import { OutputDecoder } from '../src/infer/output-decoder.js';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import type { ModelConfig } from '../src/models/model.js';

const BASE: ModelConfig = { family: 'unet', head: 'direct', dims: 2, order: 3, margin: 0.1, maxDisp: 24 };

test('a quantized direct head: disparity = (code - zero point) x scale x maxDisp', () => {
  const decoder = new OutputDecoder(BASE, { kind: 'quantized', dtype: 'uint8', scale: 1 / 250, zeroPoint: 5 });
  const disp = decoder.decode(new Uint8Array([5, 130, 255]), 1, 3);
  assert.deepEqual(Array.from(disp), [0, (125 / 250) * 24, (250 / 250) * 24].map((v) => Math.fround(v)));
});

test('a quantized hilbert head: codes decode through the curve; uint16 codes decode exactly too', () => {
  const config: ModelConfig = { ...BASE, head: 'hilbert' };
  const curve = new HilbertCurve({ dims: 2, order: 3, margin: 0.1 });
  const q = new Float32Array([0.1, 0.5, 0.9]);
  const points = curve.encode(q);
  for (const [dtype, levels] of [['uint8', 255], ['uint16', 65535]] as const) {
    const codes = dtype === 'uint8' ? new Uint8Array(6) : new Uint16Array(6);
    for (let i = 0; i < 6; i++) codes[i] = Math.round(points[i] * levels);
    const disp = new OutputDecoder(config, { kind: 'quantized', dtype, scale: 1 / levels, zeroPoint: 0 }).decode(codes, 1, 3);
    for (let i = 0; i < 3; i++) {
      // Rounding moves a point by half an LSB at most: q by about LSB / (2 L), disparity by maxDisp times that.
      assert.ok(Math.abs(disp[i] - q[i] * 24) < (24 / levels / curve.length) * 2, `${dtype} pixel ${i}: ${disp[i]} vs ${q[i] * 24}`);
    }
  }
});

test('a float head and the wrong output type are told apart', () => {
  const decoder = new OutputDecoder(BASE, { kind: 'float' });
  assert.deepEqual(Array.from(decoder.decode(new Float32Array([0.5]), 1, 1)), [12]);
  assert.throws(() => decoder.decode(new Uint8Array([1]), 1, 1), /float model must output float32/);
  const quantized = new OutputDecoder(BASE, { kind: 'quantized', dtype: 'uint8', scale: 0.01, zeroPoint: 0 });
  assert.throws(() => quantized.decode(new Float32Array([0.5]), 1, 1), /metadata says uint8 codes/);
  assert.throws(() => quantized.decode(new Uint8Array([1, 2]), 1, 1), /invalid output = 2 values: expected 1 x 1 x 1$/);
  // A model's decoder names its file: the fault is the file's metadata, not a setting.
  const named = new OutputDecoder(BASE, { kind: 'quantized', dtype: 'uint8', scale: 0.01, zeroPoint: 0 }, 'zoo/unet-direct.w8a8.onnx');
  assert.throws(
    () => named.decode(new Float32Array([0.5]), 1, 1),
    (err: Error) => err instanceof FileFormatError && /^zoo\/unet-direct\.w8a8\.onnx: gives an output its metadata does not describe: float32, the model metadata says uint8 codes$/.test(err.message),
  );
  const tailed = new OutputDecoder(BASE, { kind: 'quantized', dtype: 'uint8', scale: 0.01, zeroPoint: 0, headTail: true }, 'zoo/unet-direct.w8a8.onnx');
  assert.throws(
    () => tailed.expand(new Uint8Array(3), 4, 4),
    (err: Error) => err instanceof FileFormatError && /^zoo\/unet-direct\.w8a8\.onnx: gives an output its metadata does not describe: 3 logits, expected 1 x 2 x 2$/.test(err.message),
  );
});
