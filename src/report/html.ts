import { colorizeDisparity } from '../data/colorize.js';
import { encodeRgbPng } from '../data/formats/png.js';
import type { RgbImage } from '../data/types.js';
import { syntheticTestSet } from '../eval/evaluate.js';
import { decodePicture, HISTOGRAM, type ModelEvaluation, type Precision } from '../experiment/evaluate-model.js';
import { curveDistanceSpec, errorHistogramSpec, predictedVsMeasuredSpec, vegaLiteToSvg, xySpec } from './charts.js';
import type { RealPairOutcome } from '../experiment/real-pair.js';
import { realPairHtml } from './real-pair.js';
import { headlineTable, reductionCells, reductionNote, REDUCTION_HEAD, targetChecks, type CurveComparison, type ExperimentResults } from './results.js';

/** Shared colour scale of the |quantized - fp32| maps, in px: the same for every model. */
const ERROR_MAP_MAX_PX = 1;

/** One self-contained page: tables, pictures as data URIs, plots as inline SVG. Opens offline. */
export async function reportHtml(
  r: ExperimentResults,
  evaluations: ModelEvaluation[],
  focus: Precision,
  realPair: RealPairOutcome | null = null,
  seeAlso?: { href: string; label: string },
): Promise<string> {
  const headline = headlineTable(r);
  const sections = [
    `<h1>hilbertq: INT8 quantization error, direct vs Hilbert-curve heads</h1>`,
    `<p>${escape(r.setup.date)} &middot; preset ${escape(r.setup.preset)} &middot; ${r.setup.testPairs} held-out synthetic pairs (seed ${r.setup.testSeed}) &middot; ` +
      `ONNX Runtime ${escape(r.setup.onnxruntime)} CPU &middot; ${escape(r.setup.cpu)}${r.setup.reduceRange ? ` &middot; int8 weights in -64..64 (reduce range${r.setup.vnni === false ? ': this CPU has no VNNI, and its uint8 x int8 kernels saturate with full-range weights' : ''})` : ''}</p>`,
    ...(seeAlso ? [`<p>See also: <a href="${escape(seeAlso.href)}">${escape(seeAlso.label)}</a>.</p>`] : []),
    `<h2>Headline</h2>`,
    `<p>EPE and D1 against ground truth on non-occluded pixels. q-err: quantized minus FP32 disparity of the same model, per pixel. ` +
      `Effective bits: log2(max disparity / q-err robust std). Latency: ${escape(r.setup.latency)}.</p>`,
    table(headline.head, headline.rows),
    `<h2>Quantization-error reduction, direct / hilbert</h2>`,
    `<p>${escape(reductionNote(r))}</p>`,
    table(REDUCTION_HEAD, reductionCells(r)),
    `<h2>Targets</h2>`,
    table(['target', 'family', 'measured', 'met'], targetChecks(r).map((c) => [c.target, c.family, c.measured, c.met ? 'yes' : 'NO'])),
    `<h2>Pictures (${escape(focus)})</h2>`,
    `<p>Disparity maps share one colour scale (0 to the max disparity); the |${focus} - FP32| maps share another ` +
      `(dark blue 0, red ${ERROR_MAP_MAX_PX} px or more), so the direct and hilbert quantization artifacts compare directly.</p>`,
    ...pictureRows(evaluations, focus),
    ...realPairHtml(realPair, r.realPair, escape),
    `<h2>Quantization-error histograms</h2>`,
    ...(await histograms(evaluations)),
    ...(await commitmentSection(evaluations)),
    ...(await ablationSection(r, focus)),
    ...(await idealSection(r)),
    `<h2>Setup</h2>`,
    `<p>Reproduce with <code>${escape(r.setup.command)}</code>. The models were trained with:</p>`,
    `<pre>${escape(Object.entries(r.setup.trainingCommands).map(([m, c]) => `# ${m}\n${c ?? '(no recorded command)'}`).join('\n'))}</pre>`,
    `<pre>${escape(JSON.stringify({ ...r.setup, trainingCommands: undefined }, null, 2))}</pre>`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>hilbertq report</title>',
    '<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}img{image-rendering:pixelated;margin:0;display:block}table.pictures td{padding:1px;border:none}table.pictures th{font-weight:normal;font-size:80%}pre{white-space:pre-wrap}</style>',
    '</head><body>',
    ...sections,
    '</body></html>',
    '',
  ].join('\n');
}

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${escape(h)}</th>`).join('');
  const tr = rows.map((row) => `<tr>${row.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><tr>${th}</tr>\n${tr}</table>`;
}

function pictureRows(evaluations: ModelEvaluation[], focus: Precision): string[] {
  const out: string[] = [];
  const find = (family: string, head: string): ModelEvaluation | undefined =>
    evaluations.find((e) => e.model.role === 'headline' && e.model.config.family === family && e.model.config.head === head);
  for (const family of [...new Set(evaluations.map((e) => e.model.config.family))]) {
    const d = find(family, 'direct');
    const h = find(family, 'hilbert');
    if (!d || !h) continue;
    const pictures = (e: ModelEvaluation, p: Precision): Float32Array[] => (e.precisions.find((x) => x.precision === p)?.pictures ?? []).map(decodePicture);
    const [fd, qd, fh, qh] = [pictures(d, 'fp32'), pictures(d, focus), pictures(h, 'fp32'), pictures(h, focus)];
    const { height, width } = d.model.trainingSize;
    const maxDisp = d.model.config.maxDisp;
    const count = Math.min(fd.length, qd.length, fh.length, qh.length);
    out.push(`<h3>${escape(family)}</h3>`);
    if (count === 0) {
      out.push('<p>No pictures were kept (--pictures 0).</p>');
      continue;
    }
    const samples = syntheticTestSet(count, height, width, maxDisp, d.model.trainingSize.scenes);
    const captions = ['left image', 'ground truth', 'FP32 direct', `${focus} direct`, 'FP32 hilbert', `${focus} hilbert`, `|${focus} - FP32| direct`, `|${focus} - FP32| hilbert`];
    const rows: string[] = [];
    for (let i = 0; i < samples.length; i++) {
      const s = samples.get(i);
      const disp = (v: Float32Array): RgbImage => colorizeDisparity(width, height, v, null, maxDisp);
      const err = (q: Float32Array, f: Float32Array): RgbImage => colorizeDisparity(width, height, q.map((v, k) => Math.abs(v - f[k])), null, ERROR_MAP_MAX_PX);
      const panels = [
        { width, height, data: s.left },
        colorizeDisparity(width, height, s.disp ?? new Float32Array(width * height), s.valid, maxDisp),
        disp(fd[i]),
        disp(qd[i]),
        disp(fh[i]),
        disp(qh[i]),
        err(qd[i], fd[i]),
        err(qh[i], fh[i]),
      ];
      const cells = panels.map((p, k) => {
        const png = Buffer.from(encodeRgbPng(p.width, p.height, p.data)).toString('base64');
        // Small maps are shown at twice their size; 256 px and wider ones as they are.
        return `<td><img alt="${escape(`${family} pair ${i}: ${captions[k]}`)}" width="${p.width < 256 ? p.width * 2 : p.width}" src="data:image/png;base64,${png}"></td>`;
      });
      rows.push(`<tr>${cells.join('')}</tr>`);
    }
    out.push(`<table class="pictures"><tr>${captions.map((c) => `<th>${escape(c)}</th>`).join('')}</tr>\n${rows.join('\n')}</table>`);
  }
  return out;
}

async function histograms(evaluations: ModelEvaluation[]): Promise<string[]> {
  const out: string[] = [];
  const headline = evaluations.filter((e) => e.model.role === 'headline');
  for (const family of [...new Set(headline.map((e) => e.model.config.family))]) {
    const models = headline.filter((e) => e.model.config.family === family);
    const precisions = [...new Set(models.flatMap((e) => e.precisions.map((p) => p.precision)))].filter((p) => p !== 'fp32');
    for (const precision of precisions) {
      const series = models.flatMap((e) => {
        const p = e.precisions.find((x) => x.precision === precision);
        return p?.histogram && p.quantError ? [{ name: e.model.config.head, counts: p.histogram, total: p.quantError.pixels }] : [];
      });
      if (series.length > 0) out.push(await vegaLiteToSvg(errorHistogramSpec(`${family} ${precision}: quantized - fp32 disparity`, series, HISTOGRAM.extent)));
    }
  }
  return out;
}

/** Whether each hilbert model commits to one fold: its FP32 outputs' distance to the curve. */
async function commitmentSection(evaluations: ModelEvaluation[]): Promise<string[]> {
  const stats = evaluations.flatMap((e) => {
    const d = e.precisions.find((p) => p.precision === 'fp32')?.curveDistance;
    return d ? [{ e, d }] : [];
  });
  if (stats.length === 0) return [];
  const out = [
    `<h2>Does the curve head commit to one fold?</h2>`,
    `<p>Distance of each hilbert model's FP32 outputs to its curve, in units of the vertex spacing (all test pixels). ` +
      `At 0.5 a point sits midway between two parallel folds: any quantization noise may decode it onto the other fold, a jump of several pixels. ` +
      `Hedging: the share of pixels at 3/8 of the spacing or more.</p>`,
    table(['model', 'curve', 'spacing LSB (8 bit)', 'median distance (spacings)', 'hedging'], stats.map(({ e, d }) => [e.model.name, `dims ${e.model.config.dims}, order ${e.model.config.order}`,
      (curveSpacing(e) * 255).toFixed(0), d.median.toFixed(3), `${(d.hedging * 100).toFixed(1)} %`])),
  ];
  for (const family of [...new Set(stats.map((x) => x.e.model.config.family))]) {
    const series = stats.filter((x) => x.e.model.config.family === family).map(({ e, d }) => ({ name: e.model.name, counts: d.counts, total: d.pixels }));
    out.push(await vegaLiteToSvg(curveDistanceSpec(`${family}: FP32 outputs' distance to the curve`, series, stats[0].d.binWidth)));
  }
  return out;
}

function curveSpacing(e: ModelEvaluation): number {
  return (1 - 2 * e.model.config.margin) / (2 ** e.model.config.order - 1);
}

async function ablationSection(r: ExperimentResults, precision: Precision): Promise<string[]> {
  const families = [...new Set(r.curves.filter((c) => c.role === 'ablation').map((c) => c.family))];
  if (families.length === 0) return [];
  const out = [`<h2>Curve ablation (${escape(precision)})</h2>`];
  for (const family of families) {
    const rows = r.curves.filter((c) => c.family === family && c.precision === precision).sort((a, b) => a.ideal.curveLength - b.ideal.curveLength);
    out.push(
      `<p>${escape(family)}: every hilbert model against the ${escape(family)}-direct model. Ideal channel: <code>hilbertq curve</code>'s simulation of each curve ` +
        `with the scheme's output codes (8-bit; 16-bit for w8a16) and the direct model's measured noise in LSB. Share &gt; 1 px: pixels whose quantized disparity left the FP32 one by more than 1 px (segment jumps).</p>`,
      table(
        ['model', 'dims', 'order', 'L', 'spacing LSB', 'FP32 EPE px', `${precision} EPE px`, 'reduction (robust std)', 'reduction (RMSE)', 'ideal, no noise', 'ideal at measured noise', 'share > 1 px', 'FP32 hedging'],
        rows.map((c) => [c.model, String(c.curve.dims), String(c.curve.order), c.ideal.curveLength.toFixed(1), c.ideal.spacingLsb.toFixed(0), c.fp32Epe.toFixed(3),
          c.quantizedEpe.toFixed(3), `${c.reduction.toFixed(2)}x`, `${c.rmseReduction.toFixed(2)}x`, `${c.ideal.ratioNoiseless.toFixed(2)}x`,
          `${c.ideal.ratioAtNoise.toFixed(2)}x (${c.ideal.noiseLsb.toFixed(1)} LSB)`, `${(c.over1px * 100).toFixed(2)} %`, c.hedging === null ? '-' : `${(c.hedging * 100).toFixed(1)} %`]),
      ),
      `<p>${escape(dimsVerdict(rows))}</p>`,
    );
    const byLength = rows.flatMap((c) => [
      { L: c.ideal.curveLength, value: c.reduction, series: `network, ${c.curve.dims}D curves`, model: c.model },
      { L: c.ideal.curveLength, value: c.ideal.ratioAtNoise, series: `ideal channel, ${c.curve.dims}D curves`, model: c.model },
    ]);
    out.push(await vegaLiteToSvg(xySpec(`${family} ${precision}: reduction factor against curve length`, byLength, { field: 'L', title: 'curve length L', log: true }, { field: 'value', title: 'direct / hilbert robust std' }, 'series')));
    const epe = rows.map((c) => ({ L: c.ideal.curveLength, epe: c.fp32Epe, series: `${c.curve.dims}D curves` }));
    out.push(await vegaLiteToSvg(xySpec(`${family}: FP32 EPE against curve length`, epe, { field: 'L', title: 'curve length L', log: true }, { field: 'epe', title: 'EPE px (non-occluded)' }, 'series')));
  }
  return out;
}

/** Says whether a head of more dimensions beats the paper's 2D heads, from the numbers: on the reduction and on FP32 EPE. */
function dimsVerdict(rows: CurveComparison[]): string {
  const best = (pick: (c: CurveComparison) => boolean): CurveComparison | undefined => rows.filter(pick).sort((a, b) => b.reduction - a.reduction)[0];
  const two = best((c) => c.curve.dims === 2);
  const more = best((c) => c.curve.dims > 2);
  if (!two || !more) return '';
  const fmt = (c: CurveComparison): string => `${c.model} (dims ${c.curve.dims}, order ${c.curve.order}, L ${c.ideal.curveLength.toFixed(1)}): ${c.reduction.toFixed(2)}x, FP32 EPE ${c.fp32Epe.toFixed(3)} px`;
  const verdict = more.reduction > two.reduction ? 'The best head of more than two dimensions reduces the quantization error more than the best 2D head' : 'No head of more than two dimensions reduces the quantization error more than the best 2D head';
  const accurate = rows.slice().sort((a, b) => a.fp32Epe - b.fp32Epe)[0];
  return `${verdict}: ${fmt(more)} against ${fmt(two)}. The most accurate head in FP32: ${fmt(accurate)}.`;
}

async function idealSection(r: ExperimentResults): Promise<string[]> {
  if (r.curves.length === 0) return [];
  const rows = r.curves.map((c) => ({ label: `${c.model} ${c.precision}`, group: c.precision, predicted: c.ideal.ratioAtNoise, measured: c.reduction }));
  return [
    `<h2>Ideal channel against the network</h2>`,
    `<p>Each hilbert model in each scheme: the reduction <code>hilbertq curve</code> predicts for its curve at the direct model's measured noise ` +
      `(x) against the reduction measured on the network (y). Points under the diagonal fall short of the ideal channel.</p>`,
    await vegaLiteToSvg(predictedVsMeasuredSpec('ideal-channel prediction vs measured reduction', rows, { predicted: 'ideal channel: direct / curve robust std', measured: 'network: direct / hilbert robust std' })),
  ];
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
