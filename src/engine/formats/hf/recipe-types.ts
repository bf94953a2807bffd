/**
 * The shape of a Hugging Face family's recipe (recipes.ts holds the families): which blocks its modelling code
 * stacks, the config keys of their sizes and the defaults of the family's config class.
 */

/** A bias that is always there, never there, or switched by a boolean config key (default false unless given). */
export type BiasRule = boolean | 'attention_bias' | 'mlp_bias' | { readonly key: string; readonly default: boolean };

/**
 * Where the per-layer norms sit: before each sub-block, after each residual add, one norm feeding attention
 * and MLP side by side (Phi), a norm before and after each (Gemma 2), or attention and MLP side by side with
 * a norm each (GPT-NeoX's `use_parallel_residual`: x + attn(ln1(x)) + mlp(ln2(x))), or only a norm on each
 * sub-block's output before its residual add (OLMo 2: x + norm(attn(x)), then x + norm(mlp(x))).
 */
export type Layout = 'pre' | 'post' | 'parallel' | 'sandwich' | 'parallel-two-norms' | 'output-norms';

/** Query/key/value projections of one kind. */
export type AttentionRecipe =
  | {
      /** Multi-head / grouped-query attention: q, k, v, o projections (`num_key_value_heads` groups). */
      readonly kind: 'gqa';
      readonly qkvBias: BiasRule;
      readonly outBias: BiasRule;
      /** Per-head norm on queries and keys: always (Qwen3 q_norm/k_norm) or when a key is true (Phi). */
      readonly qkNorm?: {
        readonly kind: 'rms' | 'layer';
        readonly when?: string;
        /** Per head (default; Qwen3's head_dim weights) or over the whole projection (OLMo 2: H·hd and KV·hd weights). */
        readonly over?: 'head' | 'projection';
      };
      /** One learned sink logit per head (gpt-oss `sinks`). */
      readonly sinks?: boolean;
    }
  | {
      /**
       * Multi-head latent attention (DeepSeek-V2/V3): queries through an optional low-rank `q_lora_rank`
       * bottleneck with its norm, keys and values from one compressed `kv_lora_rank` latent plus a rope key
       * shared by all heads; q/k heads `qk_nope_head_dim + qk_rope_head_dim` wide, value heads `v_head_dim`.
       */
      readonly kind: 'mla';
      /** The config class's defaults where they are not DeepSeek-V3's (GLM-5: q rank 2048, q/k nope 192, value heads 256). */
      readonly defaults?: { readonly qLoraRank?: number; readonly nope?: number; readonly valueDim?: number };
      /** DeepSeek Sparse Attention: a lightning indexer beside the block (sparse-attention.ts), with its config class's defaults. */
      readonly indexer?: { readonly heads: number; readonly headDim: number; readonly topK: number };
    };

/** How the layers that carry experts are chosen. */
export type SparseLayers =
  /** Every layer (Mixtral, gpt-oss). */
  | 'all'
  /** Qwen-MoE: layer i when (i+1) % decoder_sparse_step == 0 and i is not in mlp_only_layers. */
  | 'qwen'
  /** DeepSeek: layer i when i ≥ first_k_dense_replace and i % moe_layer_freq == 0. */
  | 'deepseek'
  /** Llama 4: the layers listed in `moe_layers`, else every `interleave_moe_layer_step`-th (llama4.ts). */
  | 'llama4'
  /**
   * ERNIE 4.5: layer i when moe_layer_start_index ≤ i ≤ moe_layer_end_index (-1: the last layer) and
   * (i + 1) % moe_layer_interval == 0 (Ernie4_5_MoeDecoderLayer).
   */
  | 'ernie';

export interface MoeRecipe {
  /** Row name of the block (`block_sparse_moe` in Mixtral, `mlp` elsewhere). */
  readonly block: string;
  /** Keys that may hold the routed-expert count, first present wins, and the config class default. */
  readonly expertKeys: readonly string[];
  readonly expertsDefault: number;
  readonly activeDefault: number;
  /** The key of the experts each token is routed to, where it is not `num_experts_per_tok` (KimiLinearConfig's `num_experts_per_token`). */
  readonly activeKey?: string;
  /** Width of each expert: `moe_intermediate_size` (default), or the dense `intermediate_size` (Mixtral, gpt-oss). */
  readonly widthKey: 'moe_intermediate_size' | 'intermediate_size';
  readonly widthDefault?: number;
  /** Shared experts beside the routed ones: one gated expert of its own width (Qwen2-MoE) or n routed-width ones (DeepSeek). */
  readonly shared?: { readonly kind: 'width'; readonly key: string; readonly default: number; readonly gate: boolean } | { readonly kind: 'count'; readonly key: string; readonly default: number };
  /**
   * Router extras: a Linear bias (gpt-oss), or DeepSeek-V3's `e_score_correction_bias` (one per expert;
   * a Parameter in DeepSeek's modelling code and stored in the checkpoint) when `topk_method` is noaux_tc;
   * 'correction-buffer': the same bias registered as a buffer (GLM-4.5), stored but no parameter;
   * 'correction': that bias as a Parameter whatever the config says (Kimi Linear's KimiMoEGate).
   */
  readonly routerBias: 'none' | 'linear' | 'correction-when-noaux' | 'correction-buffer' | 'correction';
  /** Biases on the expert matrices (gpt-oss's fused gate_up_proj_bias and down_proj_bias). */
  readonly expertBias: boolean;
  readonly sparseLayers: SparseLayers;
  /** Dense `intermediate_size` when the config omits it (Qwen-MoE configs may: most layers never use it). */
  readonly denseWidthDefault?: number;
  /** 'deepseek' layers: the config class's `first_k_dense_replace` default (DeepSeek-V3 3, GLM-4.5 1; 0 when unset). */
  readonly firstDenseDefault?: number;
  /**
   * Granite 4.0: an expert count of 0 builds no MoE module at all, and the layer's MLP is the shared one, this
   * key wide (its dense checkpoints). Without it an expert count below 1 is an error.
   */
  readonly withoutExperts?: { readonly widthKey: string; readonly widthDefault: number };
}

/** Module names as the family's state dict spells them, for layer rows. */
export interface Names {
  readonly prefix: string;
  readonly embed: string;
  readonly positions?: string;
  readonly layers: string;
  readonly attention: string;
  readonly mlp: string;
  readonly finalNorm: string;
}

export interface Recipe {
  /** 'encoder-decoder': two stacks joined by cross-attention (T5, BART, Whisper); encoder-decoder.ts builds them. */
  readonly kind: 'decoder' | 'encoder' | 'encoder-decoder';
  /** Where the module structure comes from. */
  readonly source: string;
  /** Class-name stem in `architectures` (`Llama` for LlamaForCausalLM), to find the recipe when model_type is unknown. */
  readonly classStem: string;
  /** `tie_word_embeddings` default of the family's config class. */
  readonly tiedDefault: boolean;
  /** The config class's `head_dim` default where it is not hidden / heads (Ernie4_5Config: 128). */
  readonly headDimDefault?: number;
  readonly norm: 'rms' | 'layer';
  /** A LayerNorm's bias (default: present); false for Cohere's weight-only LayerNorm, on the q/k norms too. */
  readonly normBias?: boolean;
  readonly attention: AttentionRecipe;
  /** `act`: the plain MLP's activation where it is not GELU (OPT: ReLU); it changes no count. */
  readonly mlp: { readonly kind: 'gated' | 'plain'; readonly bias: BiasRule; readonly act?: 'relu' };
  readonly moe?: MoeRecipe;
  readonly layout: Layout;
  /** A boolean config key that switches the layout (GPT-NeoX's `use_parallel_residual`): `layout` when true, `otherwise` when false. */
  readonly layoutSwitch?: { readonly key: string; readonly default: boolean; readonly otherwise: Layout };
  /** Learned absolute positions (GPT-2 wpe, BERT position_embeddings) and their default count. */
  readonly learnedPositions?: number;
  /**
   * Falcon's switches (FalconConfig): key/value heads are `num_kv_heads` with new_decoder_architecture, one
   * with multi_query (default true), else all; the layout is 'pre' without parallel_attn, else attention and
   * MLP side by side with `num_ln_in_parallel_attn` norms (default 2 with the new architecture, else 1).
   */
  readonly falconSwitches?: boolean;
  /** A LayerNorm straight after the token embeddings, by its module name (BLOOM's word_embeddings_layernorm). */
  readonly embedNorm?: string;
  /** Rows the position table holds beyond `max_position_embeddings` (OPT's OPTLearnedPositionalEmbedding: 2). */
  readonly positionOffset?: number;
  /** The config key of the MLP width when it is not `intermediate_size` (OPT: `ffn_dim`). */
  readonly mlpWidthKey?: string;
  /**
   * Token embeddings narrower than the layers (OPT's `word_embed_proj_dim`): when the key differs from
   * hidden_size, project_in (E→D) and project_out (D→E) without bias, and the lm_head reads E.
   */
  readonly embedProjectionKey?: string;
  /**
   * The final norm exists only with the primary layout of `layoutSwitch` (OPT: only when
   * do_layer_norm_before), and not when `removedBy` is true (OPT's `_remove_final_layer_norm`).
   */
  readonly finalNormRule?: { readonly withPrimaryLayout: boolean; readonly removedBy?: string };
  readonly tokenTypes?: boolean;
  /** A bias on the lm_head: always (Phi) or by a config key (PhiMoE's `lm_head_bias`). */
  readonly lmHeadBias?: BiasRule;
  /**
   * Which head to put on a sequence classifier: BERT's pooler + classifier, RoBERTa's two-layer head
   * (dense + tanh + out_proj) or DistilBERT's (pre_classifier + ReLU + classifier).
   */
  readonly classifier?: 'bert' | 'roberta' | 'distilbert';
  /** An encoder whose bare model has no pooler (DistilBertModel); absent: BERT's pooler is there. */
  readonly noPooler?: boolean;
  /** `intermediate_size` default of the config class, as a multiple of the hidden size (GPT-2: 4). */
  readonly intermediateTimesHidden?: number;
  /**
   * When `sliding_window` applies: always when set, only with `use_sliding_window: true`, per layer as
   * `layer_types` says (default: every other layer from the first), never, or Llama 4's chunked local
   * attention in the RoPE layers (llama4.ts).
   */
  readonly slidingWindow: 'when-set' | 'when-enabled' | 'layer-types' | 'never' | 'llama4-chunks';
  /**
   * With 'layer-types' and no `layer_types` list: every n-th layer sees the full context, the others the
   * window; n is the config's `key` when given (Gemma 3's sliding_window_pattern), else `every`.
   */
  readonly fullEvery?: { readonly key?: string; readonly every: number };
  /** With 'layer-types': the config class's `sliding_window` default where it is not 128 (Olmo3Config: 4096). */
  readonly windowDefault?: number;
  /** Multi-token-prediction layers (`num_nextn_predict_layers`) stored beside the model, reported apart. */
  readonly nextTokenLayers?: boolean;
  /**
   * The checkpoint's multi-token-prediction layers also store their own `embed_tokens` and `shared_head.head`
   * (vocab × hidden each; DeepSeek-V3.2's model.layers.61, GLM-4.7-Flash's 47), copies of matrices DeepSeek's
   * design shares with the main model: reported apart, beside the layers' own parameters. Absent: the stored
   * layers hold neither (GLM-4.5/4.6 and GLM-5.1 checkpoints, whose sums match without them).
   */
  readonly nextTokenVocabCopies?: boolean;
  readonly names: Names;
  /** Shape-changing keys this family's config carries that the recipe deliberately does not read, with why. */
  readonly acknowledged?: Readonly<Record<string, string>>;
  readonly note?: string;
  /**
   * Why no published count has confirmed this recipe yet (its shapes are transformers', but no checkpoint total,
   * hub figure or tensor listing was found to check them against): every figure is shown unverified (≈?) with it.
   */
  readonly unchecked?: string;
  /** An image encoder (ViT, DeiT): patches instead of token ids; vision.ts builds it. */
  readonly vision?: VisionRecipe;
  /** A model of towers read from sub-configs (CLIP, SigLIP, LLaVA, Qwen2.5-VL, Gemma 3); multimodal.ts builds it. */
  readonly towers?: TowersRecipe;
  /** State-space or linear-attention layers (Mamba, Mamba-2, Jamba, Qwen3-Next); state-space.ts builds them. */
  readonly stateSpace?: StateSpaceRecipe;
  /** A feed-forward width derived from the written one (LFM2's block_auto_adjust_ff_dim; blocks.ts `ffnWidthOf`). */
  readonly ffnWidth?: FfnWidthRule;
  /** Keys that may hold `tie_word_embeddings`, first present wins (Lfm2Config reads its original `tie_embedding` over it). */
  readonly tieKeys?: readonly string[];
  /** An encoder and a decoder stack (T5, BART, Whisper): what differs between the families, as data. */
  readonly encoderDecoder?: EncoderDecoderRecipe;
  /** A family whose shape no recipe field expresses, built by its own module (modernbert.ts). */
  readonly ownModule?: 'modernbert';
}

/**
 * Which of the layers a hybrid gives a kind of block: layer i when i % period == offset (Jamba's
 * attn_layer_period/offset and expert_layer_period/offset), or when (i + 1) % interval == 0 (Qwen3-Next's
 * full_attention_interval); a list key (`layer_types`), when the file has one, names each layer instead.
 */
export type LayerSchedule =
  /**
   * Only a per-layer list (Granite 4.0's `layer_types`): no list, no layer selected — unless `indices` names a
   * list of the selected layers' indices read in its place (LFM2's older `full_attn_idxs`) and `absent` says
   * that neither list means every layer (Lfm2Config then builds attention everywhere).
   */
  | { readonly kind: 'list'; readonly key: string; readonly selected: string; readonly other: string; readonly indices?: string; readonly absent?: 'none' | 'all' }
  | { readonly kind: 'period'; readonly periodKey: string; readonly periodDefault: number; readonly offsetKey: string; readonly offsetDefault: number }
  /**
   * Kimi Linear's `linear_attn_config.kda_layers` (`at`.`key`): 1-based numbers of the layers that run the mixer
   * (KimiLinearConfig.is_kda_layer: `layer_idx + 1 in kda_layers`); every other layer attends, and without the
   * object every layer does.
   */
  | { readonly kind: 'mixer-numbers'; readonly at: string; readonly key: string }
  | {
      readonly kind: 'interval';
      readonly key: string;
      readonly default: number;
      /** The per-layer list that overrides the interval, the value that selects a layer and the only other value allowed. */
      readonly list?: { readonly key: string; readonly selected: string; readonly other: string };
    };

/** A config key with the config class's default. */
export interface KeyDefault<T> {
  readonly key: string;
  readonly default: T;
}

/**
 * A feed-forward width computed from the written one, as Lfm2MLP does (after Llama's original reference code):
 * with `autoAdjust` on, w becomes int(2w/3), then — unless the multiplier is written as null —
 * int(multiplier × w) rounded up to a multiple of `multipleOf`.
 */
export interface FfnWidthRule {
  /** Keys that may hold the written width, first present wins (Lfm2Config: `block_ff_dim` over `intermediate_size`). */
  readonly keys: readonly string[];
  readonly default: number;
  readonly autoAdjust: KeyDefault<boolean>;
  readonly multiplier: KeyDefault<number>;
  readonly multipleOf: KeyDefault<number>;
}

/**
 * The mixer a state-space family stacks and the config keys of its sizes (MambaConfig's `state_size`,
 * JambaConfig's `mamba_d_state`, …). Absent keys take the config class's defaults.
 */
export interface StateSpaceRecipe {
  /**
   * MambaMixer (selective scan), Mamba2Mixer (SSD, per-head decay), Qwen3NextGatedDeltaNet, Lfm2ShortConv (gated
   * short convolution, no scan) or Kimi Linear's KimiDeltaAttention (gated delta rule with a per-channel decay).
   */
  readonly mixer: 'mamba' | 'mamba2' | 'gatedDelta' | 'shortConv' | 'kda';
  /** The sub-object holding the mixer's sizes, where they are not top-level keys (Kimi Linear's `linear_attn_config`). */
  readonly nested?: string;
  /** The mixer's module name in the state dict (`mixer` in Mamba, `mamba` in Jamba), for its row. */
  readonly module: string;
  readonly stateSize?: KeyDefault<number>;
  readonly convKernel: KeyDefault<number>;
  readonly expand?: KeyDefault<number>;
  /** Mamba's Δ rank; "auto" means ceil(hidden_size / 16). */
  readonly dtRank?: KeyDefault<number | 'auto'>;
  /** Biases of the convolution and of in_proj/out_proj; absent: none (Qwen3-Next's gated DeltaNet). */
  readonly convBias?: KeyDefault<boolean>;
  readonly projBias?: KeyDefault<boolean>;
  /** The key whose value, when written, replaces expand × hidden (MambaConfig's kwargs override its own). */
  readonly intermediateKey?: string;
  /**
   * Falcon-H1's `mamba_d_ssm`: the inner width when it is a number, its default when the key is absent, and
   * expand × hidden only when it is written as null (FalconH1Config's rule).
   */
  readonly innerWidth?: KeyDefault<number>;
  /** Mamba-2 heads, their width ("auto": inner width / heads) and the B/C groups, by each config class's key names. */
  readonly ssdHeads?: { readonly heads: KeyDefault<number>; readonly headDim: KeyDefault<number | 'auto'>; readonly groups: KeyDefault<number> };
  /** out_proj's bias when it has its own key (Falcon-H1's `projectors_bias`); absent: `projBias`. */
  readonly outBias?: KeyDefault<boolean>;
  /** The gated RMSNorm before out_proj when a key switches it (Falcon-H1's `mamba_rms_norm`); absent: always there. */
  readonly gatedNorm?: KeyDefault<boolean>;
  /** Jamba's RMSNorms on Δ, B and C inside the mixer. */
  readonly dtBcNorms?: boolean;
  /** Qwen3-Next's gated attention: q_proj also yields a per-channel output gate, with q/k RMSNorms per head. */
  readonly gatedAttention?: boolean;
  /**
   * Qwen3.5's gated DeltaNet: Qwen3-Next's fused in_proj_qkvz and in_proj_ba as four linears (in_proj_qkv,
   * in_proj_z, in_proj_b, in_proj_a); the same weights and MACs, named as the state dict names them.
   */
  readonly splitProjections?: boolean;
  /**
   * Multi-token-prediction layers stored beside the model as `mtp.*` and never loaded by the class (Qwen3.5's
   * `mtp_num_hidden_layers`), reported apart: each is fc (2·hidden → hidden), three RMSNorms and one attention
   * layer with this model's feed-forward block. The key names their count; absent: none.
   */
  readonly nextTokenKey?: string;
  /** Layers that run attention instead of the mixer; absent: none (pure Mamba). */
  readonly attentionLayers?: LayerSchedule;
  /** Falcon-H1: every layer runs attention and the mixer side by side on the same normed input, their outputs summed. */
  readonly parallelAttention?: boolean;
  /** Layers whose feed-forward block has experts (the recipe's `moe`), the others a dense MLP; absent: the recipe's `moe.sparseLayers` rule (blocks.ts). */
  readonly expertLayers?: LayerSchedule;
  /** Whether each layer has a feed-forward block at all (Mamba and Mamba-2 layers are the mixer alone). */
  readonly feedForward: boolean;
}

export interface VisionRecipe {
  /** Learned tokens before the patches: ViT's class token (1), DeiT's class and distillation tokens (2). */
  readonly extraTokens: number;
  /** The classifier class with a second head on the distillation token (DeiT's `...WithTeacher`). */
  readonly teacherHead?: boolean;
  /** The bare `…Model` has a pooler (ViT, DeiT: add_pooling_layer defaults to true); DINOv2's has none. */
  readonly pooler: boolean;
  /**
   * DINOv2: a mask token parameter (when `use_mask_token`, default true), LayerScale after attention and MLP,
   * the MLP width as hidden_size × `mlp_ratio` (or a SwiGLU FFN with `use_swiglu_ffn`), and a classifier on
   * the class token concatenated with the mean of the patch tokens.
   */
  readonly dinov2?: boolean;
}

/**
 * Image towers of the vision-language wrappers in vlm-towers.ts: Idefics3's / SmolVLM's SigLIP-shaped
 * transformer without a pooling head, and InternVL's InternViT (class token, layer scale).
 */
export type VlmTowerKind = 'idefics3' | 'internvl';
/**
 * Their projectors (vlm-towers.ts): PaliGemma's single linear layer, Idefics3's / SmolVLM's pixel shuffle and
 * bias-free projection, InternVL's pixel shuffle, LayerNorm and two-layer GELU MLP.
 */
export type VlmJoinKind = 'paligemma' | 'idefics3' | 'internvl';

/** Where a tower's settings sit: a nested sub-config, or the file itself (CLIPVisionModel's own config.json). */
export type SubConfigAt = 'text_config' | 'vision_config' | 'root';

/**
 * A model made of towers (multimodal.ts): an image encoder, a text encoder or a decoder, and what joins
 * them. Each tower reads its own sub-config, with that sub-config class's defaults for absent keys. The
 * recipe's own block fields (norm, attention, MLP) are its image tower's layers.
 */
export interface TowersRecipe {
  /**
   * CLIPVisionTransformer, SiglipVisionTransformer, Qwen2.5-VL's windowed vision transformer, Llama 4's
   * vision model or PixtralVisionModel (RMSNorm layers without biases, rotary positions; pixtral.ts), or
   * Qwen3-VL's (learned interpolated positions, LayerNorm blocks, a merger and DeepStack mergers; qwen3-vl-vision.ts).
   * `naflex`: SigLIP 2's tower, whose patches enter through a Linear and a resized position table (multimodal.ts).
   * `deepStack: false`: Qwen3.5's copy of that tower, which deletes the DeepStack mergers (qwen3_5's Qwen3_5VisionModel).
   */
  readonly vision?: { readonly encoder: 'clip' | 'siglip' | 'qwen2_5_vl' | 'llama4' | 'pixtral' | 'qwen3_vl' | VlmTowerKind; readonly at: SubConfigAt; readonly deepStack?: false; readonly naflex?: true };
  /** CLIPTextTransformer or SiglipTextTransformer. */
  readonly textEncoder?: { readonly encoder: 'clip' | 'siglip'; readonly at: SubConfigAt };
  /**
   * A language model read by read.ts from `text_config`: its family is that object's model_type (default
   * `defaultFamily`, the wrapper config class's), or always `family` (Qwen2.5-VL's text model is Qwen2's);
   * `rootWhenAbsent`: configs written before transformers nested it keep the text settings at the top level.
   */
  readonly decoder?: {
    readonly defaultFamily?: string;
    readonly family?: string;
    readonly rootWhenAbsent?: boolean;
    /**
     * 'wrapper': the wrapper's own top-level `tie_word_embeddings` (default `false`) ties the lm_head, whatever
     * `text_config` says (Qwen3-VL: transformers 5 ties by the outer config; see multimodal.ts).
     */
    readonly tiedBy?: 'wrapper';
  };
  /**
   * What joins the towers: CLIP's projections, SigLIP's logit scale and bias, or a wrapper's projector
   * (Mistral 3's: RMSNorm, a spatial_merge_size² patch merger and a two-layer GELU projector; pixtral.ts).
   */
  readonly join: 'clip' | 'siglip' | 'llava' | 'gemma3' | 'qwen2_5_vl' | 'llama4' | 'mistral3' | 'qwen3_vl' | VlmJoinKind | 'none';
}

/**
 * An encoder-decoder family, built by encoder-decoder.ts: the config keys of each stack's sizes, how
 * positions enter, biases, norms, the encoder's front end and the state dict's module names. The recipe's
 * `norm`, `layout` and `mlp.act` apply to both stacks.
 */
export interface EncoderDecoderRecipe {
  /** Config keys of the stacks' sizes: T5 writes one key for both stacks, BART and Whisper one per stack. */
  readonly keys: {
    readonly encoderLayers: string;
    readonly decoderLayers: string;
    readonly encoderHeads: string;
    readonly decoderHeads: string;
    readonly encoderFfn: string;
    readonly decoderFfn: string;
    /** Per-head width (T5's `d_kv`: heads × d_kv need not equal d_model); absent: d_model / heads. */
    readonly headDim?: KeyDefault<number>;
  };
  /** T5Config: `num_decoder_layers` is None, meaning num_layers, unless written. */
  readonly decoderLayersDefaultToEncoder?: boolean;
  /**
   * T5's relative bias table (buckets × heads) in the first layer of each stack, or a learned absolute table
   * per stack with `offset` extra rows (BART's 2). Whisper's encoder table is frozen sinusoids, but an
   * nn.Embedding parameter (requires_grad False), so counted as transformers' `parameters()` counts it.
   */
  readonly positions:
    | { readonly kind: 'relative-bias'; readonly buckets: KeyDefault<number> }
    | { readonly kind: 'learned'; readonly encoder: KeyDefault<number>; readonly decoder: KeyDefault<number>; readonly offset: number; readonly encoderFrozen?: boolean };
  /** A LayerNorm on each stack's embeddings (BART's `layernorm_embedding`). */
  readonly embeddingNorm?: string;
  /** Each stack's norm after its layers (T5's `final_layer_norm`, Whisper's `layer_norm`); BART has none. */
  readonly finalNorm?: string;
  /** Biases on q, v, output projections and MLP; `keyBias` false where k has none (Whisper's k_proj). */
  readonly attentionBias: boolean;
  readonly keyBias: boolean;
  readonly mlpBias: boolean;
  /** T5's `feed_forward_proj`: "gated-…" builds wi_0 and wi_1 (gated), anything else one wi; with the class default. */
  readonly gatedKey?: KeyDefault<string>;
  /** Whisper: 2 × max_source_positions mel frames through conv1 (k 3, pad 1) and conv2 (k 3, stride 2, pad 1), not token ids. */
  readonly frontEnd?: { readonly kind: 'whisper-conv'; readonly melBins: KeyDefault<number> };
  /** The encoder-only class (`T5EncoderModel`) exists in this family. */
  readonly encoderOnlyClass?: boolean;
  /** Module names of the state dict, for layer rows. */
  readonly names: {
    /** Prefix of the stacks inside `…ForConditionalGeneration` (BART, Whisper: `model.`; T5: none). */
    readonly wrapper: string;
    /** The token table: shared by both stacks (`shared`) or the decoder's own (Whisper's `decoder.embed_tokens`). */
    readonly embed: string;
    readonly positions?: string;
    readonly layers: string;
    readonly selfAttention: string;
    readonly crossAttention: string;
    /** The MLP module in an encoder layer and in a decoder layer (T5 numbers its sub-layers). */
    readonly encoderMlp: string;
    readonly decoderMlp: string;
    /** q, k, v and output projections. */
    readonly projections: readonly [string, string, string, string];
    /** The MLP's input and output linears; a gated MLP has `<input>_0` and `<input>_1`. */
    readonly mlp: readonly [string, string];
    readonly head: string;
  };
}
