import type { ModelProto } from '../onnx/onnx-proto.js';

/** Hands out value and node names that do not clash with anything in the graph or with each other. */
export class NameAllocator {
  private readonly used = new Set<string>();

  constructor(model: ModelProto) {
    const g = model.graph;
    for (const n of g.node) {
      this.used.add(n.name);
      for (const v of [...n.input, ...n.output]) this.used.add(v);
    }
    for (const v of [...g.initializer, ...g.input, ...g.output]) this.used.add(v.name);
  }

  take(wanted: string): string {
    let name = wanted;
    for (let i = 1; this.used.has(name); i++) name = `${wanted}.${i}`;
    this.used.add(name);
    return name;
  }
}
