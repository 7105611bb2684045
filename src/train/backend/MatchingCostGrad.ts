// The matching cost's gradient as one kernel (matching-cost-grad.wat, WebAssembly SIMD on the
// heap): the tfjs-ops formula of tfjs-matching-cost.ts runs ~5 kernels per displacement, and
// for the U-Net's two cost volumes that backward cost ~2.3x their forward pass.
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { MATCHING_COST_GRAD, type MatchingCostGradAttrs } from '../../models/tfjs-matching-cost.js';
import { heapModule } from './heap-wasm.js';
import { MATCHING_COST_GRAD_WASM } from './matching-cost-grad.wasm.js';
import { alloc, heapAddress, type WasmBackend } from './wasm-heap.js';

interface MatchingCostGradWasm {
  grad(dy: number, l: number, r: number, dl: number, dr: number, rows: number, width: number, channels: number, shifts: number, scale: number, dot: number): void;
}

function matchingCostGrad(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, left, right } = args.inputs;
  const { metric } = args.attrs as unknown as MatchingCostGradAttrs;
  const wasm = heapModule<MatchingCostGradWasm>(backend, MATCHING_COST_GRAD_WASM);
  if (!wasm) throw new Error(`${MATCHING_COST_GRAD} needs WebAssembly SIMD on the backend's heap`);
  const [batch, height, width, channels] = left.shape;
  const dl = alloc(backend, left.shape);
  const dr = alloc(backend, right.shape);
  try {
    const at = (t: TensorInfo): number => heapAddress(backend, t);
    const shifts = dy.shape[3];
    wasm.grad(at(dy), at(left), at(right), at(dl), at(dr), batch * height, width, channels, shifts, (metric === 'ssd' ? 2 : 1) / channels, metric === 'dot' ? 1 : 0);
  } catch (err) {
    for (const t of [dl, dr]) backend.disposeData(t.dataId);
    throw err;
  }
  return [dl, dr];
}

/** Whether matching-cost-grad.wat runs on this backend's heap (initTrainingBackend drops the kernel if not). */
export function matchingCostGradAvailable(backend: WasmBackend): boolean {
  return heapModule<MatchingCostGradWasm>(backend, MATCHING_COST_GRAD_WASM) !== null;
}

export const matchingCostGradConfig: KernelConfig = {
  kernelName: MATCHING_COST_GRAD,
  backendName: 'wasm',
  kernelFunc: matchingCostGrad as unknown as KernelConfig['kernelFunc'],
};
