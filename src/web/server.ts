import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { ConfigError, HilbertqError } from '../util/errors.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

/** Types by extension; anything else is served as bytes. Browsers need application/wasm to stream-compile. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.onnx': 'application/octet-stream',
};

/**
 * Cross-origin isolation: with these the page is crossOriginIsolated, SharedArrayBuffer exists
 * and onnxruntime-web can run its wasm kernels on several threads.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface StaticServerOptions {
  dir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface StaticServer {
  url: string;
  /** The address it listens on, as the socket reports it. */
  address: string;
  port: number;
  close(): Promise<void>;
}

/** A static file server for one folder: GET and HEAD, nothing outside the folder. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new ConfigError('--dir', options.dir, 'is not a folder');
  const realRoot = realpathSync(root);
  const host = options.host ?? DEFAULT_HOST;
  const server = createServer((req, res) => serve(realRoot, req, res));
  await new Promise<void>((done, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EADDRNOTAVAIL' ? 'no such local address' : err.message;
      fail(new HilbertqError(`web serve: cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${why}`));
    });
    server.listen(options.port ?? DEFAULT_PORT, host, () => done());
  });
  const { address, port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    address,
    port,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

function serve(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  const file = fileFor(root, req.url ?? '/');
  if (typeof file === 'number') return reply(res, file, file === 404 ? 'not found' : 'bad path');
  const headers = {
    ...ISOLATION_HEADERS,
    'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(statSync(file).size),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/**
 * The file a request path names inside root, or an HTTP status. Checked on the path as sent
 * (before any normalisation a URL parser would do): no '..' segment, plain or percent-encoded,
 * no encoded slash or backslash, no NUL; then the real path (symlinks resolved) must stay inside.
 */
export function fileFor(root: string, url: string): string | number {
  const rawPath = url.split(/[?#]/, 1)[0];
  if (!rawPath.startsWith('/') || /%(2f|5c)/i.test(rawPath)) return 400;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return 400;
  }
  if (/[\\\0]/.test(path) || path.split('/').some((segment) => segment === '..')) return 403;
  let file = join(root, path);
  if (!existsSync(file)) return 404;
  if (statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file) || !statSync(file).isFile()) return 404;
  const real = realpathSync(file);
  return real.startsWith(root + sep) ? real : 403;
}

function reply(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
  res.end(`${status} ${text}\n`);
}
