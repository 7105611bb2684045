import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { DATASET_FORMATS, openDataset, type DatasetFormat } from '../data/dataset.js';
import { writeImage, checkImageExtension } from '../data/formats/image.js';
import { generateDatasetYielding, MAX_COUNT } from '../data/generate.js';
import { DATA_PRESETS, dataPreset, parseIntegerOption, parseNumberOption, parseSize } from '../data/options.js';
import { SCENE_STYLES, type SceneStyle } from '../data/types.js';
import { previewSample } from '../data/preview.js';
import { stoppingChildrenOnSignal } from '../util/child-processes.js';
import { ConfigError } from '../util/errors.js';

interface GenerateFlags {
  out: string;
  count: string;
  preset: string;
  scenes?: string;
  size?: string;
  maxDisp?: string;
  seed: string;
  minObjects?: string;
  maxObjects?: string;
  photometric?: boolean;
}

interface ShowFlags {
  index: string;
  out: string;
  format?: DatasetFormat;
  middleburyScale?: string;
  maxDisp?: string;
}

async function runGenerate(flags: GenerateFlags): Promise<void> {
  // Explicit flags win over the preset's values.
  const preset = dataPreset(flags.preset);
  const { height, width } = parseSize(flags.size ?? preset.size, '--size');
  const maxDispText = flags.maxDisp ?? preset.maxDisp;
  const maxDisp = parseNumberOption('--max-disp', maxDispText);
  if (!(maxDisp >= 1 && maxDisp < width)) {
    throw new ConfigError('--max-disp', maxDispText, `must be >= 1 and smaller than the image width ${width}`);
  }
  const scenes = flags.scenes ?? preset.scenes;
  if (!SCENE_STYLES.includes(scenes as SceneStyle)) throw new ConfigError('--scenes', scenes, `expected one of ${SCENE_STYLES.join(', ')}`);
  const count = parseIntegerOption('--count', flags.count, 1, MAX_COUNT);
  const seed = parseIntegerOption('--seed', flags.seed, -0x80000000, 0x7fffffff);
  const minObjects = flags.minObjects === undefined ? undefined : parseIntegerOption('--min-objects', flags.minObjects, 0, 200);
  const maxObjects = flags.maxObjects === undefined ? undefined : parseIntegerOption('--max-objects', flags.maxObjects, 0, 200);

  const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ etaBuffer: 50 }, cliProgress.Presets.shades_classic) : null;
  bar?.start(count, 0);
  const started = performance.now();
  try {
    // Ctrl-C or SIGTERM ends the run between two pairs with process.exit (130, 143), which releases
    // the folder's lock (util/lock.ts) and leaves a folder the next run resumes; killed by the
    // signal's default action, the process left hilbertq.lock behind. No child processes to stop.
    const result = await stoppingChildrenOnSignal(new Set(), () => generateDatasetYielding({
      out: flags.out, count, height, width, maxDisp, seed, minObjects, maxObjects,
      scenes: scenes as SceneStyle,
      // Only mixed scenes have camera noise unless --photometric or --no-photometric says otherwise.
      photometric: flags.photometric ?? scenes === 'mixed',
      onProgress: (done) => bar?.update(done),
    }));
    bar?.stop();
    const seconds = (performance.now() - started) / 1000;
    const resumed = result.skipped ? `, ${result.skipped} already present` : '';
    console.log(`wrote ${result.written} pairs to ${flags.out} in ${seconds.toFixed(1)} s${resumed}; manifest: ${result.manifestPath}`);
  } catch (err) {
    bar?.stop();
    throw err;
  }
}

function runShow(paths: string[], flags: ShowFlags): void {
  const middleburyScale = flags.middleburyScale === undefined ? undefined : parseNumberOption('--middlebury-scale', flags.middleburyScale);
  if (paths.length > 3) throw new ConfigError('paths', paths.join(' '), 'expected a dataset folder, or left right [disparity] files');
  const source = paths.length === 1 ? paths[0] : { left: paths[0], right: paths[1], disp: paths[2] };
  checkImageExtension(flags.out);
  const dataset = openDataset(source, { format: flags.format, middleburyScale });
  const index = parseIntegerOption('--index', flags.index, 0);
  const maxDisp = flags.maxDisp === undefined ? dataset.maxDisp : parseNumberOption('--max-disp', flags.maxDisp);
  const sample = dataset.get(index);
  writeImage(flags.out, previewSample(sample, maxDisp));
  console.log(`wrote ${flags.out}: left | right | disparity of ${dataset.name} #${index}`);
}

/** `hilbertq data generate` and `hilbertq data show`. */
export function registerDataCommand(program: Command): void {
  const data = program.command('data').description('synthetic stereo data and dataset tools');
  data
    .command('generate')
    .description('write synthetic stereo pairs with ground truth: left/ right/ disp/ occ/ manifest.json')
    .requiredOption('--out <dir>', 'output folder (created; an interrupted run with the same options resumes)')
    .option('--count <n>', `number of pairs (at most ${MAX_COUNT})`, '100')
    .option('--preset <name>', `data settings: ${Object.entries(DATA_PRESETS).map(([name, p]) => `${name} (${p.size}, ${p.maxDisp} px, ${p.scenes} scenes)`).join('; ')}`, 'default')
    .option('--size <HxW>', "image size, height x width (default: the preset's)")
    .option('--max-disp <d>', "largest disparity in pixels (default: the preset's)")
    .option('--scenes <style>', `scene style: mixed (clutter, thin bars, weak textures, camera noise), precision (few large textured slanted planes, rendered clean) or room (rendered clean, walls meeting at creases, 0-2 objects); default: the preset's`)
    .option('--seed <s>', 'random seed; (seed, index) fixes each pair', '0')
    .option('--min-objects <n>', 'fewest foreground objects per scene')
    .option('--max-objects <n>', 'most foreground objects per scene')
    .option('--photometric', 'gain, bias and noise differences between the views (default for mixed scenes)')
    .option('--no-photometric', 'identical camera response in both views (default for precision and room scenes)')
    .action((flags: GenerateFlags) => runGenerate(flags));
  data
    .command('show')
    .description('write a preview image: left | right | colourised disparity')
    .argument('<paths...>', 'a dataset folder, or left and right image files and an optional ground truth')
    .option('--index <i>', 'sample index', '0')
    .requiredOption('--out <file>', 'preview image (.png or .jpg)')
    .addOption(new Option('--format <format>', 'dataset layout (default: detect)').choices([...DATASET_FORMATS]))
    .option('--middlebury-scale <s>', 'scale of 8-bit Middlebury disparity PNGs')
    .option('--max-disp <d>', 'disparity shown as the warmest colour (default: from the dataset)')
    .action((paths: string[], flags: ShowFlags) => runShow(paths, flags));
}
