import { join } from 'node:path';
import type { Command } from 'commander';
import { PRESETS } from '../experiment/presets.js';
import { addPipelineOptions, runPipelineCommand, withFlags, type PipelineFlags } from './experiment.js';

/**
 * The main job: the precision zoo, where INT8 error dominates, is the headline report in --out;
 * the mixed-scene zoo with the curve ablation follows in --out/mixed. With --models, only that
 * zoo is evaluated, with the headline's settings.
 */
export function registerDemoCommand(program: Command): void {
  addPipelineOptions(
    program
      .command('demo')
      .description(
        `the main job on the shipped zoo: quantize every model in every scheme, evaluate and time it on ONNX Runtime, write report/ (${PRESETS.demo.summary}) and report/mixed/ (${PRESETS['demo-mixed'].summary})`,
      ),
    'report',
  ).action(async (options: PipelineFlags) => {
    // The demo never trains: shipped models, measured afresh (no cache); --jobs evaluates them side by side.
    const flags = options;
    const both = options.models === undefined;
    const seeAlso = both ? { href: 'mixed/index.html', label: 'the mixed-scene zoo (64x128, 24 px) and the curve ablation' } : undefined;
    await runPipelineCommand('demo', withFlags(PRESETS.demo, flags), flags, false, false, seeAlso);
    if (!both) return;
    const mixed = { ...flags, out: join(flags.out, 'mixed') };
    await runPipelineCommand('demo (mixed scenes)', withFlags(PRESETS['demo-mixed'], mixed), mixed, false, false);
  });
}
