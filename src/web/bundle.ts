import { build } from 'esbuild';
import { HilbertqError } from '../util/errors.js';

/**
 * Bundles the page's TypeScript into one ES module for the browser. platform 'browser' makes any
 * node: import on the page's path a build error instead of a broken page. The
 * 'onnxruntime-web-use-extern-wasm' condition picks ORT's build that loads its .wasm/.mjs from
 * ort.env.wasm.wasmPaths (the site's own copy) rather than inlining them.
 */
export async function bundlePage(entry: string, outfile: string): Promise<void> {
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: false,
      conditions: ['onnxruntime-web-use-extern-wasm'],
      logLevel: 'silent',
      legalComments: 'none',
    });
  } catch (err) {
    const errors = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const first = errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new HilbertqError(`web build: bundling the page failed: ${first ? first.text + where : String(err)}`);
  }
}
