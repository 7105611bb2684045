/** Helpers shared by the curve-*.test.ts files. */

/** Decodes sample by sample: one sample per call is below the SIMD block, so the JS loop decodes it. */
export function jsLoop(dec: (codes: Uint8Array) => Float32Array, codes: Uint8Array, dims: number, n: number): Float32Array {
  const out = new Float32Array(n);
  const one = new Uint8Array(dims);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dims; c++) one[c] = codes[c * n + i];
    out[i] = dec(one)[0];
  }
  return out;
}
