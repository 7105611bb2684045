import { Command } from 'commander';
import { HilbertqError } from '../util/errors.js';
import { printable } from '../util/printable.js';
import { packageVersion } from '../util/provenance.js';
import { registerCurveCommand } from './curve.js';
import { registerDataCommand } from './data.js';
import { registerDemoCommand } from './demo.js';
import { registerEvalCommand } from './eval.js';
import { registerExperimentCommand } from './experiment.js';
import { registerExportCommand } from './export.js';
import { registerInferCommand } from './infer.js';
import { registerQuantizeCommand } from './quantize.js';
import { registerTrainCommand } from './train.js';
import { registerWebCommand } from './web.js';

/** Every subcommand lives in its own file and registers itself here. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('hilbertq')
    .description('INT8-robust dense regression with Hilbert-curve output heads')
    .version(packageVersion(), '-V, --version', 'print the hilbertq version')
    .showHelpAfterError();
  registerCurveCommand(program);
  registerDataCommand(program);
  registerTrainCommand(program);
  registerEvalCommand(program);
  registerExportCommand(program);
  registerQuantizeCommand(program);
  registerInferCommand(program);
  registerDemoCommand(program);
  registerExperimentCommand(program);
  registerWebCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // Expected, user-facing failures print one line; anything else is a bug and keeps its stack.
    if (err instanceof HilbertqError) {
      console.error(`hilbertq: ${printable(err.message)}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
