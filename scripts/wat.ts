import wabtInit from 'wabt';

/** Each WebAssembly text module and the constant its generated `.wasm.ts` (beside it) exports. */
export const WASM_MODULES = [
  { wat: 'src/curve/table-decoder.wat', constant: 'TABLE_DECODER_WASM' },
  { wat: 'src/curve/cube-walk.wat', constant: 'CUBE_WALK_WASM' },
  { wat: 'src/infer/head-tail.wat', constant: 'HEAD_TAIL_WASM' },
  { wat: 'src/train/adam.wat', constant: 'ADAM_WASM' },
  { wat: 'src/train/soft-decoded-l1.wat', constant: 'SOFT_DECODED_L1_WASM' },
  { wat: 'src/train/backend/resize-grad.wat', constant: 'RESIZE_GRAD_WASM' },
  { wat: 'src/train/backend/matching-cost-grad.wat', constant: 'MATCHING_COST_GRAD_WASM' },
  { wat: 'src/train/backend/gemm.wat', constant: 'GEMM_WASM' },
  { wat: 'src/train/backend/transpose.wat', constant: 'TRANSPOSE_WASM' },
] as const;

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
