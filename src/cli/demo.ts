import type { Command } from 'commander';
import { PRESETS } from '../experiment/presets.js';
import { addPipelineOptions, runPipelineCommand, withFlags, type PipelineFlags } from './experiment.js';

export function registerDemoCommand(program: Command): void {
  addPipelineOptions(
    program.command('demo').description(`the main job on the shipped zoo: quantize every model in every scheme, evaluate and time it on ONNX Runtime, write report/ (${PRESETS.demo.summary})`),
    'report',
  ).action((options: PipelineFlags) => {
    // The demo never trains: one job, shipped models, measured afresh (no cache).
    const flags = { ...options, jobs: 1 };
    return runPipelineCommand('demo', withFlags(PRESETS.demo, flags), flags, false, false);
  });
}
