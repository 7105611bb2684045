// Training backend: tfjs on wasm (XNNPACK, single thread) plus the gradient kernels wasm lacks or
// runs slowly. Import tfjs through here so the kernels are in place before the first train step.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { captureBuiltin, ownKernelFuncs } from './builtin-kernels.js';
import { batchMatMulConfig } from './BatchMatMul.js';
import { concatConfig } from './Concat.js';
import { conv2DConfig } from './Conv2D.js';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput.js';
import { identityConfig } from './Identity.js';
import { MATCHING_COST_GRAD } from '../../models/tfjs-matching-cost.js';
import { matchingCostGradAvailable, matchingCostGradConfig } from './MatchingCostGrad.js';
import type { WasmBackend } from './wasm-heap.js';
import { heapModule, heapModuleFailure } from './heap-wasm.js';
import { ensurePinnedTfjs } from './tfjs-internals.js';
import { HilbertqError } from '../../util/errors.js';
import { ADAM_WASM } from '../adam.wasm.js';
import { GEMM_WASM } from './gemm.wasm.js';
import { TRANSPOSE_WASM } from './transpose.wasm.js';
import { RESIZE_GRAD_WASM } from './resize-grad.wasm.js';
import { MATCHING_COST_GRAD_WASM } from './matching-cost-grad.wasm.js';
import { resizeBilinearGradConfig } from './ResizeBilinearGrad.js';
import { resizeNearestNeighborGradConfig } from './ResizeNearestNeighborGrad.js';
import { sliceConfig } from './Slice.js';
import { splitVConfig } from './SplitV.js';
import { sumConfig } from './Sum.js';
import { tileConfig } from './Tile.js';
import { unpackConfig } from './Unpack.js';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum.js';

/** Every kernel this package registers for 'wasm', with the reason in its file's header. */
export const trainingKernels: readonly KernelConfig[] = [
  conv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  batchMatMulConfig,
  resizeBilinearGradConfig,
  resizeNearestNeighborGradConfig,
  concatConfig,
  sliceConfig,
  splitVConfig,
  sumConfig,
  tileConfig,
  unpackConfig,
  unsortedSegmentSumConfig,
  identityConfig,
  matchingCostGradConfig,
];

let registered = false;

/**
 * Registers `trainingKernels` for 'wasm' once; later calls do nothing. Must run after the wasm
 * backend's module registered its builtins, or those would later overwrite ours.
 */
function registerTrainingKernels(): void {
  if (registered) return;
  for (const config of trainingKernels) captureBuiltin(config.kernelName);
  for (const config of trainingKernels) {
    ownKernelFuncs.add(config.kernelFunc);
    // Unregister first: replacing silently is intended, and registerKernel would warn.
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registered = true;
}

/** The tfjs version the kernels were written against (tfjs-internals.ts checks it). */
export { PINNED_TFJS } from './tfjs-internals.js';

/**
 * Selects the tfjs backend for training. 'wasm' (default) loads the SIMD build single-threaded and
 * installs the training kernels. 'cpu' is the pure-JS reference: 20x slower forward, ~300x per
 * U-Net train step, and its resize gradients are wrong with half-pixel centers (all of them),
 * batches > 1 (nearest) and non-square images (bilinear: the step throws).
 */
export async function initTrainingBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  // The wasm kernels read tfjs internals: another tfjs fails here, in one line, not mid-training.
  if (name === 'wasm') {
    ensurePinnedTfjs();
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The threaded build needs worker support that Node lacks here; one thread also keeps
    // timings reproducible. Only effective before the backend first initialises.
    wasm.setThreadsCount(1);
    registerTrainingKernels();
  }
  await startBackend(name);
  // Its kernel has no JS loop of its own: where the module cannot run on this backend's heap,
  // the matching cost falls back to its gradient from tfjs ops.
  if (name === 'wasm' && !matchingCostGradAvailable(tf.backend() as unknown as WasmBackend) && tf.getKernel(MATCHING_COST_GRAD, 'wasm')) {
    tf.unregisterKernel(MATCHING_COST_GRAD, 'wasm');
  }
  // A fast path that silently falls back is a bug: each module that cannot run says so, and why.
  if (name === 'wasm') for (const m of heapModuleStatus().filter((x) => x.failure)) console.warn(`hilbertq: ${m.module} cannot run (${m.failure}); training falls back to a path several times slower`);
}

/**
 * tf.setBackend, with what tfjs and its Emscripten module print while they start held back: on
 * success it is printed as it came, on failure the reason becomes one line. Under a virtual-memory
 * limit (ulimit -v) the wasm backend cannot reserve its memory, and tfjs then printed four lines
 * about serving a .wasm file to a browser, and a stack trace.
 */
export async function startBackend(name: string): Promise<void> {
  const held: ['log' | 'warn' | 'error', unknown[]][] = [];
  const originals = { log: console.log, warn: console.warn, error: console.error };
  for (const key of ['log', 'warn', 'error'] as const) console[key] = (...args: unknown[]) => void held.push([key, args]);
  let started = false;
  let thrown: string | null = null;
  try {
    started = await tf.setBackend(name);
    if (started) await tf.ready();
  } catch (err) {
    // An unregistered name, or a kernel set-up that throws: a failure to start like the others.
    started = false;
    thrown = err instanceof Error ? err.message : String(err);
  } finally {
    Object.assign(console, originals);
  }
  if (!started) {
    const lines = [...held.map(([, args]) => args.map(String).join(' ')), ...(thrown ? [thrown] : [])];
    const reason = lines.find((l) => /RangeError|out of memory/i.test(l)) ?? lines[0];
    const why = reason ? ` (${reason.replace(/^.*RangeError: /, '').split('\n')[0]})` : '';
    const hint = /memory/i.test(why) ? '; WebAssembly reserves several GB of address space per instance, which a virtual-memory limit (ulimit -v) can forbid' : '';
    throw new HilbertqError(`tfjs backend '${name}' failed to start${why}${hint}`);
  }
  for (const [key, args] of held) console[key](...args);
}

const HEAP_MODULES: [string, string][] = [
  ['adam.wat', ADAM_WASM],
  ['gemm.wat', GEMM_WASM],
  ['transpose.wat', TRANSPOSE_WASM],
  ['resize-grad.wat', RESIZE_GRAD_WASM],
  ['matching-cost-grad.wat', MATCHING_COST_GRAD_WASM],
];

/** Each WebAssembly module the training kernels run on the wasm backend's heap, and why it cannot run (null: it runs). */
export function heapModuleStatus(): { module: string; failure: string | null }[] {
  const backend = tf.findBackend('wasm') as unknown as WasmBackend | null;
  return HEAP_MODULES.map(([module, bytes]) => {
    if (!backend) return { module, failure: 'the tfjs wasm backend is not initialised' };
    return { module, failure: heapModule(backend, bytes) ? null : (heapModuleFailure(bytes) ?? 'switched off (withoutHeapModules)') };
  });
}

/** The wasm backend's own kernels, including the ones replaced here (for benchmarks). */
export { runBuiltin, runBuiltinOutputs } from './builtin-kernels.js';
