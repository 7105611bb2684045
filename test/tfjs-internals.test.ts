import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkTfjsVersions, installedTfjsVersions, PINNED_TFJS } from '../src/train/backend/tfjs-internals.js';

const SRC = join(import.meta.dirname, '..', 'src');
const INTERNALS = join(SRC, 'train', 'backend', 'tfjs-internals.ts');

test('the tfjs internals refuse, in one line naming both versions, any tfjs but the pinned one', () => {
  assert.doesNotThrow(() => checkTfjsVersions({ core: PINNED_TFJS, wasm: PINNED_TFJS }));
  assert.deepEqual(installedTfjsVersions(), { core: PINNED_TFJS, wasm: PINNED_TFJS }, 'this checkout installs the pinned tfjs');
  for (const versions of [{ core: PINNED_TFJS, wasm: '4.21.0' }, { core: '4.23.1', wasm: PINNED_TFJS }]) {
    assert.throws(
      () => checkTfjsVersions(versions),
      (err: Error) => err.message.includes(`tfjs-core ${versions.core}`) && err.message.includes(`tfjs-backend-wasm ${versions.wasm}`) && err.message.includes(PINNED_TFJS) && !err.message.includes('\n'),
    );
  }
});

/** Private fields of tfjs a file may only read through tfjs-internals.ts. */
const INTERNAL_READS: [string, RegExp][] = [
  ['the wasm backend\'s dataIdMap', /\bdataIdMap\b/],
  ['the Emscripten module\'s asm exports (its memory)', /\.asm\b/],
  ['the Emscripten heap views', /\bHEAP(8|16|32|U8|U16|U32|F32|F64)\b/],
  ['the C++ side\'s cwrapped functions', /\.wasm\.tfjs\b/],
  ['the engine\'s private state', /engine\(\)\s*\.\s*(state|registry|registryFactory|backendInstance|pendingBackendInit|profiler)\b/],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.wasm.ts') ? [join(dir, e.name)] : []));
}

test('no file under src/ but tfjs-internals.ts reads a tfjs internal', () => {
  const offences: string[] = [];
  for (const file of sourceFiles(SRC)) {
    if (file === INTERNALS) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const [what, pattern] of INTERNAL_READS) if (pattern.test(line)) offences.push(`${relative(SRC, file)}:${i + 1} reads ${what}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offences, []);
  // The check itself finds them where they are.
  assert.ok(INTERNAL_READS.some(([, p]) => p.test(readFileSync(INTERNALS, 'utf8'))));
});
