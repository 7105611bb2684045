// Every read of a tfjs private field in this package, behind small functions that first check
// the installed tfjs is exactly the version they were written against. A field renamed or
// reshaped by another version would otherwise fail deep inside a kernel, or worse, not fail.
// test/tfjs-internals.test.ts checks that no other file under src/ reads these fields.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { HilbertqError } from '../../util/errors.js';

type DataId = TensorInfo['dataId'];

/** The tfjs version the kernels here were written against; package.json pins it exactly. */
export const PINNED_TFJS = '4.22.0';

export interface TfjsVersions {
  core: string;
  wasm: string;
}

/** The installed @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm versions. */
export function installedTfjsVersions(): TfjsVersions {
  const require = createRequire(import.meta.url);
  return { core: tf.version['tfjs-core'], wasm: (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version };
}

/** Throws, in one line naming both versions, unless `versions` are exactly the pinned ones. */
export function checkTfjsVersions(versions: TfjsVersions): void {
  if (versions.core === PINNED_TFJS && versions.wasm === PINNED_TFJS) return;
  throw new HilbertqError(
    `installed @tensorflow/tfjs-core ${versions.core} and @tensorflow/tfjs-backend-wasm ${versions.wasm}, but the training kernels read tfjs internals of exactly ${PINNED_TFJS}; reinstall with npm ci`,
  );
}

let checked = false;

/** The check, once per process (the installed packages do not change under a running process). */
export function ensurePinnedTfjs(): void {
  if (checked) return;
  checkTfjsVersions(installedTfjsVersions());
  checked = true;
}

/** The wasm backend's Emscripten memory (module.asm.memory, a WebAssembly.Memory), or undefined where it has none. */
export function wasmBackendMemory(backend: BackendWasm): unknown {
  ensurePinnedTfjs();
  return (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
}

/**
 * Unregisters a tensor whose memory belongs to another (made with makeOutput's memoryOffset)
 * without freeing that memory: disposeData would free it. Drops it from the backend's private
 * dataIdMap and from the C++ side's registry.
 */
export function forgetBorrowedData(backend: BackendWasm, dataId: DataId): void {
  ensurePinnedTfjs();
  const storage = backend as unknown as { dataIdMap: { get(id: DataId): { id: number }; delete(id: DataId): void } };
  backend.wasm.tfjs.disposeData(storage.dataIdMap.get(dataId).id);
  storage.dataIdMap.delete(dataId);
}
