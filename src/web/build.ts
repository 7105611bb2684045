import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePng } from '../data/formats/image.js';
import { SyntheticStereo } from '../data/synthetic/generator.js';
import { listZoo, type ZooModel } from '../experiment/zoo.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import { exportModelDir } from '../onnx/export-dir.js';
import { syntheticCalibration } from '../quant/calibration-data.js';
import { quantizeModel } from '../quant/quantize.js';
import { TEST_SEED } from '../train/config.js';
import { ConfigError, HilbertqError, onFileSystem } from '../util/errors.js';
import { makeFolder, writeFileAtomic } from '../util/fs.js';
import { packageVersion } from '../util/provenance.js';
import { bundlePage } from './bundle.js';
import { isSiteFolder } from './site-folder.js';
import { SITE_MANIFEST, WEB_MODELS, WEB_PRECISIONS, type SiteManifest, type SiteModel, type SiteSample, type WebPrecision } from './manifest.js';

export interface WebBuildOptions {
  /** The site folder; replaced as a whole when the build succeeds. */
  out: string;
  /** The zoo folder holding the headline models (default: the shipped models/). */
  modelsDir?: string;
  precisions?: readonly WebPrecision[];
  calibrationPairs?: number;
  samples?: number;
  /** int8 weights in -64..64 (for ORT's x86 kernels without VNNI; the browser's wasm kernels do not need it). */
  reduceRange?: boolean;
  onProgress?: (line: string) => void;
}

/** The page's sources: web/ beside src/ (and beside dist/ when installed). */
const WEB_SOURCES = fileURLToPath(new URL('../../web/', import.meta.url));
export const SHIPPED_MODELS = fileURLToPath(new URL('../../models/', import.meta.url));
/** onnxruntime-web's runtime for the plain wasm EP: the bundle imports the .mjs, which loads the .wasm. */
const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
const STATIC_FILES = ['index.html', 'style.css'];

/**
 * Builds the static site into a sibling temporary folder and swaps it in at the end, so an
 * interrupted build never leaves a folder that looks complete (and the manifest is written last).
 */
export async function buildWebSite(options: WebBuildOptions): Promise<SiteManifest> {
  const out = resolve(options.out);
  const progress = options.onProgress ?? (() => {});
  checkReplaceable(out);
  const zoo = headlineModels(options.modelsDir ?? SHIPPED_MODELS);
  const tmp = `${out}.tmp-${process.pid}`;
  const discard = (): void => rmSync(tmp, { recursive: true, force: true });
  discard();
  // Ctrl-C (the CLI's signal guard exits) skips the catch below and left a site.tmp-<pid> behind.
  process.once('exit', discard);
  makeFolder(tmp);
  try {
    progress('bundling the page (esbuild)');
    await bundlePage(join(WEB_SOURCES, 'main.ts'), join(tmp, 'app.js'));
    for (const file of STATIC_FILES) copyInto(join(WEB_SOURCES, file), join(tmp, file));
    const ort = copyOrtRuntime(join(tmp, 'ort'));
    const models: SiteModel[] = [];
    for (const model of zoo) models.push(await buildModel(model, tmp, options, progress));
    const samples = writeSamples(zoo[0], tmp, options.samples ?? 3);
    progress(`wrote ${samples.length} sample pairs`);
    const manifest: SiteManifest = { hilbertq: packageVersion(), builtAt: new Date().toISOString(), ort: { version: ort, wasmPaths: 'ort/' }, models, samples };
    writeFileAtomic(join(tmp, SITE_MANIFEST), JSON.stringify(manifest, null, 2));
    swapIn(tmp, out);
    return manifest;
  } catch (err) {
    discard();
    throw err;
  } finally {
    process.off('exit', discard);
  }
}

/** Refuses to replace a folder that holds something other than an earlier site. */
function checkReplaceable(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new ConfigError('--out', out, 'is a file, not a folder');
  if (readdirSync(out).length > 0 && !isSiteFolder(out)) {
    throw new ConfigError('--out', out, `is a non-empty folder without a site's ${SITE_MANIFEST}: not a site from 'hilbertq web build', refusing to replace it`);
  }
}

function headlineModels(modelsDir: string): ZooModel[] {
  const zoo = listZoo(modelsDir);
  const missing = WEB_MODELS.filter((name) => !zoo.some((m) => m.name === name));
  if (missing.length > 0) throw new ConfigError('--models', modelsDir, `has no ${missing.join(', ')} (the page shows the headline models)`);
  return WEB_MODELS.map((name) => zoo.find((m) => m.name === name) as ZooModel);
}

async function buildModel(zoo: ZooModel, site: string, options: WebBuildOptions, progress: (line: string) => void): Promise<SiteModel> {
  const precisions = options.precisions ?? WEB_PRECISIONS;
  const fileOf = (precision: WebPrecision) => `models/${zoo.name}.${precision}.onnx`;
  const fp32File = join(site, fileOf('fp32'));
  exportModelDir(zoo.dir, fp32File);
  const fp32Bytes = readFileSync(fp32File);
  const { height, width, scenes } = zoo.trainingSize;
  const calibration = syntheticCalibration({ height, width, maxDisp: zoo.config.maxDisp, count: options.calibrationPairs ?? 16, scenes });
  const entry: SiteModel = { name: zoo.name, trainingSize: zoo.trainingSize, precisions: {} };
  for (const precision of precisions) {
    const file = join(site, fileOf(precision));
    if (precision !== 'fp32') {
      const { model } = await quantizeModel(fp32Bytes, { scheme: precision, method: 'minmax', calibration, reduceRange: options.reduceRange ?? false });
      writeFileAtomic(file, model);
    }
    // The decoding facts come from the file's own metadata, parsed as the CLI parses them.
    const predictor = await DepthPredictor.load(file, { threads: 1 });
    entry.precisions[precision] = { file: fileOf(precision), bytes: statSync(file).size, config: predictor.config, stride: predictor.stride, encoding: predictor.encoding };
    await predictor.release();
    progress(`${zoo.name}: ${precision}${precision === 'fp32' ? ' (export)' : ` (quantized, ${calibration.description})`}`);
  }
  if (!precisions.includes('fp32')) rmSync(fp32File);
  return entry;
}

/** Held-out pairs (the test set's seed) at the first model's training size and scene style. */
function writeSamples(zoo: ZooModel, site: string, count: number): SiteSample[] {
  const { height, width, scenes } = zoo.trainingSize;
  const generator = new SyntheticStereo({ height, width, maxDisp: zoo.config.maxDisp, seed: TEST_SEED, scenes });
  const samples: SiteSample[] = [];
  for (let i = 0; i < count; i++) {
    const s = generator.sample(i);
    const sample: SiteSample = { name: `synthetic ${i}`, left: `samples/${i}-left.png`, right: `samples/${i}-right.png`, width, height };
    writePng(join(site, sample.left), { width, height, data: s.left });
    writePng(join(site, sample.right), { width, height, data: s.right });
    samples.push(sample);
  }
  return samples;
}

/** Copies onnxruntime-web's wasm runtime next to the page (it must never come from a CDN); returns ORT's version. */
function copyOrtRuntime(dir: string): string {
  const require = createRequire(import.meta.url);
  // The package's Node entry lives in dist/, beside the runtime files.
  const dist = dirname(require.resolve('onnxruntime-web'));
  for (const file of ORT_RUNTIME_FILES) copyInto(join(dist, file), join(dir, file));
  const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function copyInto(from: string, to: string): void {
  if (!existsSync(from)) throw new HilbertqError(`web build: ${from} is missing (is the package installed completely?)`);
  makeFolder(dirname(to));
  onFileSystem(to, 'write', () => copyFileSync(from, to));
}

/** Replaces `out` by the finished `tmp`; an earlier site is moved aside first and removed after. */
function swapIn(tmp: string, out: string): void {
  const old = join(dirname(out), `.${basename(out)}.old-${process.pid}`);
  onFileSystem(out, 'replace', () => {
    if (existsSync(out)) renameSync(out, old);
    renameSync(tmp, out);
    rmSync(old, { recursive: true, force: true });
  });
}
