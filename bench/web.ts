/**
 * The browser page's figures in headless Chromium: for unet and vit, the page's median latency
 * (preprocessing, session.run on onnxruntime-web's wasm EP, decode) of w8a8 and fp32 for both
 * heads with 1 and with 2 wasm threads, the INT8/FP32 ratio, and the time from page load to the
 * first disparity map on a fresh browser profile (cold: the wasm runtime and models are fetched
 * and compiled). Builds the site into a temporary folder and serves it with web serve's server.
 * Run: npm run bench:web [-- --runs N] [--screenshot docs/web-page.png]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostLacksVnni } from '../src/quant/host-cpu.js';
import { buildWebSite } from '../src/web/build.js';
import { startStaticServer } from '../src/web/server.js';
import { launchChromium, PAGE_FINISHED } from '../test/chromium-support.js';

interface PageFigures {
  state: string;
  status: string;
  firstResultMs: number | null;
  latencies: Record<string, number>;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

const runs = Number(flag('--runs') ?? 15);
const screenshot = flag('--screenshot');
const dir = mkdtempSync(join(tmpdir(), 'hilbertq-bench-web-'));
const site = join(dir, 'site');
await buildWebSite({ out: site });
const server = await startStaticServer({ dir: site, port: 0 });
const { browser, close } = await launchChromium();
try {
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, VNNI: ${hostLacksVnni() === false ? 'yes' : 'no'}; Chromium headless, onnxruntime-web wasm EP`);
  const pair = 'left=samples/0-left.png&right=samples/0-right.png';
  let first = true;
  for (const threads of [1, 2]) {
    for (const family of ['unet', 'vit']) {
      const page = await browser.newPage();
      await page.goto(`${server.url}?model=${family}-hilbert&precision=w8a8&${pair}&autorun=1&runs=${runs}&threads=${threads}`);
      await page.waitForFunction(PAGE_FINISHED, undefined, { timeout: 300_000 });
      const api = (await page.evaluate("({ state: document.body.dataset.state, status: document.getElementById('status').textContent, firstResultMs: window.hilbertq.firstResultMs, latencies: window.hilbertq.latencies })")) as PageFigures;
      if (api.state !== 'done') throw new Error(`page failed: ${api.status}`);
      if (first) console.log(`time to first result from page load (fresh profile, ${threads} thread): ${api.firstResultMs?.toFixed(0)} ms`);
      if (first && screenshot) await page.screenshot({ path: screenshot, fullPage: true });
      first = false;
      for (const head of ['direct', 'hilbert']) {
        const q = api.latencies[`${family}-${head}.w8a8`];
        const f = api.latencies[`${family}-${head}.fp32`];
        console.log(`${threads} thread(s) ${family}-${head}: w8a8 ${q.toFixed(1)} ms, fp32 ${f.toFixed(1)} ms, w8a8/fp32 ${(q / f).toFixed(2)} (median of ${runs}, 64x128)`);
      }
      await page.close();
    }
  }
  if (screenshot) console.log(`screenshot: ${screenshot}`);
} finally {
  await close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
