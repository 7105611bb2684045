import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer, type StaticServer } from '../src/web/server.js';

// The server behind `hilbertq web serve`: requests go out byte for byte (node:http does not
// normalise the path), so '..' reaches the server as a client could send it.

let parent: string;
let server: StaticServer;

before(async () => {
  parent = mkdtempSync(join(tmpdir(), 'hilbertq-serve-'));
  writeFileSync(join(parent, 'secret.json'), '{"secret":true}');
  const site = join(parent, 'site');
  mkdirSync(join(site, 'ort'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(site, 'app.js'), 'export {};');
  writeFileSync(join(site, 'ort', 'runtime.mjs'), 'export {};');
  writeFileSync(join(site, 'ort', 'runtime.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  server = await startStaticServer({ dir: site, port: 0 });
});

after(async () => {
  await server?.close();
  rmSync(parent, { recursive: true, force: true });
});

function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('binds to the loopback address by default', () => {
  assert.equal(server.address, '127.0.0.1');
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('serves index.html for / with COOP/COEP, and the right MIME types', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(index.body, /<title>t<\/title>/);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  for (const response of [index, await get('/ort/runtime.wasm'), await get('/missing.js')]) {
    assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(response.headers['cross-origin-embedder-policy'], 'require-corp');
  }
  assert.equal((await get('/ort/runtime.wasm')).headers['content-type'], 'application/wasm');
  assert.equal((await get('/ort/runtime.mjs')).headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await get('/app.js?v=1')).headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await get('/missing.js')).status, 404);
  assert.equal((await get('/app.js', 'POST')).status, 405);
});

test('refuses paths outside the folder, plain and percent-encoded', async () => {
  for (const path of ['/../secret.json', '/ort/../../secret.json', '/%2e%2e/secret.json', '/%2E%2E/secret.json', '/ort/%2e%2e/%2e%2e/secret.json', '/..%2fsecret.json', '/ort%2F..%2F..%2Fsecret.json', '/..%5csecret.json', '/%00', '/%e0%a4%a']) {
    const response = await get(path);
    assert.ok(response.status === 400 || response.status === 403, `${path}: status ${response.status}`);
    assert.doesNotMatch(response.body, /secret/, path);
  }
});
