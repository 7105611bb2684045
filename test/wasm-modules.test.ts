import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileWat, WASM_MODULES } from '../scripts/wat.js';
import { heapModuleStatus, initTrainingBackend, PINNED_TFJS } from '../src/train/backend/index.js';
import { withoutHeapModules } from '../src/train/backend/heap-wasm.js';
import { softDecodedL1WasmFailure } from '../src/train/soft-decoded-l1-wasm.js';

for (const { wat, constant } of WASM_MODULES) {
  test(`the committed ${constant} is the compiled ${wat} (npm run build:wasm)`, async () => {
    const bytes = await compileWat(readFileSync(wat, 'utf8'));
    const generated = (await import(`../${wat.replace(/\.wat$/, '.wasm.js')}`)) as Record<string, string>;
    assert.equal(Buffer.from(bytes).toString('base64'), generated[constant]);
  });
}

test('every training heap module loads here, and a module that cannot run is reported by name', async () => {
  await initTrainingBackend('wasm');
  const status = heapModuleStatus();
  assert.equal(status.length, 5);
  assert.deepEqual(status.filter((m) => m.failure !== null), [], 'a training kernel would silently take its slow path');
  assert.equal(softDecodedL1WasmFailure(), null, "the curve head's soft loss would take its JS loop");
  // package.json pins tfjs exactly: the kernels read its internals.
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.equal(pkg.dependencies['@tensorflow/tfjs'], PINNED_TFJS);
  assert.equal(pkg.dependencies['@tensorflow/tfjs-backend-wasm'], PINNED_TFJS);
  const off = await withoutHeapModules(() => heapModuleStatus());
  assert.ok(off.every((m) => m.failure !== null));
});
