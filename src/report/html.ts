import { colorizeDisparity, sideBySide } from '../data/colorize.js';
import { encodeRgbPng } from '../data/formats/png.js';
import type { RgbImage } from '../data/types.js';
import { errorHistogramSpec, vegaLiteToSvg } from './charts.js';
import type { ExperimentResults } from './results.js';
import type { ExperimentArtifacts, Precision } from './run-experiment.js';

/** Shared colour scale of the |quantized - fp32| maps, in px: the same for every model. */
const ERROR_MAP_MAX_PX = 1;

/** One self-contained page: tables, pictures as data URIs, plots as inline SVG. */
export async function reportHtml(r: ExperimentResults, a: ExperimentArtifacts, focus: Precision): Promise<string> {
  const sections = [
    `<h1>hilbertq: INT8 quantization error, direct vs Hilbert-curve heads</h1>`,
    `<p>${escape(r.setup.date)} &middot; ${r.setup.testPairs} held-out synthetic pairs (seed ${r.setup.testSeed}) &middot; ` +
      `ONNX Runtime ${escape(r.setup.onnxruntime)} CPU &middot; ${escape(r.setup.cpu)}</p>`,
    `<h2>Headline</h2>`,
    headlineTable(r),
    `<h2>Quantization-error reduction, direct / hilbert</h2>`,
    reductionTable(r),
    `<h2>Pictures (${escape(focus)})</h2>`,
    `<p>Per pair: left image, ground truth, FP32 direct, ${focus} direct, ${focus} hilbert, then |${focus} - FP32| for the ` +
      `direct and the hilbert model on one shared scale (dark blue 0, red ${ERROR_MAP_MAX_PX} px or more).</p>`,
    ...pictureRows(a, focus),
    `<h2>Quantization-error histograms</h2>`,
    ...(await histograms(a, r)),
    `<h2>Setup</h2>`,
    `<pre>${escape(JSON.stringify(r.setup, null, 2))}</pre>`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>hilbertq report</title>',
    '<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}img{image-rendering:pixelated;margin:2px 0}</style>',
    '</head><body>',
    ...sections,
    '</body></html>',
    '',
  ].join('\n');
}

function headlineTable(r: ExperimentResults): string {
  const head = ['model', 'precision', 'EPE px', 'D1 %', 'q-err robust std px', 'q-err RMSE px', 'eff. bits', 'latency ms', 'hilbert overhead'];
  const rows = r.rows.map((row) => {
    const m = row.metrics.nonOccluded;
    const q = row.quantError;
    const o = row.head === 'hilbert' ? r.latencyOverhead.find((x) => x.family === row.family && x.precision === row.precision) : undefined;
    return [row.model, row.precision, m.epe.toFixed(3), (m.d1 * 100).toFixed(2), q ? q.robustStd.toFixed(4) : '-', q ? q.rmse.toFixed(4) : '-',
      row.effectiveBits ? row.effectiveBits.toFixed(2) : '-', row.latencyMs.toFixed(2), o ? `${(o.overhead * 100).toFixed(1)} %` : ''];
  });
  return table(head, rows);
}

function reductionTable(r: ExperimentResults): string {
  return table(['family', 'precision', 'robust std', 'RMSE'], r.reductions.map((x) => [x.family, x.precision, `${x.robustStd.toFixed(2)}x`, `${x.rmse.toFixed(2)}x`]));
}

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${escape(h)}</th>`).join('');
  const tr = rows.map((row) => `<tr>${row.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><tr>${th}</tr>\n${tr}</table>`;
}

function pictureRows(a: ExperimentArtifacts, focus: Precision): string[] {
  const out: string[] = [];
  const families = [...new Set([...a.configs.values()].map((c) => c.family))];
  for (const family of families) {
    const direct = `${family}-direct`;
    const hilbert = `${family}-hilbert`;
    const d = a.pictures.get(direct);
    const h = a.pictures.get(hilbert);
    const config = a.configs.get(direct) ?? a.configs.get(hilbert);
    if (!d || !h || !config) continue;
    out.push(`<h3>${escape(family)}</h3>`);
    a.pictureSamples.forEach((s, i) => {
      const { width, height } = s;
      const disp = (v: Float32Array): RgbImage => colorizeDisparity(width, height, v, null, config.maxDisp);
      const err = (q: Float32Array, f: Float32Array): RgbImage =>
        colorizeDisparity(width, height, q.map((v, k) => Math.abs(v - f[k])), null, ERROR_MAP_MAX_PX);
      const fd = (d.get('fp32') as Float32Array[])[i];
      const qd = (d.get(focus) as Float32Array[])[i];
      const fh = (h.get('fp32') as Float32Array[])[i];
      const qh = (h.get(focus) as Float32Array[])[i];
      const strip = sideBySide([
        { width, height, data: s.left },
        colorizeDisparity(width, height, s.disp ?? new Float32Array(width * height), s.valid, config.maxDisp),
        disp(fd),
        disp(qd),
        disp(qh),
        err(qd, fd),
        err(qh, fh),
      ]);
      const png = Buffer.from(encodeRgbPng(strip.width, strip.height, strip.data)).toString('base64');
      out.push(`<img alt="${escape(family)} pair ${i}" width="${strip.width * 2}" src="data:image/png;base64,${png}">`);
    });
  }
  return out;
}

async function histograms(a: ExperimentArtifacts, r: ExperimentResults): Promise<string[]> {
  const out: string[] = [];
  const families = [...new Set(r.rows.map((row) => row.family))];
  const precisions = [...new Set(r.rows.map((row) => row.precision))].filter((p) => p !== 'fp32');
  for (const family of families) {
    for (const precision of precisions) {
      const series = ['direct', 'hilbert'].flatMap((head) => {
        const values = a.differences.get(`${family}-${head}`)?.get(precision);
        return values ? [{ name: head, values }] : [];
      });
      if (series.length === 0) continue;
      out.push(await vegaLiteToSvg(errorHistogramSpec(`${family} ${precision}: quantized - fp32 disparity`, series, { extent: 1 })));
    }
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
