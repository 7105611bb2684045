import type { NodeProto } from '../onnx/onnx-proto.js';
import type { GraphIndex } from './graph-index.js';
import type { Range } from './qparams.js';
import type { SchemeSpec } from './schemes.js';

/** Where a quantized activation gets its scale and zero point from. */
export type ActivationSource =
  | { kind: 'calibrated' }
  | { kind: 'fixed'; range: Range }
  /** Same scale and zero point as another tensor, so ORT can drop the Q/DQ around data movement. */
  | { kind: 'shared'; with: string }
  /** A float initializer consumed like an activation (Add/Mul constants): range from its own values. */
  | { kind: 'constant' };

export interface BiasRequest {
  node: NodeProto;
  bias: string;
  input: string;
  weight: string;
}

/**
 * The quantizer's decisions before any graph is rewritten, filled in by the per-op rules (the
 * counterpart of ORT's QDQQuantizer state: tensors_to_quantize, bias_to_quantize, ...). Every
 * request is idempotent, so the rules can be re-applied until nothing changes.
 */
export class QuantPlan {
  readonly activations = new Map<string, ActivationSource>();
  readonly weights = new Map<string, { axis: number | null }>();
  readonly biases: BiasRequest[] = [];
  /** Removed activation node -> the node whose output it takes over. */
  readonly folded = new Map<NodeProto, NodeProto>();
  /** Nodes a rule quantized. */
  readonly handled = new Set<NodeProto>();
  /** A folded activation's input -> its output, which the producer writes instead. */
  private readonly renamed = new Map<string, string>();
  private changes = 0;

  constructor(
    readonly graph: GraphIndex,
    readonly scheme: SchemeSpec,
  ) {}

  /** Increases whenever a request changed the plan; the planner loops until it stays put. */
  get version(): number {
    return this.changes;
  }

  /** The value's name once folding is applied: rules keep seeing the float graph's names. */
  resolve(name: string): string {
    return this.renamed.get(name) ?? name;
  }

  isQuantized(name: string): boolean {
    const value = this.resolve(name);
    return this.activations.has(value) || this.weights.has(value);
  }

  /** Quantize a float value as an activation (per tensor); an initializer becomes a quantized constant. */
  quantizeTensor(tensor: string): void {
    const name = this.resolve(tensor);
    if (!this.graph.isFloat(name) || this.isQuantized(name)) return;
    this.set(name, this.graph.initializer(name) ? { kind: 'constant' } : { kind: 'calibrated' });
  }

  /** Quantize a float initializer as a symmetric int8 weight, per channel along `axis` when the scheme says so. */
  quantizeWeight(name: string, axis: number): void {
    if (!this.graph.initializer(name)) return this.quantizeTensor(name);
    if (!this.graph.isFloat(name) || this.weights.has(name)) return;
    this.activations.delete(name);
    this.weights.set(name, { axis: this.scheme.perChannelWeights ? axis : null });
    this.changes++;
  }

  /** int32 bias of `node` with scale input_scale * weight_scale. */
  quantizeBias(node: NodeProto, bias: string, input: string, weight: string): void {
    if (!this.graph.initializer(bias) || !this.graph.isFloat(bias)) return;
    if (this.biases.some((b) => b.node === node && b.bias === bias)) return;
    this.biases.push({ node, bias, input: this.resolve(input), weight });
    this.changes++;
  }

  /** `output` reuses `input`'s scale and zero point (overrides an earlier calibrated request). */
  shareParams(outputTensor: string, inputTensor: string): void {
    const output = this.resolve(outputTensor);
    const input = this.resolve(inputTensor);
    if (!this.graph.isFloat(output)) return;
    const current = this.activations.get(output);
    if (current?.kind === 'shared' && current.with === input) return;
    if (this.rootOf(input) === output) return;
    this.set(output, { kind: 'shared', with: input }, true);
  }

  /** A range known without calibration (Softmax output, image inputs). */
  fixRange(tensor: string, range: Range): void {
    const name = this.resolve(tensor);
    const current = this.activations.get(name);
    if (current?.kind === 'fixed' && current.range.min === range.min && current.range.max === range.max) return;
    this.set(name, { kind: 'fixed', range }, true);
  }

  /** The tensor whose scale and zero point `name` ends up with. */
  rootOf(name: string): string {
    let current = this.resolve(name);
    for (let hops = 0; hops <= this.activations.size; hops++) {
      const source = this.activations.get(current);
      if (source?.kind !== 'shared') return current;
      current = source.with;
    }
    throw new Error(`quantization parameters of ${name} are shared in a cycle`);
  }

  /**
   * Removes a Relu/Clip whose input is quantized and used by it alone: the producer writes the
   * activation's output directly and that output's range (floor 0) makes the Q clamp like the
   * activation did. ORT's QDQRemovableActivation / try_replacing_upstream_output.
   */
  foldActivation(activation: NodeProto): boolean {
    const input = activation.input[0];
    const output = activation.output[0];
    const producer = this.graph.producer(input);
    if (!producer || this.folded.has(activation)) return false;
    if (this.activations.get(input)?.kind !== 'calibrated') return false;
    if (this.graph.consumers(input).length !== 1 || this.graph.isGraphOutput(input)) return false;
    this.activations.delete(input);
    if (!this.activations.has(output)) this.activations.set(output, { kind: 'calibrated' });
    this.folded.set(activation, producer);
    this.renamed.set(input, output);
    this.changes++;
    return true;
  }

  private set(name: string, source: ActivationSource, override = false): void {
    if (!override && this.activations.has(name)) return;
    this.activations.set(name, source);
    this.changes++;
  }
}
