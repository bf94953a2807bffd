/**
 * One byte rule per checkpoint quantization method: which weight matrices it encodes and what one encoded
 * rows × cols matrix (rows = output features, cols = input features) stores, scales and zero points
 * included. Everything a method does not encode stays in the model's dtype (serving/weights.ts).
 *
 * Which matrices, per method (the quantizers' replacement functions and the checkpoints they write):
 * - every method: routers stay in the model dtype (vLLM builds MoE gates with quant_config=None;
 *   DeepSeek's MoEGate is a bare nn.Parameter), and so do embeddings (no nn.Linear);
 * - fp8, fbgemm_fp8, bitsandbytes: every nn.Linear except lm_head and `modules_to_not_convert`
 *   (transformers integrations/finegrained_fp8.py, fbgemm_fp8.py, bitsandbytes.py: the output embedding is
 *   added to the modules kept, `get_keys_to_not_convert`);
 * - gptq, awq: the linear layers inside the repeated blocks only (optimum GPTQQuantizer quantizes
 *   `block_name_to_quantize`; AutoAWQ walks the decoder layers);
 * - compressed-tensors: modules of the `Linear` target, lm_head included unless `ignore` names it;
 * - mxfp4: the MoE experts only (gpt-oss: attention, router, embeddings and lm_head are listed in
 *   `modules_to_not_convert`; transformers integrations/mxfp4.py converts only the experts' blocks).
 */
import type { QuantizationFacts } from '../ir';
import type { WeightPart } from './parts';

export interface MethodRule {
  /** Parts the method encodes (before `modules_to_not_convert`). */
  readonly parts: readonly WeightPart[];
  /** Bytes of one encoded rows × cols matrix. */
  bytes(rows: number, cols: number, f: QuantizationFacts): number;
  /** What one encoded matrix stores, for the report. */
  describe(f: QuantizationFacts): string;
  /** Where the layout comes from. */
  readonly source: string;
}

const LAYER_LINEAR: readonly WeightPart[] = ['layerLinear', 'experts'];
const ALL_LINEAR: readonly WeightPart[] = ['layerLinear', 'experts', 'outsideLinear'];

const groupsOf = (cols: number, f: QuantizationFacts): number => (f.groupSize && f.groupSize > 0 ? Math.ceil(cols / f.groupSize) : 1);

export const METHOD_RULES: Readonly<Record<string, MethodRule>> = {
  fp8: {
    parts: ALL_LINEAR,
    // One float32 scale_inv per block (DeepSeek-V3 `weight_scale_inv`, [⌈rows/128⌉, ⌈cols/128⌉]); one per tensor without blocks.
    bytes: (rows, cols, f) => rows * cols + 4 * (f.blockSize ? Math.ceil(rows / f.blockSize[0]) * Math.ceil(cols / f.blockSize[1]) : 1),
    describe: (f) => `fp8 ${f.scheme ?? 'e4m3'} weights, one float32 scale per ${f.blockSize ? `${f.blockSize[0]}×${f.blockSize[1]} block` : 'tensor'}`,
    source: 'transformers FineGrainedFP8 (integrations/finegrained_fp8.py: weight float8_e4m3fn, weight_scale_inv float32 per block); DeepSeek-V3 checkpoint layout',
  },
  fbgemm_fp8: {
    parts: ALL_LINEAR,
    bytes: (rows, cols) => rows * cols + 4 * rows,
    describe: () => 'fp8 e4m3 weights, one float32 scale per output channel',
    source: 'transformers integrations/fbgemm_fp8.py (FbgemmFp8Linear: weight float8_e4m3fn, weight_scale float32 [out, 1])',
  },
  bitsandbytes: {
    parts: ALL_LINEAR,
    bytes: (rows, cols, f) => (f.bits === 4 ? bnb4Bytes(rows * cols, f.doubleQuant === true) : rows * cols + 4 * rows),
    describe: (f) =>
      f.bits === 4
        ? `bitsandbytes 4-bit ${f.scheme ?? 'fp4'}, blocks of 64 with ${f.doubleQuant ? 'an 8-bit absmax (double quant: float32 absmax per 256 blocks)' : 'a float32 absmax'}`
        : 'bitsandbytes LLM.int8: int8 weights, one float32 scale (SCB) per output row',
    source: 'bitsandbytes Params4bit/QuantState (blocksize 64 for weights, absmax, quant_map; nested absmax per 256 blocks) and Int8Params (SCB float32 per row), as transformers saves them',
  },
  gptq: {
    parts: LAYER_LINEAR,
    // qweight int32 [cols·bits/32, rows], qzeros int32 [groups, rows·bits/32], scales fp16 [groups, rows], g_idx int32 [cols].
    bytes: (rows, cols, f) => {
      const bits = f.bits ?? 4;
      const groups = groupsOf(cols, f);
      return (rows * cols * bits) / 8 + (groups * rows * bits) / 8 + 2 * groups * rows + 4 * cols;
    },
    describe: (f) => `GPTQ ${f.bits ?? 4}-bit, ${f.groupSize && f.groupSize > 0 ? `groups of ${f.groupSize}` : 'one group per row'} with a float16 scale and a packed zero point, int32 g_idx per input`,
    source: 'AutoGPTQ/GPTQModel QuantLinear buffers (qweight, qzeros, scales, g_idx), as stored in GPTQ checkpoints',
  },
  awq: {
    parts: LAYER_LINEAR,
    // GEMM layout: qweight int32 [cols, rows·bits/32], qzeros int32 [groups, rows·bits/32], scales fp16 [groups, rows].
    bytes: (rows, cols, f) => {
      const bits = f.bits ?? 4;
      const groups = groupsOf(cols, f);
      return (rows * cols * bits) / 8 + (groups * rows * bits) / 8 + 2 * groups * rows;
    },
    describe: (f) => `AWQ ${f.bits ?? 4}-bit, groups of ${f.groupSize ?? 128} with a float16 scale and a packed zero point`,
    source: 'AutoAWQ WQLinear_GEMM buffers (qweight, qzeros, scales)',
  },
  'compressed-tensors': {
    parts: [...ALL_LINEAR, 'lmHead'],
    bytes: (rows, cols, f) => {
      const bits = f.bits ?? 8;
      const scales = compressedScales(rows, cols, f);
      const zeros = f.symmetric === false ? (scales * bits) / 8 : 0;
      // pack-quantized stores each matrix's int64 [rows, cols] weight_shape beside it.
      const shape = f.format === 'pack-quantized' ? 16 : 0;
      return (rows * cols * bits) / 8 + 2 * scales + zeros + shape;
    },
    describe: (f) => `compressed-tensors ${f.scheme ?? 'int'}${f.bits ?? 8} (${f.format ?? 'format not stated'}), ${f.strategy ?? 'tensor'} scales${f.strategy === 'group' ? ` of ${f.groupSize}` : ''} in 16 bits${f.symmetric === false ? ' with zero points' : ''}`,
    source: 'compressed-tensors QuantizationScheme / llm-compressor (weight_scale per strategy in the model dtype, weight_zero_point when asymmetric, weight_shape for pack-quantized)',
  },
  mxfp4: {
    parts: ['experts'],
    // blocks: 32 four-bit elements in 16 bytes; scales: one uint8 E8M0 exponent per 32 elements.
    bytes: (rows, cols) => (rows * cols) / 2 + (rows * cols) / 32,
    describe: () => 'MXFP4 experts: 4-bit e2m1 elements, one 8-bit shared exponent per 32',
    source: 'OCP Microscaling spec v1.0 (MXFP4: 32 FP4 elements share one E8M0 scale); gpt-oss `*_blocks`/`*_scales` tensors, transformers integrations/mxfp4.py',
  },
};

export const KNOWN_METHODS: readonly string[] = Object.keys(METHOD_RULES);

/** Scales one compressed-tensors matrix stores for its strategy. */
function compressedScales(rows: number, cols: number, f: QuantizationFacts): number {
  switch (f.strategy) {
    case 'channel':
      return rows;
    case 'group':
      return rows * groupsOf(cols, f);
    case 'block':
      return f.blockSize ? Math.ceil(rows / f.blockSize[0]) * Math.ceil(cols / f.blockSize[1]) : 1;
    default:
      return 1;
  }
}

/**
 * bitsandbytes 4-bit: two elements a byte, absmax per block of 64; with double quant the absmax is itself
 * 8-bit with a float32 absmax per 256 blocks. Per tensor: the 16-entry float32 code (quant_map) and, nested,
 * the 256-entry one; the small JSON state tensor is left out (a few hundred bytes per matrix).
 */
function bnb4Bytes(elements: number, doubleQuant: boolean): number {
  const blocks = Math.ceil(elements / 64);
  const packed = Math.ceil(elements / 2);
  if (!doubleQuant) return packed + 4 * blocks + 4 * 16;
  return packed + blocks + 4 * Math.ceil(blocks / 256) + 4 * 16 + 4 * 256;
}
