/**
 * Speed of the wasm training kernels (src/train/backend) against the paths they replace, on one
 * thread. Run: npm run bench:kernels [-- sections...], sections: conv other net ops (default all).
 *   conv   representative 3x3 conv: forward, old and new input/filter gradients
 *   other  BatchMatMul, Slice, Unpack: builtin wasm kernel vs ours
 *   net    a small U-Net train step (forward + backward + Adam) vs its forward pass
 *   ops    forward+backward audit of the ops the models use: failures and backward/forward ratio
 * Times are medians of process CPU time over several runs, in ms.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initTrainingBackend, runBuiltin, runBuiltinOutputs } from '../src/train/backend/index.js';

const sections = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = (name: string): boolean => sections.length === 0 || sections.includes(name);

/**
 * Median process CPU ms of `run` after `warmUp` calls. CPU time rather than wall time: the
 * work is single-threaded, and CPU time stays meaningful when the machine is shared.
 */
function ms(run: () => void, reps = 7, warmUp = 2): number {
  for (let i = 0; i < warmUp; i++) run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** Times `f` inside a tidy, reading every output back. */
function msOps(f: () => tf.Tensor | tf.Tensor[], reps?: number, warmUp?: number): number {
  return ms(
    () => {
      tf.tidy(() => {
        const out = f();
        for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
      });
    },
    reps,
    warmUp,
  );
}

/** Times the builtin wasm kernel `name` that our registration replaced. */
function msBuiltin(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap, reps?: number): number {
  const backend = tf.backend() as BackendWasm;
  return ms(() => {
    const out: TensorInfo = runBuiltin(backend, name, inputs, attrs);
    backend.disposeData(out.dataId);
  }, reps);
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : 'n/a').padStart(8);

async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  // IS_TEST silences the cpu backend's install-tfjs-node banner. Only here: it also turns on the
  // engine's per-kernel leak check, which misfires on wasm's logSoftmax.
  tf.env().set('IS_TEST', true);
  try {
    return f();
  } finally {
    tf.env().set('IS_TEST', false);
    await tf.setBackend('wasm');
  }
}

async function benchConv(): Promise<void> {
  console.log('\n[conv] x 4x64x128x32, 3x3 filter 32->32, same padding (ms)');
  console.log('stride   forward  dx old   dx new   dW cpu   dW new   new/fwd(dx+dW)');
  for (const stride of [1, 2]) {
    const x = tf.randomNormal([4, 64, 128, 32]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 32, 32]) as tf.Tensor4D;
    const dy = tf.randomNormal(tf.conv2d(x, w, stride, 'same').shape) as tf.Tensor4D;
    const attrs = { strides: [stride, stride], pad: 'same', dataFormat: 'NHWC', inputShape: x.shape };
    const forward = msOps(() => tf.conv2d(x, w, stride, 'same'));
    const dxOld = msBuiltin(tf.Conv2DBackpropInput, { dy, filter: w }, attrs as unknown as NamedAttrMap, 3);
    const dxNew = msOps(() => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, attrs) as tf.Tensor);
    const filterAttrs = { strides: [stride, stride], pad: 'same', dataFormat: 'NHWC', filterShape: w.shape };
    const dwNew = msOps(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, filterAttrs) as tf.Tensor);
    // The cpu filter gradient of the full problem takes minutes; time 1/16 of it (batch 1,
    // 32x64, same channels) and scale, as its cost is linear in pixels.
    const xs = tf.slice(x, [0, 0, 0, 0], [1, 32, 64, 32]);
    const dys = tf.slice(dy, [0, 0, 0, 0], [1, 32 / stride, 64 / stride, 32]);
    const dwCpu = await onCpu(
      () =>
        16 *
        (msOps(() => tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xs, f as tf.Tensor4D, stride, 'same'), dys)))(w), 1, 0) -
          msOps(() => tf.conv2d(xs, w, stride, 'same'), 1, 0)),
    );
    tf.dispose([xs, dys]);
    console.log(
      `${String(stride).padStart(6)} ${fmt(forward)} ${fmt(dxOld)} ${fmt(dxNew)} ${fmt(dwCpu)} ${fmt(dwNew)} ${fmt((dxNew + dwNew) / forward)}`,
    );
    tf.dispose([x, w, dy]);
  }
  console.log('dW cpu: measured on 1x32x64x32 and scaled x16; dW old on wasm: unavailable (no such kernel)');
}

/** Times the builtin kernel `name` and ours on the same inputs, called directly. */
function compareKernel(label: string, name: string, inputs: NamedTensorInfoMap | TensorInfo[], attrs: NamedAttrMap): void {
  const backend = tf.backend() as BackendWasm;
  const free = (out: TensorInfo | TensorInfo[]): void => {
    for (const t of Array.isArray(out) ? out : [out]) backend.disposeData(t.dataId);
  };
  const named = inputs as NamedTensorInfoMap;
  const builtin = ms(() => free(runBuiltinOutputs(backend, name, named, attrs)), 5);
  const ours = ms(() => free(tf.getKernel(name, 'wasm')!.kernelFunc({ inputs: named, backend, attrs })));
  console.log(`${label.padEnd(50)} ${fmt(builtin)}  ${fmt(ours)}`);
}

function benchOther(): void {
  console.log('\n[other] builtin wasm kernel vs ours, called directly (ms)');
  console.log('case                                                builtin      ours');
  const mm = (a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean, label: string): void =>
    compareKernel(label, tf.BatchMatMul, { a, b }, { transposeA, transposeB });
  const q = tf.randomNormal([32, 256, 32]);
  const p = tf.randomNormal([32, 256, 256]);
  mm(q, q, false, true, 'BatchMatMul QK^T 32x256x32 (attention)');
  mm(p, q, true, false, 'BatchMatMul P^T dY 32x256x256 (attention bwd)');
  const h = tf.randomNormal([2048, 128]);
  const wd = tf.randomNormal([128, 256]);
  const dh = tf.randomNormal([2048, 256]);
  mm(dh, wd, false, true, 'BatchMatMul dY W^T 2048x256x128 (dense dx)');
  mm(h, dh, true, false, 'BatchMatMul X^T dY 128x2048x256 (dense dW)');

  const full = tf.randomNormal([4, 64, 128, 32]);
  const rgb = tf.randomNormal([4, 64, 128, 6]);
  const half = tf.randomNormal([4, 32, 64, 32]);
  const skip = tf.concat([full, rgb], 3);
  const padded = tf.randomNormal([4, 32, 96, 32]);
  compareKernel('Concat 4x64x128x(32+6) on channels (U-Net skip)', tf.Concat, [full, rgb], { axis: 3 });
  compareKernel('SplitV 4x64x128x38 -> 32+6 (its gradient)', tf.SplitV, { x: skip }, { numOrSizeSplits: [32, 6], axis: 3 });
  compareKernel('Slice 4x32x64x32 of 4x32x96x32 (correlation)', tf.Slice, { x: padded }, { begin: [0, 0, 17, 0], size: [4, 32, 64, 32] });
  compareKernel('Tile 4x1x64x32 by [1,32,1,1]', tf.Tile, { x: tf.randomNormal([4, 1, 64, 32]) }, { reps: [1, 32, 1, 1] });
  compareKernel('Unpack 4x2x32x64x32 on axis 1 (stack gradient)', tf.Unpack, { value: tf.randomNormal([4, 2, 32, 64, 32]) }, { axis: 1 });
  const resize = { alignCorners: false, halfPixelCenters: true, size: [64, 128] };
  compareKernel('ResizeBilinearGrad 2x to 4x64x128x32, half-pixel *', tf.ResizeBilinearGrad, { images: half, dy: full }, resize);
  compareKernel('ResizeNearestNeighborGrad 2x, half-pixel *', tf.ResizeNearestNeighborGrad, { images: half, dy: full }, resize);
  console.log('* the builtin ignores halfPixelCenters: its result is the wrong gradient');
  tf.dispose([q, p, h, wd, dh, full, rgb, half, skip, padded]);
}

/** A small stereo-style U-Net: two stride-2 encoders, resize-up decoders with skips. */
function uNet(): { vars: tf.Variable[]; forward: (x: tf.Tensor4D) => tf.Tensor4D } {
  const shapes: [number, number, number, number][] = [
    [3, 3, 6, 32],
    [3, 3, 32, 64],
    [3, 3, 64, 64],
    [3, 3, 96, 32],
    [3, 3, 38, 16],
    [3, 3, 16, 1],
  ];
  const ws = shapes.map((s) => tf.variable(tf.mul(tf.randomNormal(s), Math.sqrt(2 / (s[0] * s[1] * s[2])))));
  const conv = (x: tf.Tensor4D, i: number, stride = 1): tf.Tensor4D => tf.conv2d(x, ws[i] as tf.Tensor4D, stride, 'same');
  const forward = (x: tf.Tensor4D): tf.Tensor4D => {
    const e1 = tf.relu(conv(x, 0, 2));
    const e2 = tf.relu(conv(e1, 1, 2));
    const b = tf.relu(conv(e2, 2));
    const d1 = tf.relu(conv(tf.concat([tf.image.resizeBilinear(b, [e1.shape[1], e1.shape[2]]), e1], 3), 3));
    const d0 = tf.relu(conv(tf.concat([tf.image.resizeBilinear(d1, [x.shape[1], x.shape[2]]), x], 3), 4));
    return conv(d0, 5);
  };
  return { vars: ws, forward };
}

async function benchNet(): Promise<void> {
  console.log('\n[net] U-Net, input 4x64x128x6 (stereo pair), L1 loss, Adam (ms)');
  const net = uNet();
  const x = tf.randomNormal([4, 64, 128, 6]) as tf.Tensor4D;
  const y = tf.randomNormal([4, 64, 128, 1]) as tf.Tensor4D;
  const optimizer = tf.train.adam(1e-3);
  const loss = (): tf.Scalar => tf.mean(tf.abs(tf.sub(net.forward(x), y)));
  const forward = msOps(loss, 5);
  const step = msOps(() => optimizer.minimize(loss, true, net.vars)!, 5);
  console.log(`wasm batch 4: forward ${fmt(forward)}   train step ${fmt(step)}   step/forward ${(step / forward).toFixed(2)}`);
  // The cpu reference at batch 1 and square: a batch-4 step takes most of a minute there, and
  // the cpu ResizeBilinearGrad mislabels non-square gradients, failing the step outright.
  const x1 = tf.slice(x, [0, 0, 0, 0], [1, 64, 64, 6]) as tf.Tensor4D;
  const y1 = tf.slice(y, [0, 0, 0, 0], [1, 64, 64, 1]) as tf.Tensor4D;
  const loss1 = (): tf.Scalar => tf.mean(tf.abs(tf.sub(net.forward(x1), y1)));
  const wasmStep1 = msOps(() => optimizer.minimize(loss1, true, net.vars)!, 5);
  const cpuStep1 = await onCpu(() => msOps(() => optimizer.minimize(loss1, true, net.vars)!, 1, 0));
  console.log(`1x64x64: wasm train step ${fmt(wasmStep1)}   cpu train step ${fmt(cpuStep1)}   cpu/wasm ${(cpuStep1 / wasmStep1).toFixed(1)}`);
  console.log('wasm without these kernels: no train step at all (Conv2DBackpropFilter missing)');
  optimizer.dispose();
  tf.dispose([x, y, x1, y1, ...net.vars]);
}

type Op = [name: string, input: number[], f: (x: tf.Tensor) => tf.Tensor];

/** The ops the DispNet-like and DPT-like models train through. */
function auditOps(): Op[] {
  const img = [4, 32, 64, 32];
  const small = [4, 16, 32, 32];
  const tokens = [8, 256, 64];
  const w33 = tf.randomNormal([3, 3, 32, 32]) as tf.Tensor4D;
  const dw = tf.randomNormal([3, 3, 32, 1]) as tf.Tensor4D;
  const dense = tf.randomNormal([64, 256]);
  const t4 = (x: tf.Tensor): tf.Tensor4D => x as tf.Tensor4D;
  return [
    ['conv2d 3x3 s1', img, (x) => tf.conv2d(t4(x), w33, 1, 'same')],
    ['conv2d 3x3 s2', img, (x) => tf.conv2d(t4(x), w33, 2, 'same')],
    ['conv2dTranspose s2', small, (x) => tf.conv2dTranspose(t4(x), w33, [4, 32, 64, 32], 2, 'same')],
    ['depthwiseConv2d s1', img, (x) => tf.depthwiseConv2d(t4(x), dw, 1, 'same')],
    ['relu', img, (x) => tf.relu(x)],
    ['relu6', img, (x) => tf.relu6(x)],
    ['leakyRelu', img, (x) => tf.leakyRelu(x, 0.1)],
    ['elu', img, (x) => tf.elu(x)],
    ['sigmoid', img, (x) => tf.sigmoid(x)],
    ['gelu (erf)', img, (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))],
    ['gelu (tanh)', img, (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI)))))],
    ['resizeBilinear 2x', small, (x) => tf.image.resizeBilinear(t4(x), [32, 64])],
    ['resizeBilinear 2x halfPixel', small, (x) => tf.image.resizeBilinear(t4(x), [32, 64], false, true)],
    ['resizeBilinear 2x alignCorners', small, (x) => tf.image.resizeBilinear(t4(x), [32, 64], true)],
    ['resizeNearestNeighbor 2x', small, (x) => tf.image.resizeNearestNeighbor(t4(x), [32, 64])],
    ['maxPool 2x2', img, (x) => tf.maxPool(t4(x), 2, 2, 'same')],
    ['avgPool 2x2', img, (x) => tf.avgPool(t4(x), 2, 2, 'same')],
    ['concat', img, (x) => tf.concat([x, tf.mul(x, 2)], 3)],
    ['slice', img, (x) => tf.slice(x, [0, 1, 2, 0], [4, 30, 60, 32])],
    ['pad', img, (x) => tf.pad(x, [[0, 0], [1, 1], [2, 2], [0, 0]])],
    [
      'correlation (pad/slice/mul/mean) 16 disp',
      img,
      (x) => {
        const padded = tf.pad(x, [[0, 0], [0, 0], [15, 0], [0, 0]]);
        const maps = [];
        for (let d = 0; d < 16; d++) maps.push(tf.mean(tf.mul(x, tf.slice(padded, [0, 0, 15 - d, 0], img)), 3, true));
        return tf.concat(maps, 3);
      },
    ],
    ['stack (cost volume)', img, (x) => tf.stack([x, tf.mul(x, 2)], 1)],
    ['tile', [4, 1, 64, 32], (x) => tf.tile(x, [1, 32, 1, 1])],
    ['mean / sum', img, (x) => tf.add(tf.mean(x, 3, true), tf.sum(x))],
    ['max over channels', img, (x) => tf.max(x, 3, true)],
    ['abs / sqrt (L1, charbonnier)', img, (x) => tf.add(tf.abs(x), tf.sqrt(tf.add(tf.square(x), 1e-3)))],
    ['clipByValue', img, (x) => tf.clipByValue(x, -1, 1)],
    ['transpose', img, (x) => tf.transpose(x, [0, 3, 1, 2])],
    ['layerNorm (moments)', tokens, (x) => { const m = tf.moments(x, -1, true); return tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, 1e-5))); }],
    ['dense 2048x64 . 64x256', [2048, 64], (x) => tf.matMul(x, dense)],
    ['attention scores QK^T', tokens, (x) => tf.matMul(x, x, false, true)],
    ['softmax', [8, 256, 256], (x) => tf.softmax(x)],
    ['logSoftmax', [8, 256, 256], (x) => tf.logSoftmax(x)],
    ['gather (embedding)', [1024, 64], (x) => tf.gather(x, tf.tensor1d([1, 5, 7, 1000, 3, 3], 'int32'))],
    ['where (needs a grad for Less)', img, (x) => tf.where(tf.less(tf.abs(x), 1), tf.square(x), tf.abs(x))],
    ['stridedSlice', img, (x) => tf.stridedSlice(x, [0, 0, 0, 0], [4, 32, 64, 32], [1, 2, 2, 1])],
  ];
}

function benchOps(): void {
  console.log('\n[ops] forward and forward+backward on wasm with our kernels (ms)');
  console.log('op                                          forward  fwd+bwd  ratio');
  for (const [name, shape, f] of auditOps()) {
    const x = tf.randomNormal(shape);
    try {
      const forward = msOps(() => f(x), 3);
      const grad = tf.grad((a: tf.Tensor) => tf.sum(f(a)));
      const both = msOps(() => grad(x), 3);
      console.log(`${name.padEnd(42)} ${fmt(forward)} ${fmt(both)} ${(both / forward).toFixed(1).padStart(6)}`);
    } catch (err) {
      console.log(`${name.padEnd(42)} FAILED: ${(err as Error).message.split('\n')[0]}`);
    }
    x.dispose();
  }
}

await initTrainingBackend('wasm');
console.log(`hilbertq wasm training kernels, tfjs ${tf.version.tfjs}, node ${process.version}, 1 thread`);
if (wanted('conv')) await benchConv();
if (wanted('other')) benchOther();
if (wanted('net')) await benchNet();
if (wanted('ops')) benchOps();
