/**
 * ggml's tensor types as GGUF stores them: id → name, elements per block and bytes per block. Sizes restate
 * the block structs of ggml (ggml-org/ggml `src/ggml-common.h`, `type_traits` in `src/ggml.c`; also
 * gguf-py's `GGML_QUANT_SIZES`): e.g. Q4_0 packs 32 weights as a half-precision scale + 16 bytes of nibbles
 * (18 bytes), Q4_K packs 256 as two half scales, 12 bytes of 6-bit sub-block scales and 128 bytes (144).
 * Ids 4, 5 (Q4_2, Q4_3), 31–33 and 36–38 (the removed interleaved Q4_0_x_x / IQ4_NL_x_x) are not used.
 */
export interface GgmlType {
  readonly name: string;
  readonly blockElements: number;
  readonly blockBytes: number;
}

const QK_K = 256;

export const GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map(
  (
    [
      [0, 'F32', 1, 4],
      [1, 'F16', 1, 2],
      [2, 'Q4_0', 32, 18],
      [3, 'Q4_1', 32, 20],
      [6, 'Q5_0', 32, 22],
      [7, 'Q5_1', 32, 24],
      [8, 'Q8_0', 32, 34],
      [9, 'Q8_1', 32, 36],
      [10, 'Q2_K', QK_K, 84],
      [11, 'Q3_K', QK_K, 110],
      [12, 'Q4_K', QK_K, 144],
      [13, 'Q5_K', QK_K, 176],
      [14, 'Q6_K', QK_K, 210],
      [15, 'Q8_K', QK_K, 292],
      [16, 'IQ2_XXS', QK_K, 66],
      [17, 'IQ2_XS', QK_K, 74],
      [18, 'IQ3_XXS', QK_K, 98],
      [19, 'IQ1_S', QK_K, 50],
      [20, 'IQ4_NL', 32, 18],
      [21, 'IQ3_S', QK_K, 110],
      [22, 'IQ2_S', QK_K, 82],
      [23, 'IQ4_XS', QK_K, 136],
      [24, 'I8', 1, 1],
      [25, 'I16', 1, 2],
      [26, 'I32', 1, 4],
      [27, 'I64', 1, 8],
      [28, 'F64', 1, 8],
      [29, 'IQ1_M', QK_K, 56],
      [30, 'BF16', 1, 2],
      [34, 'TQ1_0', QK_K, 54],
      [35, 'TQ2_0', QK_K, 66],
      [39, 'MXFP4', 32, 17],
    ] as const
  ).map(([id, name, blockElements, blockBytes]) => [id, { name, blockElements, blockBytes }]),
);
