import * as tf from '@tensorflow/tfjs';
import type { StereoBatch } from '../data/types.js';
import { curveOf } from '../models/head-decode.js';
import type { ModelGraph } from '../models/ir.js';
import { runGraph, type ParamMap } from '../models/tfjs-build.js';
import type { Adam } from './adam.js';
import type { TrainConfig } from './config.js';
import { directLoss, hilbertLoss, type LossParts } from './losses.js';

export interface StepResult {
  loss: number;
  l1: number;
  curveTerm?: number;
  gradNorm: number;
}

/** One optimizer step: forward, the head's loss, gradients, Adam. Leaves no tensors behind. */
export function trainStep(
  config: TrainConfig,
  graph: ModelGraph,
  params: ParamMap,
  variables: tf.Variable[],
  adam: Adam,
  batch: StereoBatch,
  step: number,
  lr: number,
): StepResult {
  const { n, height, width } = batch;
  const maxDisp = config.model.maxDisp;
  let parts: LossParts | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const image = (data: Float32Array): tf.Tensor4D =>
      tf.transpose(tf.tensor4d(data, [n, 3, height, width]), [0, 2, 3, 1]) as tf.Tensor4D;
    const targets = { disp: tf.tensor3d(batch.disp, [n, height, width]), valid: tf.tensor3d(batch.valid, [n, height, width]) };
    const pred = runGraph(graph, params, { left: image(batch.left), right: image(batch.right) }, {
      training: true,
      ...(config.headNoise > 0 ? { headNoise: { std: config.headNoise, seed: noiseSeed(config.seed, step) } } : {}),
      ...(config.fakeQuant ? { fakeQuant: config.fakeQuant } : {}),
    });
    parts =
      config.model.head === 'direct'
        ? directLoss(pred, targets, config.model)
        : hilbertLoss(pred, targets, curveOf(config.model), { maxDisp, alpha: config.alpha, beta: config.beta, outputNoise: config.outputNoise ?? 0 });
    tf.keep(parts.disparityL1);
    if (parts.curveTerm) tf.keep(parts.curveTerm);
    return parts.total;
  }, variables);
  const named: tf.NamedTensorMap = {};
  for (const [name, v] of params) named[name] = grads[v.name];
  const gradNorm = adam.apply(named, lr);
  const loss = value.dataSync()[0];
  const p = parts as unknown as LossParts;
  const l1 = p.disparityL1.dataSync()[0];
  const curveTerm = p.curveTerm?.dataSync()[0];
  tf.dispose([value, p.disparityL1, ...(p.curveTerm ? [p.curveTerm] : []), ...Object.values(grads)]);
  return { loss, l1, ...(curveTerm !== undefined ? { curveTerm } : {}), gradNorm };
}

function noiseSeed(seed: number, step: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0;
}

