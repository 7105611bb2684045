import * as ort from 'onnxruntime-web/wasm';
import { OutputDecoder } from '../src/infer/output-decoder.js';
import { predictStereoPair, type HeadOutput, type StereoPairResult } from '../src/infer/stereo-pair.js';
import type { RgbImage } from '../src/data/types.js';
import type { SiteModelFile } from '../src/web/manifest.js';

export const GRAPH_OPTIMIZATIONS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimization = (typeof GRAPH_OPTIMIZATIONS)[number];

/** One .onnx file of the site on onnxruntime-web's wasm EP, decoded by the same code as on Node. */
export class WebModel {
  private constructor(
    readonly entry: SiteModelFile,
    private readonly session: ort.InferenceSession,
    readonly decoder: OutputDecoder,
  ) {}

  /**
   * optimization 'all' (the default) lets ORT fuse the QDQ graph into its integer kernels;
   * 'basic' keeps QuantizeLinear/DequantizeLinear with float ops between them, the quantization
   * simulated exactly, which ORT on Node reproduces to the last bit (the end-to-end test uses it).
   */
  static async load(entry: SiteModelFile, optimization: GraphOptimization = 'all'): Promise<WebModel> {
    const session = await ort.InferenceSession.create(entry.file, { executionProviders: ['wasm'], graphOptimizationLevel: optimization });
    return new WebModel(entry, session, new OutputDecoder(entry.config, entry.encoding, entry.file));
  }

  predict(left: RgbImage, right: RgbImage, resize?: { width: number; height: number }): Promise<StereoPairResult> {
    return predictStereoPair(left, right, { stride: this.entry.stride, decoder: this.decoder, run: (l, r, h, w) => this.runRaw(l, r, h, w) }, resize);
  }

  /** The head's output (as predict() returns it) as curve-space values: codes dequantized, floats as they are. */
  dequantize(raw: HeadOutput): Float32Array {
    return this.decoder.points(raw);
  }

  private async runRaw(left: Float32Array, right: Float32Array, height: number, width: number): Promise<HeadOutput> {
    const feeds = {
      left: new ort.Tensor('float32', left, [1, 3, height, width]),
      right: new ort.Tensor('float32', right, [1, 3, height, width]),
    };
    const result = await this.session.run(feeds);
    const output = result.output;
    if (!output) throw new Error(`${this.entry.file} has no output named "output"`);
    return output.data as HeadOutput;
  }
}

/** Points ORT at the site's own copy of its runtime (never a CDN) and sets the thread count. */
export function configureOrt(wasmPaths: string, threads: number): void {
  ort.env.wasm.wasmPaths = new URL(wasmPaths, location.href).href;
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
}
