import { Rng } from '../util/rng.js';
import type { ModelGraph, ParamSpec } from './ir.js';

/**
 * Initial parameter values, a pure function of (seed, parameter name): each parameter draws
 * from its own Rng stream keyed by a hash of its name, so adding a parameter elsewhere, or
 * swapping the head, leaves every other initial value unchanged.
 */
export function initialParamValues(graph: Pick<ModelGraph, 'params'>, seed: number): Map<string, Float32Array> {
  return new Map(graph.params.map((p) => [p.name, initialValue(p, seed)]));
}

export function initialValue(p: ParamSpec, seed: number): Float32Array {
  const size = p.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (p.init.kind === 'const') return out.fill(p.init.value);
  const rng = new Rng(seed, hashName(p.name));
  for (let i = 0; i < size; i++) out[i] = rng.gaussian() * p.init.std;
  return out;
}

/** FNV-1a, 32 bit. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
