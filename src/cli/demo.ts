import type { Command } from 'commander';
import { PRESETS } from '../experiment/presets.js';
import { addPipelineOptions, runPipelineCommand, withFlags, type PipelineFlags } from './experiment.js';

export function registerDemoCommand(program: Command): void {
  addPipelineOptions(
    program.command('demo').description(`the main job on the shipped zoo: quantize every model in every scheme, evaluate and time it on ONNX Runtime, write report/ (${PRESETS.demo.summary})`),
    'report',
  ).action((flags: PipelineFlags) => runPipelineCommand('demo', withFlags(PRESETS.demo, { ...flags, jobs: 1 }), { ...flags, jobs: 1 }, false, false));
}
