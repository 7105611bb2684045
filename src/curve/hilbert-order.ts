/**
 * Cell coordinates of the D-dimensional Hilbert curve, in curve order, after John Skilling,
 * "Programming the Hilbert curve" (AIP Conf. Proc. 707, 2004). The index is first spread into
 * the "transpose" form (bit j of axis i), then Gray-decoded and untwisted into axes.
 */
export function hilbertCells(dims: number, order: number): Uint32Array {
  const count = 2 ** (dims * order);
  const cells = new Uint32Array(count * dims);
  const x = new Array<number>(dims);
  for (let h = 0; h < count; h++) {
    indexToTranspose(h, dims, order, x);
    transposeToAxes(x, dims, order);
    for (let i = 0; i < dims; i++) cells[h * dims + i] = x[i];
  }
  return cells;
}

function indexToTranspose(h: number, dims: number, order: number, x: number[]): void {
  x.fill(0);
  for (let j = order - 1; j >= 0; j--) {
    for (let i = 0; i < dims; i++) {
      const bit = Math.floor(h / 2 ** (j * dims + (dims - 1 - i))) & 1;
      x[i] |= bit << j;
    }
  }
}

function transposeToAxes(x: number[], dims: number, order: number): void {
  const n = 2 << (order - 1);
  let t = x[dims - 1] >> 1;
  for (let i = dims - 1; i > 0; i--) x[i] ^= x[i - 1];
  x[0] ^= t;
  for (let q = 2; q !== n; q <<= 1) {
    const p = q - 1;
    for (let i = dims - 1; i >= 0; i--) {
      if (x[i] & q) {
        x[0] ^= p;
      } else {
        t = (x[0] ^ x[i]) & p;
        x[0] ^= t;
        x[i] ^= t;
      }
    }
  }
}
