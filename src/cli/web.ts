import type { Command } from 'commander';
import { hostLacksVnni } from '../quant/host-cpu.js';
import { stoppingChildrenOnSignal } from '../util/child-processes.js';
import { ConfigError } from '../util/errors.js';
import { buildWebSite, SHIPPED_MODELS } from '../web/build.js';
import { SITE_MANIFEST } from '../web/manifest.js';
import { isSiteFolder } from '../web/site-folder.js';
import { DEFAULT_HOST, DEFAULT_PORT, startStaticServer } from '../web/server.js';
import { parseIntOption } from './options.js';
import { refuseFileOnPath } from './output-guard.js';

const DEFAULT_SITE = 'site';

interface BuildFlags {
  out: string;
  models: string;
  calib: number;
  reduceRange?: boolean;
}

interface ServeFlags {
  dir: string;
  port: number;
  host: string;
}

export function registerWebCommand(program: Command): void {
  const web = program.command('web').description('the browser demo: INT8 depth with onnxruntime-web');
  web
    .command('build')
    .description('write a self-contained static site: the page, onnxruntime-web, the headline models in fp32, w8a8 and w8a16, sample pairs')
    .option('--out <dir>', 'site folder (replaced as a whole when the build succeeds)', DEFAULT_SITE)
    .option('--models <dir>', 'zoo folder with unet-direct, unet-hilbert, vit-direct, vit-hilbert', SHIPPED_MODELS)
    .option('--calib <n>', 'synthetic calibration pairs per model', parseIntOption('--calib'), 16)
    .option('--reduce-range', 'int8 weights in -64..64 (only to compare with ORT on an x86 CPU without VNNI)')
    .action(async (flags: BuildFlags) => {
      if (flags.calib < 1) throw new ConfigError('--calib', flags.calib, 'must be at least 1');
      // Else the temporary folder beside it failed to be made, with a stack.
      refuseFileOnPath(flags.out, '--out');
      const started = performance.now();
      // Ctrl-C exits through process.exit, so the build's exit hook removes its temporary folder.
      const manifest = await stoppingChildrenOnSignal(new Set(), () =>
        buildWebSite({
          out: flags.out,
          modelsDir: flags.models,
          calibrationPairs: flags.calib,
          reduceRange: flags.reduceRange ?? false,
          onProgress: (line) => console.log(`web build: ${line}`),
        }),
      );
      const files = manifest.models.reduce((n, m) => n + Object.keys(m.precisions).length, 0);
      console.log(`web build: ${flags.out} ready in ${((performance.now() - started) / 1000).toFixed(0)} s (${files} models, ${manifest.samples.length} samples, onnxruntime-web ${manifest.ort.version}); serve it with: hilbertq web serve --dir ${flags.out}`);
      if (!flags.reduceRange && hostLacksVnni()) console.log('web build: note: this CPU has no VNNI; the page is unaffected, but ORT on Node here may saturate int8 (see --reduce-range)');
    });
  web
    .command('serve')
    .description('serve a built site over HTTP (loopback by default), cross-origin isolated so wasm can use threads')
    .option('--dir <dir>', 'site folder from hilbertq web build', DEFAULT_SITE)
    .option('--port <n>', 'TCP port (0: any free one)', parseIntOption('--port'), DEFAULT_PORT)
    .option('--host <address>', 'address to listen on', DEFAULT_HOST)
    .action(async (flags: ServeFlags) => {
      if (flags.port < 0 || flags.port > 65535) throw new ConfigError('--port', flags.port, 'must be in 0..65535');
      if (!isSiteFolder(flags.dir)) {
        throw new ConfigError('--dir', flags.dir, `holds no ${SITE_MANIFEST} of a built site: build the site first with 'hilbertq web build --out ${flags.dir}'`);
      }
      const server = await startStaticServer({ dir: flags.dir, port: flags.port, host: flags.host });
      console.log(`web serve: ${flags.dir} at ${server.url} (Ctrl-C to stop)`);
    });
}
