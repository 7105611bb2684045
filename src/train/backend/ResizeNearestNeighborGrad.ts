// ResizeNearestNeighborGrad for wasm. The builtin ignores halfPixelCenters (it differentiates the
// legacy sampling, the wrong gradient for src/models' half-pixel resizes) and is ~3x slower.
// Each output pixel copies exactly one input pixel, so the adjoint is one scatter-add of dy rows.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { nearestSources } from './resize-maps.js';
import { f32, type WasmBackend } from './wasm-heap.js';

function resizeNearestNeighborGrad(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as ResizeNearestNeighborGradAttrs;
  const [batch, height, width, depth] = images.shape;
  const [, outH, outW] = dy.shape;
  const rows = nearestSources(height, outH, attrs.alignCorners, attrs.halfPixelCenters === true);
  const cols = nearestSources(width, outW, attrs.alignCorners, attrs.halfPixelCenters === true);
  const dx = backend.makeOutput([batch, height, width, depth], 'float32');
  const g = f32(backend, dy);
  const out = f32(backend, dx).fill(0);
  let src = 0;
  for (let n = 0; n < batch; n++) {
    for (let r = 0; r < outH; r++) {
      const rowBase = (n * height + rows[r]) * width;
      for (let c = 0; c < outW; c++) {
        const to = (rowBase + cols[c]) * depth;
        for (let d = 0; d < depth; d++) out[to + d] += g[src++];
      }
    }
  }
  return dx;
}

export const resizeNearestNeighborGradConfig: KernelConfig = {
  kernelName: tf.ResizeNearestNeighborGrad,
  backendName: 'wasm',
  kernelFunc: resizeNearestNeighborGrad as unknown as KernelConfig['kernelFunc'],
};
