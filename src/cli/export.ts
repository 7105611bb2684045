import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_OPSET, HEAD_TAIL_PLACES, MAX_OPSET } from '../onnx/export.js';
import { exportModelDir, type ExportSummary } from '../onnx/export-dir.js';
import { MANIFEST_FILE, WEIGHTS_FILE } from '../models/weights-io.js';
import { refuseOverwritingInputs } from './output-guard.js';
import { choice, parseIntOption } from './options.js';

interface ExportFlags {
  out?: string;
  opset: number;
  headTail: string;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('export a trained model folder (model.json + weights.bin) to ONNX: NCHW float32, dynamic N, H, W')
    .argument('<modelDir>', 'model folder, e.g. models/unet-hilbert')
    .option('--out <file>', 'ONNX file to write (default: <modelDir>/model.onnx)')
    .option('--opset <n>', `ONNX opset, ${DEFAULT_OPSET}..${MAX_OPSET}`, parseIntOption('--opset'), DEFAULT_OPSET)
    .option(
      '--head-tail <place>',
      `where the head's bilinear x2 and sigmoid run: ${HEAD_TAIL_PLACES.join(' or ')}; graph makes a self-contained ONNX, decoder leaves them to hilbertq's runtime (hilbertq quantize does so for 8-bit activations)`,
      'graph',
    )
    .action((modelDir: string, flags: ExportFlags) => {
      const headTail = choice('--head-tail', flags.headTail, HEAD_TAIL_PLACES);
      const out = flags.out ?? join(modelDir, 'model.onnx');
      // `--out DIR/weights.bin` wrote ONNX bytes over the model it reads.
      refuseOverwritingInputs([{ flag: '--out', path: out }], [join(modelDir, MANIFEST_FILE), join(modelDir, WEIGHTS_FILE)]);
      const summary = exportModelDir(modelDir, out, { opset: flags.opset, headTail });
      console.log(formatExportSummary(summary));
    });
}

export function formatExportSummary(s: ExportSummary): string {
  const size = s.bytes >= 1 << 20 ? `${(s.bytes / (1 << 20)).toFixed(2)} MiB` : `${(s.bytes / 1024).toFixed(1)} KiB`;
  return `wrote ${s.file}: ${s.graph}, ${size}, opset ${s.opset}, ${s.nodes} nodes`;
}
