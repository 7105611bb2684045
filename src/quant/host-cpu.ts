import { readFileSync } from 'node:fs';

/**
 * Whether this machine is an x86 Linux host without VNNI, where ORT's uint8 x int8 integer
 * kernels use VPMADDUBSW and its int16 pair sums can saturate (ORT's reason for reduce_range).
 * null when it cannot tell.
 */
export function hostLacksVnni(): boolean | null {
  if (process.arch !== 'x64' || process.platform !== 'linux') return null;
  try {
    return !/\b(avx512_vnni|avx_vnni|amx_int8)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return null;
  }
}
