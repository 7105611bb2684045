import type { RgbImage } from '../src/data/types.js';
import type { StereoPairResult } from '../src/infer/stereo-pair.js';
import { SITE_MANIFEST, WEB_PRECISIONS, type SiteManifest, type SiteModel, type WebPrecision } from '../src/web/manifest.js';
import { drawCurvePlot } from './curve-plot.js';
import { drawRgb, loadRgbImage, runSize } from './images.js';
import { drawAbsDifference, drawDisparity, median } from './maps.js';
import { configureOrt, GRAPH_OPTIMIZATIONS, WebModel, type GraphOptimization } from './web-model.js';

// The page: URL parameters model, precision, left, right, autorun=1 (and threads, runs,
// optimization) drive it without clicks; document.body.dataset.state and window.hilbertq.lastRun report back.

type PageState = 'loading' | 'ready' | 'running' | 'done' | 'error';

interface LastRun {
  model: string;
  precision: WebPrecision;
  width: number;
  height: number;
  latencyMs: number;
  /** Input pixels, row-major, at the input size. */
  disparity: number[];
}

interface PageApi {
  lastRun: LastRun | null;
  /** ms from navigation start to the first disparity map on screen. */
  firstResultMs: number | null;
  threads: number;
  /** ORT's graph optimization level (URL parameter optimization; default all). */
  optimization: GraphOptimization;
  crossOriginIsolated: boolean;
  /** Median latency (ms, preprocessing, session.run and decode) per model and precision of the last run. */
  latencies: Record<string, number>;
}

declare global {
  interface Window {
    hilbertq: PageApi;
  }
}

const HEADS = ['direct', 'hilbert'] as const;
/** |quantized - fp32| maps saturate here: the curve head's INT8 error is a fraction of a pixel. */
const DIFFERENCE_TOP_PX = 1;

const params = new URLSearchParams(location.search);
const api: PageApi = { lastRun: null, firstResultMs: null, threads: 1, optimization: 'all', crossOriginIsolated, latencies: {} };
window.hilbertq = api;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const sampleSelect = byId<HTMLSelectElement>('sample');
const familySelect = byId<HTMLSelectElement>('family');
const precisionSelect = byId<HTMLSelectElement>('precision');
const runButton = byId<HTMLButtonElement>('run');
const leftFile = byId<HTMLInputElement>('left-file');
const rightFile = byId<HTMLInputElement>('right-file');

let manifest: SiteManifest;
const models = new Map<string, Promise<WebModel>>();

function setState(state: PageState, message = ''): void {
  document.body.dataset.state = state;
  byId('status').textContent = message;
}

function option(select: HTMLSelectElement, value: string, label = value): void {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = label;
  select.append(element);
}

async function start(): Promise<void> {
  const response = await fetch(SITE_MANIFEST);
  if (!response.ok) throw new Error(`${SITE_MANIFEST}: HTTP ${response.status}`);
  manifest = (await response.json()) as SiteManifest;
  // Threads need SharedArrayBuffer, which only a cross-origin isolated page has (web serve sends COOP/COEP).
  const requested = Number(params.get('threads'));
  api.threads = Number.isInteger(requested) && requested > 0 ? requested : crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  configureOrt(manifest.ort.wasmPaths, api.threads);
  const optimization = params.get('optimization') ?? 'all';
  if (!GRAPH_OPTIMIZATIONS.includes(optimization as GraphOptimization)) throw new Error(`optimization=${optimization}: choose ${GRAPH_OPTIMIZATIONS.join(', ')}`);
  api.optimization = optimization as GraphOptimization;
  byId('environment').textContent =
    `onnxruntime-web ${manifest.ort.version}, wasm, ${api.threads} thread(s), graph optimization ${api.optimization}; ` +
    `cross-origin isolated: ${crossOriginIsolated}; hilbertq ${manifest.hilbertq}`;

  for (const family of new Set(manifest.models.map((m) => m.name.split('-')[0]))) option(familySelect, family);
  for (const precision of WEB_PRECISIONS) option(precisionSelect, precision);
  manifest.samples.forEach((s, i) => option(sampleSelect, String(i), `${s.name} (${s.width}x${s.height})`));
  option(sampleSelect, 'files', 'your own images');
  const left = params.get('left');
  const right = params.get('right');
  if (left && right) {
    option(sampleSelect, 'url', `from the URL: ${left}`);
    sampleSelect.value = 'url';
  }
  const model = params.get('model');
  if (model) familySelect.value = model.split('-')[0];
  const precision = params.get('precision');
  if (precision) precisionSelect.value = precision;
  if (familySelect.value !== model?.split('-')[0] && model) throw new Error(`no model ${model} on this site`);
  if (precision && precisionSelect.value !== precision) throw new Error(`no precision ${precision} (choose ${WEB_PRECISIONS.join(', ')})`);

  byId('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    void guarded(run);
  });
  for (const input of [leftFile, rightFile]) input.addEventListener('change', () => (sampleSelect.value = 'files'));
  wireDropZone();
  setState('ready', 'Choose a pair, a family and a precision, then Run.');
  if (params.get('autorun') === '1') await run();
}

function wireDropZone(): void {
  const zone = byId('drop');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const files = [...(event.dataTransfer?.files ?? [])].filter((f) => f.type.startsWith('image/'));
    const sorted = files.length === 2 ? files.sort((a, b) => a.name.localeCompare(b.name)) : files;
    // One file at a time fills left, then right.
    const targets = sorted.length === 2 ? [leftFile, rightFile] : [leftFile.files?.length ? rightFile : leftFile];
    sorted.slice(0, targets.length).forEach((file, i) => {
      const transfer = new DataTransfer();
      transfer.items.add(file);
      targets[i].files = transfer.files;
    });
    sampleSelect.value = 'files';
  });
}

async function currentPair(): Promise<[RgbImage, RgbImage]> {
  const choice = sampleSelect.value;
  if (choice === 'files') {
    const l = leftFile.files?.[0];
    const r = rightFile.files?.[0];
    if (!l || !r) throw new Error('pick or drop both a left and a right image');
    return Promise.all([loadRgbImage(l), loadRgbImage(r)]);
  }
  if (choice === 'url') return Promise.all([loadRgbImage(params.get('left') as string), loadRgbImage(params.get('right') as string)]);
  const sample = manifest.samples[Number(choice)];
  return Promise.all([loadRgbImage(sample.left), loadRgbImage(sample.right)]);
}

function modelFile(model: SiteModel, precision: WebPrecision): Promise<WebModel> {
  const entry = model.precisions[precision];
  if (!entry) throw new Error(`${model.name} has no ${precision} file on this site`);
  let loaded = models.get(entry.file);
  if (!loaded) {
    loaded = WebModel.load(entry, api.optimization);
    models.set(entry.file, loaded);
  }
  return loaded;
}

async function run(): Promise<void> {
  runButton.disabled = true;
  setState('running', 'loading the images');
  try {
    const [left, right] = await currentPair();
    if (left.width !== right.width || left.height !== right.height) {
      throw new Error(`the right image is ${right.width}x${right.height}, the left ${left.width}x${left.height}: they must match`);
    }
    drawRgb(byId('left-view'), left);
    drawRgb(byId('right-view'), right);
    const family = familySelect.value;
    const precision = precisionSelect.value as WebPrecision;
    const heads = HEADS.map((head) => {
      const model = manifest.models.find((m) => m.name === `${family}-${head}`);
      if (!model) throw new Error(`no ${family}-${head} on this site`);
      return model;
    });
    const resize = runSize(left, heads[0].trainingSize);
    const maxDisp = (heads[0].precisions.fp32 ?? heads[0].precisions[precision])?.config.maxDisp ?? 1;
    const top = maxDisp * (resize ? left.width / resize.width : 1);

    setState('running', `running ${precision} on ${left.width}x${left.height}${resize ? ` (model at ${resize.width}x${resize.height})` : ''}`);
    const quantized = await Promise.all(heads.map((m) => modelFile(m, precision)));
    const results: StereoPairResult[] = [];
    for (const [i, model] of quantized.entries()) {
      results.push(await model.predict(left, right, resize));
      drawDisparity(rowCanvas(i, 'disparity'), left.width, left.height, results[i].disparity, top);
      rowCaption(i, 'disparity', `${heads[i].name} ${precision}, 0 (blue) .. ${top.toFixed(0)} px (red)`);
    }
    api.firstResultMs ??= performance.now();

    const fp32 = await Promise.all(heads.map((m) => modelFile(m, 'fp32')));
    const references: StereoPairResult[] = [];
    for (const [i, model] of fp32.entries()) {
      references.push(precision === 'fp32' ? results[i] : await model.predict(left, right, resize));
      const max = drawAbsDifference(rowCanvas(i, 'difference'), left.width, left.height, results[i].disparity, references[i].disparity, DIFFERENCE_TOP_PX);
      rowCaption(i, 'difference', `|${precision} - fp32|, 0 .. ${DIFFERENCE_TOP_PX} px; max ${max.toFixed(3)} px`);
    }
    const curveIndex = heads.findIndex((m) => m.name.endsWith('-hilbert'));
    plotCurveHead(quantized[curveIndex], results[curveIndex], precision);

    setState('running', 'timing');
    const latencies = await measureLatencies([...quantized, ...fp32], left, right, resize);
    heads.forEach((m, i) => {
      const q = latencies[i];
      const f = latencies[i + heads.length];
      row(i).querySelector('.latency')!.textContent =
        precision === 'fp32' ? `fp32: ${f.toFixed(1)} ms` : `${precision}: ${q.toFixed(1)} ms, fp32: ${f.toFixed(1)} ms (${precision}/fp32 = ${(q / f).toFixed(2)})`;
      api.latencies[`${m.name}.${precision}`] = q;
      api.latencies[`${m.name}.fp32`] = f;
    });

    const focusName = params.get('model')?.startsWith(`${family}-`) ? (params.get('model') as string) : `${family}-hilbert`;
    const focus = Math.max(0, heads.findIndex((m) => m.name === focusName));
    api.lastRun = {
      model: heads[focus].name,
      precision,
      width: left.width,
      height: left.height,
      latencyMs: latencies[focus],
      disparity: Array.from(results[focus].disparity),
    };
    setState('done', `done: first result ${api.firstResultMs.toFixed(0)} ms after page load; ${api.threads} thread(s)`);
  } finally {
    runButton.disabled = false;
  }
}

/** Median over a few interleaved runs of each model (the first run, above, was the warm-up). */
async function measureLatencies(list: WebModel[], left: RgbImage, right: RgbImage, resize?: { width: number; height: number }): Promise<number[]> {
  const runs = Math.max(1, Number(params.get('runs')) || 5);
  const times = list.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, model] of list.entries()) {
      const started = performance.now();
      await model.predict(left, right, resize);
      times[i].push(performance.now() - started);
    }
  }
  return times.map(median);
}

function plotCurveHead(model: WebModel, result: StereoPairResult, precision: WebPrecision): void {
  const { config } = model.entry;
  const points = model.dequantize(result.raw);
  const disparity = model.decoder.decode(result.raw, result.modelHeight, result.modelWidth);
  drawCurvePlot(byId('curve-plot'), config, points, disparity);
  const projection = config.dims > 2 ? `, projected onto its first two of ${config.dims} dims` : ', in the unit square';
  byId('curve-caption').textContent =
    `${config.dims}-dim order-${config.order} curve (margin ${config.margin})${projection}; dots: a sample of pixels' ${precision} head outputs, dequantized, coloured by their decoded disparity.`;
}

const row = (i: number) => document.querySelector(`.head-row[data-head="${HEADS[i]}"]`) as HTMLElement;
const rowCanvas = (i: number, kind: string) => row(i).querySelector(`canvas.${kind}`) as HTMLCanvasElement;
const rowCaption = (i: number, kind: string, text: string) => (row(i).querySelector(`.${kind}-caption`)!.textContent = text);

async function guarded(task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    setState('error', `error: ${message}`);
    console.error(err);
  }
}

void guarded(start);
