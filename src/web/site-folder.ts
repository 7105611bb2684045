import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SITE_MANIFEST } from './manifest.js';

/**
 * Whether `dir` holds a site's manifest.json, by its content: a dataset folder has a
 * manifest.json too, and `web build --out DATASET` replaced the dataset whole.
 */
export function isSiteFolder(dir: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, SITE_MANIFEST), 'utf8'));
  } catch {
    return false;
  }
  const m = parsed as { hilbertq?: unknown; ort?: unknown; models?: unknown; samples?: unknown } | null;
  return typeof m?.hilbertq === 'string' && typeof m.ort === 'object' && m.ort !== null && Array.isArray(m.models) && Array.isArray(m.samples);
}
