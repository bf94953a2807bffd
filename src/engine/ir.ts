/**
 * The one model IR every format reader produces and every analysis consumes.
 *
 * A model is a list of user-visible *layers* (a row the user wrote: a Keras layer, a YOLO yaml line,
 * an OFA block, a Hugging Face config key) and a compute graph of *nodes* (primitive ops from the op
 * registry). Each node points at the layer it belongs to, so per-layer numbers are sums over nodes and
 * every number can be traced back to a range in the source text.
 */

/** Per-sample tensor shape, batch excluded. Images are [C, H, W]; token sequences [T, D]; vectors [N]. */
export type Shape = readonly number[];

/** UTF-16 offsets into the source text, `end` exclusive. */
export interface SourceRange {
  readonly start: number;
  readonly end: number;
}

export type FormatId = 'ofa-net' | 'ofa-supernet' | 'keras' | 'hf-config' | 'ultralytics' | 'onnx' | 'gguf' | 'safetensors';

/** Once-for-All's elastic search spaces (ofa/spaces.ts); an OFA net of either family names its space. */
export type OfaSpaceId = 'mobilenetv3' | 'proxyless';

/** Prompt tokens assumed for transformer prefill when the user sets none. */
export const DEFAULT_SEQ_LEN = 2048;

export type DType = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'int4';

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int8: 1,
  int4: 0.5,
};

/**
 * Which public counter the numbers agree with. Op cost rules report weighted-layer MACs (conv, linear,
 * matmul) and, separately, the extra multiply-accumulates thop attributes to normalisation, pooling and
 * upsampling; a convention decides whether the latter are part of the reported MACs.
 */
export interface CountingConvention {
  readonly id: 'ofa' | 'thop' | 'keras' | 'hf' | 'onnx' | 'stored';
  /** Add thop-style auxiliary ops (BatchNorm, pooling, upsample) to MACs. */
  readonly includeAuxMacs: boolean;
  /** One line a user can read in a hover or the report. */
  readonly label: string;
}

export interface IRLayer {
  /** Stable, readable name: a Keras layer name, `blocks.3`, `model.6 (A2C2f)`. */
  readonly name: string;
  /** What the user wrote: `Conv2D`, `MBConvLayer`, `C3k2`, `decoder layer`… */
  readonly type: string;
  /** Where the layer is defined in the source text. */
  readonly range: SourceRange;
  /** Short description shown in hovers, e.g. `k5 e4 s2 SE`. */
  readonly detail?: string;
  /** How many times the layer's nodes run (a repeated decoder layer); defaults to 1. */
  readonly repeat?: number;
}

/**
 * Every op type's name → the attributes it reads. Empty here: ops/index.ts fills it in by declaration
 * merging from its list of op modules, because the IR sits below the op registry and cannot import it.
 */
export interface OpAttrsByName {}

/** The name of a registered op type, e.g. `conv2d` (the union ops/index.ts derives). */
export type OpName = keyof OpAttrsByName;

export interface IRNode {
  readonly id: number;
  /** Registry op type, e.g. `conv2d`. */
  readonly op: OpName;
  readonly name: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  /** Producer node ids, in the op's input order. */
  readonly inputs: readonly number[];
  /** Index into `ModelIR.layers`; -1 for graph inputs that belong to no layer. */
  readonly layer: number;
}

/**
 * What a decoder/encoder config says beyond its graph, so per-token prefill/decode FLOPs and KV-cache
 * bytes can be computed at any context length (see `transformer.ts`).
 */
export interface TransformerSpec {
  readonly layers: number;
  readonly hiddenSize: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  /**
   * Tokens the IR's graph is built for. Parameter totals and per-token MACs are not recorded here: they
   * come from the one evaluation of the IR (transformer.ts `evaluatedTotals`), so readers only translate.
   */
  readonly tokens: number;
  readonly causal: boolean;
  readonly maxPositionEmbeddings?: number;
  /** `model_type` as read (e.g. `qwen3_moe`), for reports. */
  readonly family?: string;
  /** Routed experts per MoE layer and how many each token visits; absent for dense models. */
  readonly experts?: { readonly total: number; readonly active: number; readonly moeLayers: number };
  /**
   * How the layers mix tokens, one group per kind (see `MixerGroup`); each group counts the layers that
   * hold such a mixer (Falcon-H1's layers hold attention and Mamba-2 side by side, so they are in two
   * groups). Absent: every one of `layers` is full attention with `heads`, `kvHeads`, `headDim`.
   */
  readonly mixers?: readonly MixerGroup[];
  /**
   * IR nodes that run once per request, not per token: a multimodal wrapper's image tower and projector, an
   * encoder-decoder's encoder and its cross-attention keys and values. Their MACs are added to prefill once
   * per sequence and left out of the per-token figures.
   */
  readonly perRequestNodes?: readonly number[];
  /** Modules stored with the model that its forward pass does not run, reported apart from the totals. */
  readonly excluded?: readonly ExcludedModules[];
  /** The checkpoint's `quantization_config` as written; its bytes are derived after evaluation (serving/weights.ts). */
  readonly quantization?: QuantizationFacts;
  /**
   * The weights' bytes when the file itself says them exactly (a GGUF's tensor infos: every tensor's ggml type
   * and element count), with their encoding in words; serving memory then uses these instead of deriving them.
   */
  readonly storedWeights?: { readonly bytes: number; readonly description: string };
}

/**
 * What a Hugging Face `quantization_config` says about how the stored weights are encoded, translated but
 * not interpreted (formats/hf/quantization.ts reads it; serving/weights.ts turns it into bytes).
 */
export interface QuantizationFacts {
  /** `quant_method` as written: fp8, bitsandbytes, gptq, awq, compressed-tensors, mxfp4, fbgemm_fp8, … */
  readonly method: string;
  /** Bits per quantized weight element (4 or 8, or what `bits`/`num_bits` says). */
  readonly bits?: number;
  /** Input features sharing one scale; undefined or -1: one scale per output channel. */
  readonly groupSize?: number;
  /** fp8 block-wise scales: [output rows, input columns] per scale (`weight_block_size`). */
  readonly blockSize?: readonly [number, number];
  /** Element encoding: e4m3, nf4, fp4, int, float, … */
  readonly scheme?: string;
  /** compressed-tensors' `strategy` (tensor, channel, group, block) or the packing `format`. */
  readonly strategy?: string;
  readonly format?: string;
  /** bitsandbytes 4-bit `bnb_4bit_use_double_quant`. */
  readonly doubleQuant?: boolean;
  /** False when zero points are stored (asymmetric); GPTQ/AWQ always store them. */
  readonly symmetric?: boolean;
  /** Module names or patterns kept unquantized (`modules_to_not_convert`, `ignore`, `llm_int8_skip_modules`). */
  readonly notConverted: readonly string[];
  /** Where `quantization_config` is written, for warnings. */
  readonly range: SourceRange;
}

/**
 * What a group of layers does with the other tokens of the sequence, and what it keeps while generating:
 * - `full`: attention over the whole context; caches keys and values of every token.
 * - `sliding`: attention over the last `window` tokens (Mistral, Gemma 2/3 local layers, gpt-oss); the
 *   cache holds at most `window` tokens, as vLLM and transformers' sliding caches keep.
 * - `chunked`: attention inside fixed chunks of `window` tokens (Llama 4's local layers); at most
 *   `window` keys per query and a cache capped at one chunk.
 * - `latent`: DeepSeek's multi-head latent attention; caches the compressed latent plus the rope key.
 * - `cross`: attention over `fixedKeys` encoder outputs (Whisper, T5, BART decoders); the cache holds
 *   them once per sequence, whatever the context.
 * - `state`: linear attention or a state-space scan (Mamba, gated DeltaNet); no keys, a constant state.
 */
export type MixerKind = 'full' | 'sliding' | 'chunked' | 'latent' | 'cross' | 'state';

export interface MixerGroup {
  readonly kind: MixerKind;
  readonly layers: number;
  /** Attention-matmul MACs per query token and key: heads × (query/key width + value width); 0 for `state`. */
  readonly macsPerKey: number;
  /** Elements cached per token and layer (keys + values, or MLA's latent + rope key); 0 for `state`. */
  readonly cachePerToken: number;
  /**
   * Sparse attention (DeepSeek-V3.2 / GLM-5's DSA): each query attends to at most this many keys, picked by an
   * indexer from the whole cache, which this does not cap.
   */
  readonly topK?: number;
  /** `sliding` and `chunked`: keys per query and tokens cached are capped at this many. */
  readonly window?: number;
  /** `cross`: keys each query sees, the encoder's output length, whatever the context. */
  readonly fixedKeys?: number;
  /** `state`: elements each layer keeps per sequence (convolution and recurrent state). */
  readonly statePerSequence?: number;
}

/**
 * `count` copies of one module shaped like a slice of the IR, stored beside the model but not run by its
 * forward pass (DeepSeek's multi-token prediction). Its size is resolved after evaluation: each copy holds
 * `extraParams` plus, for every share, the parameters of IR layer row `row` divided by `divisor` (the
 * number of layers that row repeats over).
 */
export interface ExcludedModules {
  readonly name: string;
  readonly reason: string;
  /** The config key that counts them, named in the report's note. */
  readonly key: string;
  readonly count: number;
  readonly extraParams: number;
  readonly shares: readonly { readonly row: number; readonly divisor: number }[];
}

/**
 * Why a reader's figures are guesses: the file names a family the reader has no recipe for, so it
 * counted a generic one. Reports carry it so that every figure can be shown as unverified.
 */
export interface Unverified {
  readonly reason: string;
  /** Top-level keys the generic recipe did not read; any of them may change the model's shapes. */
  readonly ignoredKeys: readonly string[];
}

/**
 * Tensors a family's checkpoints store that are not parameters of the class the count follows: buffers saved
 * with the weights (GLM-4.5's routers' e_score_correction_bias) and layers the class drops on load (the
 * multi-token-prediction layer). Left out, and named, when a checkpoint beside the config is compared with the
 * count (ground-truth.ts).
 */
export interface CheckpointOnly {
  /** A regular expression over tensor names. */
  readonly match: string;
  readonly what: string;
}

export interface ModelIR {
  readonly format: FormatId;
  readonly modelName: string;
  /** A variant the user can choose, e.g. the YOLO scale in use. */
  readonly variant?: string;
  readonly variants?: readonly string[];
  readonly layers: readonly IRLayer[];
  /** Topologically ordered: a node's inputs always precede it. */
  readonly nodes: readonly IRNode[];
  readonly outputs: readonly number[];
  readonly convention: CountingConvention;
  /** Input description for reports, e.g. `3×224×224` or `seq 2048`. */
  readonly inputDescription: string;
  /** A model file's graph inputs with every dimension bound (batch included), as a runtime must feed them (ONNX). */
  readonly runInputs?: Readonly<Record<string, readonly number[]>>;
  readonly dtype: DType;
  readonly transformer?: TransformerSpec;
  /** Anything a user should know about what was and was not counted. */
  readonly notes?: readonly string[];
  /**
   * Set by the OFA readers on MobileNetV3 and ProxylessNASNets networks: the space the net comes from, which
   * decides the grammar of OFA's latency tables. The keys themselves need inferred shapes, so the latency
   * layer derives them after evaluation (latency/keys.ts); OFA ResNets and other formats have none.
   */
  readonly ofaSpace?: OfaSpaceId;
  /** Set when the figures come from a generic recipe rather than the model's own (see `Unverified`). */
  readonly unverified?: Unverified;
  readonly checkpointOnly?: readonly CheckpointOnly[];
  /**
   * The parameter count the file itself states (a GGUF's tensor table), which the analysis compares with
   * its own count after evaluation: a difference makes every figure unverified, with both numbers.
   */
  readonly storedParams?: { readonly count: number; readonly where: string };
}
