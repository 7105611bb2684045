import type { Command } from 'commander';
import { colorizeDisparity } from '../data/colorize.js';
import { checkImageExtension, readImage, writeImage } from '../data/formats/image.js';
import { writePfmDisparity } from '../data/formats/disparity.js';
import { parseSize } from '../data/options.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import { ConfigError } from '../util/errors.js';

interface InferFlags {
  model: string;
  left: string;
  right: string;
  out: string;
  png?: string;
  resize?: string;
}

export function registerInferCommand(program: Command): void {
  program
    .command('infer')
    .description('disparity of one stereo pair with an ONNX model (fp32 or quantized) on ONNX Runtime')
    .requiredOption('--model <file.onnx>', 'model from hilbertq export or hilbertq quantize')
    .requiredOption('--left <image>', 'left image (PNG or JPEG)')
    .requiredOption('--right <image>', 'right image (PNG or JPEG)')
    .requiredOption('--out <disp.pfm>', 'disparity in pixels at the input resolution')
    .option('--png <vis.png>', 'also write a colourised disparity image')
    .option('--resize <HxW>', 'run the model at this size (disparity is scaled back to the input)')
    .action((flags: InferFlags) => runInfer(flags));
}

async function runInfer(flags: InferFlags): Promise<void> {
  const resize = flags.resize ? parseSize(flags.resize, '--resize') : undefined;
  // The extension decides the format: x.png used to receive PFM bytes.
  if (!/\.pfm$/i.test(flags.out)) throw new ConfigError('--out', flags.out, 'disparity is written as PFM: name it .pfm (and use --png for a picture)');
  if (flags.png) checkImageExtension(flags.png, '--png');
  // Read and check every input before the model: a bad image should not cost a session load.
  const left = readImage(flags.left);
  const right = readImage(flags.right);
  const predictor = await DepthPredictor.load(flags.model);
  try {
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
  } finally {
    await predictor.release();
  }
}
