import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { startBackend } from '../src/train/backend/index.js';
import { HilbertqError } from '../src/util/errors.js';

test('a backend that cannot start fails in one line naming the reason, its own prints held back', async () => {
  // What tfjs-backend-wasm does under ulimit -v: Emscripten prints the RangeError, the factory fails.
  tf.registerBackend('no-memory', () => {
    console.error('failed to asynchronously prepare wasm: RangeError: WebAssembly.instantiate(): Out of memory: Cannot allocate Wasm memory for new instance');
    throw new Error('Aborted');
  });
  const printed: unknown[] = [];
  const original = console.error;
  const originalWarn = console.warn;
  console.error = (...a: unknown[]) => void printed.push(a);
  console.warn = (...a: unknown[]) => void printed.push(a);
  let failure: unknown;
  try {
    await startBackend('no-memory');
  } catch (err) {
    failure = err;
  } finally {
    console.error = original;
    console.warn = originalWarn;
  }
  assert.ok(failure instanceof HilbertqError);
  assert.match(failure.message, /^tfjs backend 'no-memory' failed to start \(WebAssembly\.instantiate\(\): Out of memory: Cannot allocate Wasm memory for new instance\); .*ulimit -v/);
  assert.ok(!failure.message.includes('\n'));
  assert.deepEqual(printed, [], 'tfjs and Emscripten lines are folded into the error, not printed');
});

test('a backend that starts prints what it printed while starting', async () => {
  tf.registerBackend('chatty', () => {
    console.warn('chatty: starting');
    return tf.findBackendFactory('cpu')!() as tf.KernelBackend;
  });
  const printed: unknown[][] = [];
  const original = console.warn;
  console.warn = (...a: unknown[]) => void printed.push(a);
  try {
    await startBackend('chatty');
  } finally {
    console.warn = original;
  }
  assert.equal(tf.getBackend(), 'chatty');
  assert.deepEqual(printed, [['chatty: starting']]);
});

test('an unregistered backend fails in one line too (tfjs throws instead of returning false)', async () => {
  await assert.rejects(startBackend('no-such-backend'), (err: Error) => err instanceof HilbertqError && /^tfjs backend 'no-such-backend' failed to start \(.*no-such-backend.*\)$/.test(err.message));
});
