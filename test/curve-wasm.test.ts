import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { decodeByteTableJs } from '../src/curve/quantized-decoder.js';
import { Rng } from '../src/util/rng.js';

test('the SIMD table decoder equals the JS loop and exact decode, for chunked, odd-sized and unaligned code buffers', () => {
  const curve = new HilbertCurve({ dims: 2, order: 3, margin: 0.1 });
  const scales = [1 / 251, 1 / 240];
  const zeroPoints = [2, 9];
  const decodeCodes = curve.quantizedDecoder({ bits: 8, scales, zeroPoints });
  const all = new Uint8Array(2 * 65536);
  for (let i = 0; i < 65536; i++) {
    all[i] = i >> 8;
    all[65536 + i] = i & 255;
  }
  const table = curve.quantizedDecoder({ bits: 8, scales, zeroPoints })(all);
  const rng = new Rng(11);
  for (const n of [37, 16, 2 * 4096 + 48, 3]) {
    const backing = new Uint8Array(2 * n + 1);
    const codes = backing.subarray(1); // odd byte offset: the JS loop's 32-bit path cannot take it
    for (let i = 0; i < codes.length; i++) codes[i] = rng.int(0, 255);
    const real = Float64Array.from(codes, (c, i) => (c - zeroPoints[i < n ? 0 : 1]) * scales[i < n ? 0 : 1]);
    const exact = curve.decode(real);
    assert.deepEqual(decodeCodes(codes), exact, `n = ${n}`);
    assert.deepEqual(decodeByteTableJs(codes, n, table, new Float32Array(n), 0), exact, `JS loop, n = ${n}`);
  }
});
