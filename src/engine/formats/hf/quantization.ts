/**
 * Reads a Hugging Face config's `quantization_config` into the IR's `QuantizationFacts`: which method
 * encodes the stored weights and the few numbers its byte layout depends on. It only translates; what
 * the facts cost in bytes is decided after evaluation (serving/weights.ts, one byte rule per method in
 * `READ_METHODS`), and a method it does not read is named in a warning so that nobody reads the bf16
 * figures as the checkpoint's.
 *
 * The keys are the ones transformers' quantization configs serialise (transformers
 * `utils/quantization_config.py`: FineGrainedFP8Config, BitsAndBytesConfig, GPTQConfig, AwqConfig,
 * CompressedTensorsConfig, Mxfp4Config, FbgemmFp8Config).
 */
import type { DType, QuantizationFacts } from '../../ir';
import { rangeOf, valueOf } from '../../source/json';
import type { ConfigReader } from './config-reader';

/** The methods this reader translates; serving/methods.ts has a byte rule for each (a test keeps them equal). */
export const READ_METHODS: readonly string[] = ['fp8', 'fbgemm_fp8', 'bitsandbytes', 'gptq', 'awq', 'compressed-tensors', 'mxfp4'];

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A written [rows, cols] block; anything else written there becomes [NaN, NaN], which `implausible` rejects. */
function pair(v: unknown): readonly [number, number] | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Array.isArray(v) ? v.map(num) : [];
  return n.length === 2 && n[0] !== undefined && n[1] !== undefined ? [n[0], n[1]] : [NaN, NaN];
}

/** The facts, or undefined when the config has no `quantization_config` (or it is no object). */
export function readQuantization(c: ConfigReader, dtype: DType): QuantizationFacts | undefined {
  const node = c.node('quantization_config');
  if (!node) return undefined;
  const range = rangeOf(node);
  const raw = valueOf(node);
  if (!isObject(raw)) {
    c.sink.warning('config.json: "quantization_config" must be an object; the weights are counted unquantized.', range);
    return undefined;
  }
  const method = str(raw.quant_method) ?? 'unknown';
  const facts = factsOf(method, raw, range);
  if (!READ_METHODS.includes(facts.method)) {
    c.sink.warning(`config.json: unknown quantization "${method.slice(0, 60)}": Greenprint has no byte rule for it, so the weight figures assume ${dtype} for every parameter.`, range);
    return facts;
  }
  const problem = implausible(facts);
  if (problem) {
    c.sink.warning(`config.json: quantization_config (${method}) ${problem}; the weight figures assume ${dtype} for every parameter.`, range);
    return { method: `${method} (unreadable)`, notConverted: [], range };
  }
  return facts;
}

/** Sizes no real checkpoint has (0 or 1e300 bits, fractional groups) would only give made-up byte counts. */
function implausible(f: QuantizationFacts): string | undefined {
  const whole = (v: number | undefined, min: number, max: number) => v === undefined || (Number.isInteger(v) && v >= min && v <= max);
  if (!whole(f.bits, 1, 16)) return `gives ${f.bits} bits per weight, not a whole number from 1 to 16`;
  if (f.groupSize !== undefined && f.groupSize !== -1 && !whole(f.groupSize, 1, 1 << 20)) return `gives a group size of ${f.groupSize}, not -1 or a whole number from 1 to 2^20`;
  if (f.blockSize && !f.blockSize.every((b) => whole(b, 1, 1 << 20))) return 'gives a block size that is not two whole numbers from 1 to 2^20';
  return undefined;
}

function factsOf(method: string, raw: Raw, range: QuantizationFacts['range']): QuantizationFacts {
  switch (method) {
    case 'fp8': {
      return { method, bits: 8, scheme: str(raw.fmt) ?? 'e4m3', blockSize: pair(raw.weight_block_size), notConverted: [...strings(raw.modules_to_not_convert), ...strings(raw.ignored_layers)], range };
    }
    case 'fbgemm_fp8':
      return { method, bits: 8, scheme: 'e4m3', notConverted: strings(raw.modules_to_not_convert), range };
    case 'bitsandbytes': {
      const four = raw.load_in_4bit === true || raw._load_in_4bit === true;
      return {
        method,
        bits: four ? 4 : 8,
        scheme: four ? str(raw.bnb_4bit_quant_type) ?? 'fp4' : 'int8',
        doubleQuant: four ? raw.bnb_4bit_use_double_quant === true : undefined,
        notConverted: strings(raw.llm_int8_skip_modules),
        range,
      };
    }
    case 'gptq':
    case 'awq':
      return { method, bits: num(raw.bits) ?? num(raw.w_bit) ?? 4, groupSize: num(raw.group_size) ?? num(raw.q_group_size) ?? 128, format: str(raw.version) ?? str(raw.checkpoint_format), symmetric: raw.sym === true, notConverted: strings(raw.modules_to_not_convert), range };
    case 'compressed-tensors':
      return { ...compressedGroup(raw), method, format: str(raw.format), notConverted: strings(raw.ignore), range };
    case 'mxfp4':
      return { method, bits: 4, scheme: 'e2m1', groupSize: 32, notConverted: strings(raw.modules_to_not_convert), range };
    default:
      return { method, notConverted: strings(raw.modules_to_not_convert), range };
  }
}

/** The weights scheme of the first config group that targets Linear layers (llm-compressor's usual single group). */
function compressedGroup(raw: Raw): Pick<QuantizationFacts, 'bits' | 'groupSize' | 'scheme' | 'strategy' | 'symmetric' | 'blockSize'> {
  const groups = isObject(raw.config_groups) ? Object.values(raw.config_groups).filter(isObject) : [];
  const group = groups.find((g) => strings(g.targets).includes('Linear')) ?? groups[0];
  const w = group && isObject(group.weights) ? group.weights : undefined;
  if (!w) return {};
  return {
    bits: num(w.num_bits),
    groupSize: num(w.group_size),
    scheme: str(w.type),
    strategy: str(w.strategy),
    symmetric: w.symmetric !== false,
    blockSize: pair(w.block_structure),
  };
}
