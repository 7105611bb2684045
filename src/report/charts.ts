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

/** Overlaid histograms of signed errors, one colour per series (e.g. direct vs hilbert). */
export function errorHistogramSpec(
  title: string,
  series: { name: string; values: ArrayLike<number> }[],
  options: { extent: number; bins?: number; sampleLimit?: number } = { extent: 1 },
): vl.TopLevelSpec {
  const bins = options.bins ?? 80;
  const step = (2 * options.extent) / bins;
  // Pre-binned here: embedding millions of raw values in the spec would bloat the SVG step.
  const rows: { series: string; error: number; share: number }[] = [];
  for (const s of series) {
    const counts = new Float64Array(bins);
    let total = 0;
    for (let i = 0; i < s.values.length; i++) {
      const b = Math.floor((s.values[i] + options.extent) / step);
      if (b >= 0 && b < bins) counts[b]++;
      total++;
    }
    for (let b = 0; b < bins; b++) rows.push({ series: s.name, error: -options.extent + (b + 0.5) * step, share: total ? counts[b] / total : 0 });
  }
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
      ...(colour ? { color: { field: colour, type: 'nominal', title: null } } : {}),
    },
  };
}
