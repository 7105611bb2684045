import type { RgbImage } from '../src/data/types.js';

/**
 * Decodes an image (a URL relative to the site, or a user's file) to 8-bit RGB. No colour-space
 * conversion or premultiplication, so a PNG's pixels arrive as stored: the same values Node's
 * PNG reader gives DepthPredictor.
 */
export async function loadRgbImage(source: string | Blob): Promise<RgbImage> {
  let blob: Blob;
  if (typeof source === 'string') {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
    blob = await response.blob();
  } else {
    blob = source;
  }
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2D canvas');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const data = new Uint8Array(canvas.width * canvas.height * 3);
  for (let p = 0, q = 0; q < data.length; p += 4, q += 3) {
    data[q] = rgba[p];
    data[q + 1] = rgba[p + 1];
    data[q + 2] = rgba[p + 2];
  }
  return { width: canvas.width, height: canvas.height, data };
}

/** Draws an RGB image into a canvas at its own size (CSS scales it up). */
export function drawRgb(canvas: HTMLCanvasElement, image: RgbImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const pixels = context.createImageData(image.width, image.height);
  for (let p = 0, q = 0; q < image.data.length; p += 4, q += 3) {
    pixels.data[p] = image.data[q];
    pixels.data[p + 1] = image.data[q + 1];
    pixels.data[p + 2] = image.data[q + 2];
    pixels.data[p + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
}

/**
 * The size to run a model at: the images' own (as `hilbertq infer` does by default) unless they
 * hold over 4x the pixels the model was trained at; then scaled down, as `infer --resize` would,
 * so a phone photo neither takes minutes nor exceeds the model's disparity range.
 */
export function runSize(image: { width: number; height: number }, trained: { width: number; height: number } | null): { width: number; height: number } | undefined {
  if (!trained) return undefined;
  const budget = 4 * trained.width * trained.height;
  const pixels = image.width * image.height;
  if (pixels <= budget) return undefined;
  const scale = Math.sqrt(budget / pixels);
  return { width: Math.max(8, Math.round(image.width * scale)), height: Math.max(8, Math.round(image.height * scale)) };
}
