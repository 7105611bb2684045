import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { collectResults, headlineMarkdown } from '../report/results.js';
import { reportHtml } from '../report/html.js';
import { runExperiment } from '../report/run-experiment.js';
import { QUANT_SCHEMES, type QuantScheme } from '../quant/schemes.js';
import { ConfigError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { parseIntOption } from './options.js';
import { ProgressReporter } from './progress.js';

interface DemoFlags {
  models: string;
  out: string;
  pairs: number;
  calibration: number;
  latencyRuns: number;
  pictures: number;
  reduceRange?: boolean;
  schemes: string;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('quantize every zoo model in every scheme, evaluate and time them on ONNX Runtime, write report/')
    .option('--models <dir>', 'model zoo folder', 'models')
    .option('--out <dir>', 'report folder', 'report')
    .option('--pairs <n>', 'held-out synthetic test pairs', parseIntOption('--pairs'), 50)
    .option('--calibration <n>', 'synthetic calibration pairs per model', parseIntOption('--calibration'), 32)
    .option('--latency-runs <n>', 'timed runs per model and precision', parseIntOption('--latency-runs'), 50)
    .option('--pictures <n>', 'test pairs shown as pictures', parseIntOption('--pictures'), 3)
    .option('--schemes <list>', 'comma-separated quantization schemes', QUANT_SCHEMES.join(','))
    .option('--reduce-range', 'int8 weights in -64..64 (x86 CPUs without VNNI)')
    .action((flags: DemoFlags) => runDemo(flags));
}

async function runDemo(flags: DemoFlags): Promise<void> {
  if (!existsSync(flags.models)) throw new ConfigError('--models', flags.models, 'does not exist');
  const modelDirs = readdirSync(flags.models)
    .map((name) => join(flags.models, name))
    .filter((dir) => existsSync(join(dir, 'model.json')))
    .sort();
  if (modelDirs.length === 0) throw new ConfigError('--models', flags.models, 'holds no model folders (model.json + weights.bin)');
  const schemes = flags.schemes.split(',').map((x) => x.trim()) as QuantScheme[];
  for (const scheme of schemes) {
    if (!QUANT_SCHEMES.includes(scheme)) throw new ConfigError('--schemes', flags.schemes, `${scheme} is not one of ${QUANT_SCHEMES.join(', ')}`);
  }
  const options = {
    modelDirs,
    schemes,
    testPairs: flags.pairs,
    calibrationPairs: flags.calibration,
    reduceRange: flags.reduceRange ?? false,
    latencyRuns: flags.latencyRuns,
    pictures: flags.pictures,
    workDir: join(flags.out, 'models'),
  };
  const progress = new ProgressReporter('demo', modelDirs.length * (schemes.length + 1), ['step'], 10);
  const artifacts = await runExperiment({ ...options, onStep: (what, done) => progress.update(done, { step: what }) });
  progress.stop();
  const results = collectResults(artifacts, options, ['hilbertq', ...process.argv.slice(2)].join(' '));
  writeFileAtomic(join(flags.out, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
  const headline = headlineMarkdown(results);
  writeFileAtomic(join(flags.out, 'summary.md'), `# hilbertq results\n\n${results.setup.testPairs} held-out synthetic pairs; ${results.setup.latency}.\n\n${headline}\n`);
  writeFileAtomic(join(flags.out, 'index.html'), await reportHtml(results, artifacts, schemes.includes('w8a8') ? 'w8a8' : schemes[0]));
  console.log(headline);
  console.log(`\nreport: ${join(flags.out, 'index.html')}, ${join(flags.out, 'results.json')}, ${join(flags.out, 'summary.md')}`);
}
