import * as vega from 'vega';
import * as vl from 'vega-lite';

/**
 * Renders a Vega-Lite spec to a standalone SVG string, headless (no canvas, no browser, no
 * network): the report's plots are files that open offline.
 */
export async function vegaLiteToSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Overlaid histograms of signed errors, pre-binned over [-extent, extent], one colour per series (e.g. direct vs hilbert). */
export function errorHistogramSpec(
  title: string,
  series: { name: string; counts: number[]; total: number }[],
  extent: number,
): vl.TopLevelSpec {
  const rows = series.flatMap((s) => {
    const step = (2 * extent) / s.counts.length;
    return s.counts.map((c, b) => ({ series: s.name, error: -extent + (b + 0.5) * step, share: s.total ? c / s.total : 0 }));
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step' },
    encoding: {
      x: { field: 'error', type: 'quantitative', title: 'quantized - fp32 disparity (px)' },
      y: { field: 'share', type: 'quantitative', title: 'share of pixels', scale: { type: 'sqrt' } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/**
 * The FP32 outputs' distance to the curve, in vertex spacings, one line per model: a model that
 * commits piles up near 0; mass near 0.5 sits between two folds, where INT8 noise flips the decode.
 */
export function curveDistanceSpec(title: string, series: { name: string; counts: number[]; total: number }[], binWidth: number): vl.TopLevelSpec {
  const rows = series.flatMap((s) => s.counts.map((c, b) => ({ series: s.name, distance: (b + 0.5) * binWidth, share: s.total ? c / s.total : 0 })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 220,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', interpolate: 'step' },
        encoding: {
          x: { field: 'distance', type: 'quantitative', title: 'distance to the curve (vertex spacings; the last bin holds everything beyond)' },
          y: { field: 'share', type: 'quantitative', title: 'share of pixels' },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
      { data: { values: [{ x: 0.5 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  };
}

/** Predicted against measured, one labelled point per row, over the y = x line. */
export function predictedVsMeasuredSpec(
  title: string,
  rows: { label: string; group: string; predicted: number; measured: number }[],
  axes: { predicted: string; measured: string },
): vl.TopLevelSpec {
  const top = Math.max(1, ...rows.flatMap((r) => [r.predicted, r.measured])) * 1.1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 420,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: top, y: top }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: axes.predicted, scale: { domain: [0, top] } },
          y: { field: 'measured', type: 'quantitative', title: axes.measured, scale: { domain: [0, top] } },
          color: { field: 'group', type: 'nominal', title: null },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 9 },
        encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'measured', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
}

/** Points with a line per series, e.g. reduction factor against curve length. */
export function xySpec(
  title: string,
  rows: Record<string, string | number>[],
  x: { field: string; title: string; log?: boolean },
  y: { field: string; title: string; log?: boolean },
  colour?: string,
): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: x.field, type: 'quantitative', title: x.title, ...(x.log ? { scale: { type: 'log' } } : {}) },
      y: { field: y.field, type: 'quantitative', title: y.title, ...(y.log ? { scale: { type: 'log' } } : {}) },
      ...(colour ? { color: { field: colour, type: 'nominal', title: null, legend: { labelLimit: 400 } } } : {}),
    },
  };
}
