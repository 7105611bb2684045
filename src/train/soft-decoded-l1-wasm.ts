import { compileFailure, compileWasm, reserveMemory, WASM, type WasmMemory } from '../util/wasm.js';
import { heapModulesSwitchedOff } from './backend/heap-wasm.js';
import { SOFT_DECODED_L1_WASM } from './soft-decoded-l1.wasm.js';

/** Why soft-decoded-l1.wat cannot run here (null: it runs); SoftDecodedL1 warns with it. */
export function softDecodedL1WasmFailure(): string | null {
  if (heapModulesSwitchedOff()) return 'switched off (withoutHeapModules)';
  if (compileWasm(SOFT_DECODED_L1_WASM)) return null;
  return WASM ? (compileFailure(SOFT_DECODED_L1_WASM) ?? 'it does not compile') : 'this runtime has no WebAssembly';
}

/** The curve's segments as soft-decoded-l1.wat reads them, and the loss's constants. */
export interface SoftL1Curve {
  dims: number;
  segments: number;
  /** Segment starts and directions, segment-major (s * dims + c). */
  start: ArrayLike<number>;
  dir: ArrayLike<number>;
  invLen2: number;
  inv2s2: number;
  maxDisp: number;
}

/**
 * soft-decoded-l1.wat with one curve's tables in its memory (written once): run() takes a batch's
 * points, ground truth and validity, and gives each pixel's soft L1 and its gradient, as
 * SoftDecodedL1.at does one pixel at a time in float64.
 */
export class SoftL1Wasm {
  private readonly memory: WasmMemory;
  private readonly kernel: (...args: number[]) => void;
  private readonly groups: number;
  private readonly scratch: number;
  private readonly inputs: number;

  private constructor(
    exports: Record<string, unknown>,
    private readonly curve: SoftL1Curve,
  ) {
    this.memory = exports.memory as WasmMemory;
    this.kernel = exports.run as (...args: number[]) => void;
    const { dims, segments } = curve;
    this.groups = Math.ceil(segments / 4);
    const row = this.groups * 16;
    // Tables: starts, directions (dims rows each), lane indices, padding.
    this.scratch = (2 * dims + 2) * row;
    this.inputs = this.scratch + 2 * dims * 16 + 5 * row;
    reserveMemory(this.memory, this.inputs);
    const f = new Float32Array(this.memory.buffer, 0, this.scratch / 4);
    const lanes = this.groups * 4;
    for (let c = 0; c < dims; c++) {
      for (let s = 0; s < segments; s++) {
        f[c * lanes + s] = curve.start[s * dims + c];
        f[(dims + c) * lanes + s] = curve.dir[s * dims + c];
      }
    }
    for (let s = 0; s < lanes; s++) {
      f[2 * dims * lanes + s] = s;
      f[(2 * dims + 1) * lanes + s] = s < segments ? 0 : Infinity;
    }
  }

  /** The module for `curve`, or null where WebAssembly SIMD is unavailable (softDecodedL1WasmFailure says why). */
  static create(curve: SoftL1Curve): SoftL1Wasm | null {
    const module = heapModulesSwitchedOff() ? null : compileWasm(SOFT_DECODED_L1_WASM);
    if (!module || !WASM) return null;
    return new SoftL1Wasm(new WASM.Instance(module, {}).exports, curve);
  }

  /** Per pixel: the soft L1 in pixels (0 where valid is 0) and its gradient (pixels x dims, pixel-major). */
  run(values: Float32Array, gt: Float32Array, valid: Float32Array, pixels: number): { loss: Float32Array; grad: Float32Array } {
    const { dims, segments, invLen2, inv2s2, maxDisp } = this.curve;
    const at = { values: this.inputs, gt: 0, valid: 0, loss: 0, grad: 0 };
    at.gt = at.values + 4 * values.length;
    at.valid = at.gt + 4 * pixels;
    at.loss = at.valid + 4 * pixels;
    at.grad = at.loss + 4 * pixels;
    reserveMemory(this.memory, at.grad + 4 * values.length);
    const heap = new Float32Array(this.memory.buffer);
    heap.set(values, at.values / 4);
    heap.set(gt, at.gt / 4);
    heap.set(valid, at.valid / 4);
    this.kernel(at.values, at.gt, at.valid, pixels, dims, this.groups, 0, this.scratch, at.loss, at.grad, invLen2, inv2s2, maxDisp / segments, (maxDisp * invLen2) / segments);
    return {
      loss: heap.slice(at.loss / 4, at.loss / 4 + pixels),
      grad: heap.slice(at.grad / 4, at.grad / 4 + values.length),
    };
  }
}
