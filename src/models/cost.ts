import { inferValueInfo, type Dim } from './ir-check.js';
import type { ModelGraph } from './ir.js';

/**
 * Multiply-accumulates of one forward pass for one H x W stereo pair, counting conv2d and
 * matMul only (everything else is memory-bound and small). Machine-independent, so model
 * sizes can be compared while the CPU is shared.
 */
export function countMacs(graph: ModelGraph, height: number, width: number): number {
  const info = inferValueInfo(graph);
  const params = new Map(graph.params.map((p) => [p.name, p.shape]));
  const size = (d: Dim): number => {
    if (typeof d === 'number') return d;
    if (d === 'N') return 1;
    const stride = Number(d.slice(1));
    return (height / stride) * (width / stride);
  };
  let macs = 0;
  for (const node of graph.nodes) {
    const out = info.get(node.name);
    if (node.op === 'conv2d' && out?.kind === 'map') {
      const [kh, kw, cin] = params.get(node.inputs[1]) as number[];
      macs += (height / out.stride) * (width / out.stride) * out.channels * kh * kw * cin;
    } else if (node.op === 'matMul' && out?.kind === 'tensor') {
      const a = info.get(node.inputs[0]);
      if (a?.kind !== 'tensor') continue;
      const k = size(a.shape[a.shape.length - 1]);
      macs += out.shape.reduce<number>((p, d) => p * size(d), 1) * k;
    }
  }
  return macs;
}
