import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { HilbertCurve } from '../curve/hilbert-curve.js';
import { simulateChannel, type ChannelReport } from '../curve/channel-sim.js';
import { cornerBlendOf } from '../curve/cube-walk.js';
import { curveSvg } from '../curve/plot-svg.js';
import { ConfigError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { parseIntOption, parseNumberList, parseNumberOption } from './options.js';
import { refuseFileOnPath } from './output-guard.js';

/** The ideal-channel simulation's ceiling: `curve --samples 1e9` reached 11.7 GB before. */
const MAX_SAMPLES = 10_000_000;

interface CurveCommandOptions {
  dims: number;
  order: number;
  margin: number;
  bits: number;
  noise: number[];
  samples: number;
  seed: number;
  cornerBlend: number;
  json?: boolean;
  plot?: string;
}

export function registerCurveCommand(program: Command): void {
  program
    .command('curve')
    .description("analyse a curve: length, spacing, and the ideal quantized channel's error vs a direct output")
    .option('--dims <n>', 'curve dimensions (output channels)', parseIntOption('--dims'), 2)
    .option('--order <n>', 'Hilbert order', parseIntOption('--order'), 3)
    .option('--margin <k>', 'margin: vertices lie in [k, 1-k]', parseNumberOption('--margin'), 0.1)
    .option('--bits <n>', 'output quantizer bits', parseIntOption('--bits'), 8)
    .option('--noise <list>', 'noise levels, Gaussian sigma in LSB', parseNumberList('--noise'), [0, 0.5, 1, 2, 4])
    .option('--samples <n>', `samples per noise level (at most ${MAX_SAMPLES})`, parseIntOption('--samples'), 200_000)
    .option('--seed <n>', 'random seed', parseIntOption('--seed'), 1)
    .option('--corner-blend <b>', 'order 1 in 3+ dims: mix the two segments at a corner (0: the nearest point; the zoo heads use 0.25)', parseNumberOption('--corner-blend'), 0)
    .option('--json', 'print the report as JSON')
    .option('--plot <file.svg>', 'draw the curve over the quantization grid')
    .action((opts: CurveCommandOptions) => runCurveCommand(opts));
}

function runCurveCommand(opts: CurveCommandOptions): void {
  if (!(opts.bits >= 1 && opts.bits <= 16)) throw new ConfigError('--bits', opts.bits, 'must be in 1..16');
  if (opts.noise.some((s) => s < 0)) throw new ConfigError('--noise', opts.noise.join(','), 'sigmas must be >= 0');
  // Each sample holds a few float arrays of dims values per noise level: 10^7 is about 1 GB at 4 dims.
  if (opts.samples < 1 || opts.samples > MAX_SAMPLES) throw new ConfigError('--samples', opts.samples, `must be in [1, ${MAX_SAMPLES}]`);
  cornerBlendOf({ cornerBlend: opts.cornerBlend }, '--corner-blend');
  // Checked before the simulation, which may run for minutes, not after it.
  if (opts.plot !== undefined) refusePlotPath(opts.plot);
  const curve = new HilbertCurve({ dims: opts.dims, order: opts.order, margin: opts.margin });
  const report = simulateChannel(curve, { bits: opts.bits, noise: opts.noise, samples: opts.samples, seed: opts.seed, cornerBlend: opts.cornerBlend });
  if (opts.plot !== undefined) writeFileAtomic(opts.plot, curveSvg(curve, opts.bits));
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(formatChannelReport(report));
    if (opts.plot) console.log(`plot written to ${opts.plot}`);
  }
}

function refusePlotPath(plot: string): void {
  if (plot === '') throw new ConfigError('--plot', "''", 'name an .svg file');
  refuseFileOnPath(plot, '--plot');
  if (existsSync(plot) && statSync(plot).isDirectory()) throw new ConfigError('--plot', plot, 'is a folder; name an .svg file');
}

export function formatChannelReport(r: ChannelReport): string {
  const lines = [
    `curve: dims=${r.dims} order=${r.order} margin=${r.margin}, ${r.bits}-bit output`,
    `length L = ${r.length.toFixed(3)}   spacing = ${r.spacing.toFixed(4)} (${r.spacingLsb.toFixed(1)} LSB)` +
      `   theoretical bits gained log2(L) = ${r.bitsGained.toFixed(2)}`,
    `ideal channel: ${r.samples} samples per level, seed ${r.seed}; errors in q (fraction of range)`,
    '',
  ];
  const header = ['noise LSB', 'direct RMSE', 'direct rstd', 'curve RMSE', 'curve rstd', 'RMSE ratio', 'rstd ratio', 'jumps'];
  const rows = r.rows.map((row) => [
    row.noiseLsb.toString(),
    row.direct.rmse.toExponential(3),
    row.direct.robustStd.toExponential(3),
    row.curve.rmse.toExponential(3),
    row.curve.robustStd.toExponential(3),
    row.rmseRatio.toFixed(2),
    row.robustRatio.toFixed(2),
    `${(row.jumpShare * 100).toFixed(3)} %`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const fmt = (cells: string[]): string => cells.map((cell, c) => cell.padStart(widths[c])).join('  ');
  lines.push(fmt(header), ...rows.map(fmt));
  return lines.join('\n');
}
