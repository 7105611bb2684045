import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { colorizeDisparity } from '../data/colorize.js';
import { checkImageExtension, readImage, writeImage } from '../data/formats/image.js';
import { writePfmDisparity } from '../data/formats/disparity.js';
import { parseSize } from '../data/options.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import { checkInferSize, DEFAULT_MAX_INFER_PIXELS, MAX_INFER_PIXELS_ENV } from '../infer/infer-limits.js';
import { ConfigError, FileFormatError } from '../util/errors.js';
import { warnSlowDecode } from './eval.js';
import { runBatchInfer } from './infer-batch.js';
import { refuseFileOnPath, refuseOverwritingInputs } from './output-guard.js';

export interface InferFlags {
  model: string;
  left?: string;
  right?: string;
  data?: string;
  out: string;
  /** A file name for one pair; `true` (no value) with --data: a PNG beside every PFM. */
  png?: string | true;
  eval?: boolean;
  resize?: string;
}

export function registerInferCommand(program: Command): void {
  program
    .command('infer')
    .description('disparity of one stereo pair (--left/--right) or of every pair of a dataset (--data) with an ONNX model (fp32 or quantized) on ONNX Runtime')
    .requiredOption('--model <file.onnx>', 'model from hilbertq export or hilbertq quantize')
    .option('--left <image>', 'left image (PNG or JPEG)')
    .option('--right <image>', 'right image (PNG or JPEG)')
    .option('--data <dir>', 'every pair of a dataset folder (generated, Middlebury or KITTI layout), one model load')
    .requiredOption('--out <path>', 'disp.pfm for one pair; with --data a folder (created) receiving one PFM per pair, named after the sample (else 000000.pfm, ...)')
    .option('--png [vis.png]', 'also write a colourised disparity image (with --data: no value, one PNG beside each PFM)')
    .option('--eval', 'with --data: print EPE, D1 and RMSE against the dataset\'s ground truth')
    .option('--resize <HxW>', 'run the model at this size (disparity is scaled back to the input)')
    .addHelpText(
      'after',
      `\nLimits: a pair is run at most at ${DEFAULT_MAX_INFER_PIXELS / 1e6} MP (height x width, the --resize size if given), ` +
        `a vit at most at the size its attention fits in 2 GB (about 2 MP with 4 heads); ${MAX_INFER_PIXELS_ENV} replaces both. ` +
        'A larger pair is refused with a --resize that fits.',
    )
    .action((flags: InferFlags) => (flags.data !== undefined ? runBatchInfer(flags) : runInfer(flags)));
}

export function countNonFinite(values: Float32Array): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) count++;
  return count;
}

/** The warning for NaN or infinite disparities written to a PFM (a broken model, or metadata that lies). */
export function nonFiniteWritten(model: string, nonFinite: number, pixels: number): string | null {
  if (nonFinite === 0) return null;
  return `warning: ${model} predicted ${nonFinite} non-finite disparities (NaN or infinite) of ${pixels}; written as they are (PFM readers take them as unknown)`;
}

async function runInfer(flags: InferFlags): Promise<void> {
  if (flags.left === undefined || flags.right === undefined) {
    throw new ConfigError('--left/--right', flags.left ?? flags.right ?? '(none)', 'give both images of the pair, or --data <dir> for a dataset');
  }
  if (flags.eval) throw new ConfigError('--eval', 'true', 'needs --data (a dataset with ground truth)');
  if (flags.png === true) throw new ConfigError('--png', '(no file)', 'name the picture to write for one pair, e.g. --png disp.png');
  const resize = flags.resize !== undefined ? parseSize(flags.resize, '--resize') : undefined;
  // The extension decides the format: x.png used to receive PFM bytes.
  if (!/\.pfm$/i.test(flags.out)) throw new ConfigError('--out', flags.out, 'disparity is written as PFM: name it .pfm (and use --png for a picture)');
  if (flags.png) checkImageExtension(flags.png, '--png');
  // Found before the run, which would otherwise write the PFM and then fail on the picture.
  if (flags.png && existsSync(flags.png) && statSync(flags.png).isDirectory()) throw new ConfigError('--png', flags.png, 'is a folder; name the picture file to write');
  refuseOverwritingInputs([{ flag: '--out', path: flags.out }, ...(flags.png ? [{ flag: '--png', path: flags.png }] : [])], [flags.left, flags.right, flags.model]);
  refuseFileOnPath(flags.out, '--out');
  if (flags.png) refuseFileOnPath(flags.png, '--png');
  // Read and check every input before the model: a bad image should not cost a session load.
  // Each size is checked from the image's header, before it is decoded: the left's against the
  // limit, the right's against the left's.
  const [leftFile, rightFile] = [flags.left, flags.right];
  const left = readImage(leftFile, (size) => checkInferSize(leftFile, size, resize, flags.resize));
  const right = readImage(rightFile, (size) => {
    if (size.width !== left.width || size.height !== left.height) {
      throw new FileFormatError(rightFile, `is ${size.width}x${size.height}, but the left image ${leftFile} is ${left.width}x${left.height}`);
    }
  });
  const predictor = await DepthPredictor.load(flags.model);
  warnSlowDecode(flags.model, predictor);
  try {
    // Again with the model's own limit (a ViT's attention), known once it is loaded.
    checkInferSize(flags.left, left, resize, flags.resize, predictor.config);
    const started = performance.now();
    const result = await predictor.predict(left, right, resize ? { resize } : {});
    const ms = performance.now() - started;
    const valid = new Uint8Array(result.disparity.length).fill(1);
    writePfmDisparity(flags.out, { width: result.width, height: result.height, disp: result.disparity, valid });
    if (flags.png) {
      const maxDisp = predictor.config.maxDisp * (resize ? result.width / resize.width : 1);
      writeImage(flags.png, colorizeDisparity(result.width, result.height, result.disparity, null, maxDisp));
    }
    console.log(
      `${flags.out}: ${result.width}x${result.height} disparity from ${predictor.config.family}-${predictor.config.head} ` +
        `(${predictor.scheme}) in ${ms.toFixed(0)} ms` + (flags.png ? `; preview ${flags.png}` : ''),
    );
    const warning = nonFiniteWritten(flags.model, countNonFinite(result.disparity), result.disparity.length);
    if (warning) console.error(`hilbertq: ${warning}`);
  } finally {
    await predictor.release();
  }
}
