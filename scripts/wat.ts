import wabtInit from 'wabt';

/** WebAssembly text to binary with wabt, SIMD enabled. */
export async function compileWat(source: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('module.wat', source, { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
