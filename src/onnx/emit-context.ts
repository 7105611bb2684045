import type { ModelGraph, ParamSpec } from '../models/ir.js';
import { toAttributeProtos, type AttrValue } from './attributes.js';
import { floatTensor, hwioToOihw, int64Tensor } from './initializers.js';
import type { NodeProto, TensorProto } from './onnx-proto.js';
import type { MatchingCostForm } from './export.js';

type NamedNode = { readonly name: string };

/** The ONNX name of the model output, whatever the IR calls its output node. */
export const OUTPUT_NAME = 'output';

/**
 * What an op emitter sees: ONNX names of IR values, a node appender, and deduplicated
 * initializers. ONNX values keep their IR names (intermediates of multi-node ops get
 * `irNode/suffix`), so a node in Netron can be traced back to the builder that made it.
 */
export class EmitContext {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly params: Map<string, ParamSpec>;
  private readonly aliases = new Map<string, string>();
  private readonly constants = new Map<string, string>();
  private readonly usedNames = new Set<string>();
  private readonly memo = new Map<string, string>();
  private readonly outputIsNode: boolean;

  constructor(
    readonly graph: ModelGraph,
    private readonly values: ReadonlyMap<string, Float32Array>,
    readonly opset: number,
    /** See ExportOptions.matchingCost. */
    readonly matchingCost: MatchingCostForm = 'band-matmul',
  ) {
    this.params = new Map(graph.params.map((p) => [p.name, p]));
    this.outputIsNode = graph.nodes.some((n) => n.name === graph.output);
    for (const name of [...graph.inputs.map((i) => i.name), ...graph.params.map((p) => p.name)]) this.usedNames.add(name);
  }

  /** ONNX name of an IR value: a graph input, an earlier node's output, or a parameter as-is. */
  input(irName: string): string {
    const alias = this.aliases.get(irName);
    if (alias) return alias;
    if (this.params.has(irName)) return this.param(irName);
    return irName === this.graph.output && this.outputIsNode ? OUTPUT_NAME : irName;
  }

  /** Where the last ONNX node of `node` must write. */
  outputOf(node: NamedNode): string {
    return node.name === this.graph.output ? OUTPUT_NAME : node.name;
  }

  /** A name for an intermediate value of `node`'s lowering. */
  temp(node: NamedNode, suffix: string): string {
    return `${node.name}/${suffix}`;
  }

  /** Appends one ONNX node writing `output`; returns `output`. */
  emit(opType: string, inputs: readonly string[], output: string, attrs: Readonly<Record<string, AttrValue>> = {}): string {
    if (this.usedNames.has(output)) throw new Error(`ONNX value ${output} would be written twice`);
    this.usedNames.add(output);
    this.nodes.push({ name: output, op_type: opType, input: [...inputs], output: [output], attribute: toAttributeProtos(attrs) });
    return output;
  }

  /** Lets `node` stand for an existing value instead of emitting an Identity. */
  alias(node: NamedNode, onnxName: string): void {
    if (node.name === this.graph.output) this.emit('Identity', [onnxName], OUTPUT_NAME);
    else this.aliases.set(node.name, onnxName);
  }

  /** A parameter in its IR layout, added once however many nodes read it. */
  param(name: string): string {
    return this.paramInitializer(name, 'ir');
  }

  /** A conv2d weight, transposed from the IR's HWIO to ONNX's OIHW (shared convs share it). */
  convWeight(name: string): string {
    return this.paramInitializer(name, 'oihw');
  }

  /** A float32 scalar (Mul/Add constants, Clip bounds), one initializer per distinct value. */
  floatScalar(value: number): string {
    return this.constant(`f32:${value}`, `const.f32.${value}`, (name) => floatTensor(name, [], [value]));
  }

  /** A 1-D float32 constant, e.g. Resize scales. */
  floats(values: readonly number[]): string {
    return this.constant(`f32s:${values}`, `const.f32.[${values}]`, (name) => floatTensor(name, [values.length], values));
  }

  /** A float32 constant tensor of any shape (e.g. fixed conv weights), one initializer per name. */
  floatTensor(name: string, dims: readonly number[], values: readonly number[]): string {
    return this.constant(`f32t:${name}`, name, (unique) => floatTensor(unique, [...dims], values));
  }

  /** A 1-D int64 constant (Reshape shapes, Pad pads, Slice bounds and axes). */
  int64s(values: readonly (number | bigint)[]): string {
    return this.constant(`i64:${values}`, `const.i64.[${values}]`, (name) => int64Tensor(name, values));
  }

  /** Computes a value once per key (e.g. one Shape node per reference map). */
  once(key: string, make: () => string): string {
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const name = make();
    this.memo.set(key, name);
    return name;
  }

  private constant(key: string, name: string, make: (name: string) => TensorProto): string {
    const hit = this.constants.get(key);
    if (hit) return hit;
    if (this.usedNames.has(name)) throw new Error(`constant name ${name} clashes with a graph value`);
    this.usedNames.add(name);
    this.initializers.push(make(name));
    this.constants.set(key, name);
    return name;
  }

  private paramInitializer(name: string, layout: 'ir' | 'oihw'): string {
    return this.once(`${layout}:${name}`, () => {
      const spec = this.params.get(name);
      if (!spec) throw new Error(`${name} is not a parameter of ${this.graph.name}`);
      const values = this.values.get(name);
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (!values || values.length !== size) {
        throw new Error(`parameter ${name} [${spec.shape}]: expected ${size} values, got ${values?.length ?? 'none'}`);
      }
      // The plain name goes to whichever layout asks first; a second layout gets a suffix.
      const other = this.memo.get(`${layout === 'ir' ? 'oihw' : 'ir'}:${name}`);
      const onnxName = other === name ? `${name}.${layout}` : name;
      const tensor = layout === 'ir' ? { dims: spec.shape, values } : hwioToOihw(values, spec.shape);
      this.usedNames.add(onnxName);
      this.initializers.push(floatTensor(onnxName, tensor.dims, tensor.values));
      return onnxName;
    });
  }
}
