import { colorizeDisparity } from '../data/colorize.js';
import { encodeRgbPng } from '../data/formats/png.js';
import type { RgbImage } from '../data/types.js';
import { decodePicture } from '../experiment/evaluate-model.js';
import type { RealPairOutcome } from '../experiment/real-pair.js';

/** What results.json keeps of the real pair: numbers, no pictures. */
export type RealPairSummary = EvaluatedRealPair | { name: string; origin: string; missing: string };

interface EvaluatedRealPair {
  name: string;
  origin: string;
  files: string[];
  downscale: number;
  width: number;
  height: number;
  rows: { model: string; precision: string; epe: number; d1: number; rmse: number; pixels: number; qErrRobustStd: number | null; qErrRmse: number | null; movedOver1px: number | null }[];
}

export function summarizeRealPair(outcome: RealPairOutcome): RealPairSummary {
  if ('missing' in outcome) return { name: outcome.source.name, origin: outcome.source.origin, missing: outcome.missing };
  const { source, downscale, width, height } = outcome;
  return {
    name: source.name,
    origin: source.origin,
    files: source.files,
    downscale,
    width,
    height,
    rows: outcome.rows.map((r) => ({
      model: r.model,
      precision: r.precision,
      epe: r.metrics.all.epe,
      d1: r.metrics.all.d1,
      rmse: r.metrics.all.rmse,
      pixels: r.metrics.all.pixels,
      qErrRobustStd: r.quantError?.robustStd ?? null,
      qErrRmse: r.quantError?.rmse ?? null,
      movedOver1px: r.quantError?.over1px ?? null,
    })),
  };
}

const CAVEAT = 'The models were trained only on synthetic scenes; they never saw a real image.';

function describe(s: EvaluatedRealPair): string {
  return `${s.name} from ${s.origin}, shrunk ${s.downscale}x (box filter, disparities / ${s.downscale}) to ${s.height}x${s.width} so that its disparities fit the models' range. EPE, D1 and RMSE on every pixel with ground truth (blocks across depth edges have none).`;
}

export function realPairMarkdown(s: RealPairSummary | null): string {
  if (!s) return '';
  if ('missing' in s) return `## Real pair: ${s.name}\n\nNot evaluated: ${s.missing} missing (install ${s.origin}).`;
  const rows = s.rows.map((r) => {
    const q = r.qErrRobustStd === null ? '-' : `${r.qErrRobustStd.toFixed(3)} / ${(r.qErrRmse as number).toFixed(3)} / ${((r.movedOver1px as number) * 100).toFixed(2)} %`;
    return `| ${r.model} | ${r.precision} | ${r.epe.toFixed(3)} | ${(r.d1 * 100).toFixed(2)} % | ${r.rmse.toFixed(3)} | ${q} |`;
  });
  return [`## Real pair: ${s.name}`, '', `${CAVEAT} ${describe(s)}`, '', '| model | precision | EPE px | D1 | RMSE px | q-err robust std / RMSE px / moved > 1 px |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The report's section: the numbers, then every model's map in every precision beside the ground truth. */
export function realPairHtml(outcome: RealPairOutcome | null, s: RealPairSummary | null, escape: (t: string) => string): string[] {
  if (!outcome || !s) return [];
  if ('missing' in outcome || 'missing' in s) return [`<h2>Real pair: ${escape(s.name)}</h2>`, `<p>Not evaluated: ${escape(outcome.source.name)} is missing (${escape('missing' in s ? s.missing : '')}); install ${escape(s.origin)}.</p>`];
  const { width, height, maxDisp } = outcome;
  const png = (img: RgbImage, alt: string): string =>
    `<td><img alt="${escape(alt)}" width="${img.width}" src="data:image/png;base64,${Buffer.from(encodeRgbPng(img.width, img.height, img.data)).toString('base64')}"></td>`;
  const truth = decodePicture(outcome.groundTruth);
  const valid = Uint8Array.from(truth, (d) => (Number.isNaN(d) ? 0 : 1));
  const left = Buffer.from(outcome.left, 'base64');
  const precisions = [...new Set(outcome.rows.map((r) => r.precision))];
  const models = [...new Set(outcome.rows.map((r) => r.model))];
  const pictureRows = models.map((model) => {
    const cells = precisions.map((p) => {
      const row = outcome.rows.find((r) => r.model === model && r.precision === p);
      return row ? png(colorizeDisparity(width, height, decodePicture(row.picture), null, maxDisp), `${model} ${p}`) : '<td></td>';
    });
    return `<tr><th>${escape(model)}</th>${cells.join('')}</tr>`;
  });
  const numbers = s.rows.map(
    (r) =>
      `<tr><td>${escape(r.model)}</td><td>${escape(r.precision)}</td><td>${r.epe.toFixed(3)}</td><td>${(r.d1 * 100).toFixed(2)} %</td><td>${r.rmse.toFixed(3)}</td>` +
      `<td>${r.qErrRobustStd === null ? '-' : r.qErrRobustStd.toFixed(3)}</td><td>${r.qErrRmse === null ? '-' : r.qErrRmse.toFixed(3)}</td><td>${r.movedOver1px === null ? '-' : `${(r.movedOver1px * 100).toFixed(2)} %`}</td></tr>`,
  );
  return [
    `<h2>Real pair: ${escape(s.name)}</h2>`,
    `<p><strong>${escape(CAVEAT)}</strong> ${escape(describe(s))}</p>`,
    `<table><tr><th>model</th><th>precision</th><th>EPE px</th><th>D1</th><th>RMSE px</th><th>q-err robust std</th><th>q-err RMSE</th><th>moved &gt; 1 px</th></tr>\n${numbers.join('\n')}</table>`,
    `<table class="pictures"><tr><th></th><th>left image</th><th>ground truth</th></tr><tr><th></th>${png({ width, height, data: new Uint8Array(left.buffer, left.byteOffset, left.byteLength) }, 'left image')}${png(colorizeDisparity(width, height, truth.map((d) => (Number.isNaN(d) ? 0 : d)), valid, maxDisp), 'ground truth')}</tr></table>`,
    `<table class="pictures"><tr><th></th>${precisions.map((p) => `<th>${escape(p)}</th>`).join('')}</tr>\n${pictureRows.join('\n')}</table>`,
  ];
}
