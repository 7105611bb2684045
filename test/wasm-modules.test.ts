import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileWat, WASM_MODULES } from '../scripts/wat.js';

for (const { wat, constant } of WASM_MODULES) {
  test(`the committed ${constant} is the compiled ${wat} (npm run build:wasm)`, async () => {
    const bytes = await compileWat(readFileSync(wat, 'utf8'));
    const generated = (await import(`../${wat.replace(/\.wat$/, '.wasm.js')}`)) as Record<string, string>;
    assert.equal(Buffer.from(bytes).toString('base64'), generated[constant]);
  });
}
