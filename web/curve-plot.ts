import { colorizeDisparity } from '../src/data/colorize.js';
import { curveOf } from '../src/models/head-decode.js';
import type { ModelConfig } from '../src/models/model.js';

const VIEW = { min: -0.2, max: 1.2 };
const MAX_POINTS = 1500;

/**
 * The curve (2 dims: in the unit square; more: projected onto its first two dims) and a sample
 * of pixels' predicted points (planar head output, dequantized), coloured by their disparity.
 */
export function drawCurvePlot(canvas: HTMLCanvasElement, config: ModelConfig, points: Float32Array, disparity: Float32Array): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const size = canvas.width;
  const at = (v: number) => ((v - VIEW.min) / (VIEW.max - VIEW.min)) * size;
  const atY = (v: number) => size - at(v);
  context.clearRect(0, 0, size, size);
  context.strokeStyle = '#999';
  context.strokeRect(at(0), atY(1), at(1) - at(0), atY(0) - atY(1));
  const curve = curveOf(config);
  const vertices = curve.vertices();
  context.strokeStyle = '#222';
  context.lineWidth = 2;
  context.beginPath();
  for (let v = 0; v < curve.vertexCount; v++) {
    const x = at(vertices[v * curve.dims]);
    const y = atY(vertices[v * curve.dims + 1]);
    if (v === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  }
  context.stroke();
  const n = disparity.length;
  const step = Math.max(1, Math.floor(n / MAX_POINTS));
  const colours = colorizeDisparity(n, 1, disparity, null, config.maxDisp).data;
  for (let i = 0; i < n; i += step) {
    context.fillStyle = `rgb(${colours[3 * i]},${colours[3 * i + 1]},${colours[3 * i + 2]})`;
    context.fillRect(at(points[i]) - 1.5, atY(points[n + i]) - 1.5, 3, 3);
  }
}
