/**
 * Models made of towers, from a Hugging Face config.json whose sizes sit in nested sub-configs: CLIP and
 * SigLIP (an image tower and a text tower joined by projections or a logit scale and bias, or either tower
 * alone), and the wrappers that put an image tower in front of a language model — LLaVA (CLIP tower, or
 * Pixtral's for Pixtral-12B, and a two-layer projector), Gemma 3 (SigLIP tower without its head, pooled and
 * projected), Qwen2.5-VL (its own windowed vision transformer and patch merger), Llama 4 (llama4-vision.ts),
 * Mistral 3 (Pixtral tower, patch merger and projector; pixtral.ts), Qwen3-VL (its own tower, merger and
 * DeepStack mergers; qwen3-vl-vision.ts) and Qwen3.5 (that tower without DeepStack, a hybrid DeltaNet text model). The recipe (recipes.ts `towers`) names the towers and the join.
 * PaliGemma (SigLIP + one linear), Idefics3 / SmolVLM (headless SigLIP-shaped tower + pixel-shuffle connector) and
 * InternVL (InternViT + pixel-shuffle MLP projector) take their own towers and projectors from vlm-towers.ts.
 *
 * Each tower reads its own sub-config through a ConfigReader over the nested object, so diagnostics point at
 * the nested key, and keys the file leaves out take the sub-config class's defaults (configuration_*.py),
 * as transformers fills them in. The language model of a wrapper is composed by read.ts's decoder path from
 * its family's recipe; a family Greenprint does not know is counted as a Llama-style decoder and unverified.
 *
 * Counting follows read.ts's convention: nn.Parameter elements of the `architectures` class (position ids
 * are buffers; logit_scale and logit_bias are one parameter each); MACs are weighted matmuls plus attention
 * QKᵀ and A·V. The image towers run at the config's image size (Qwen2.5-VL and Qwen3-VL, which have none,
 * at an assumed 448×448; Pixtral, whose image_size is the largest image it reads, at that size) unless an
 * input size is given. A wrapper's transformer spec (prefill, decode, KV cache) is its language model's; image tokens add
 * to the prompt.
 */
import { GraphBuilder } from '../../graph';
import type { ExcludedModules, IRLayer, IRNode, ModelIR, TransformerSpec, Unverified } from '../../ir';
import { prop, rangeOf, type JsonNode } from '../../source/json';
import type { ReadOptions } from '../types';
import { ConfigReader, readDtype } from './config-reader';
import { CONFIG_DEFAULTS as DEFAULTS, type Defaults } from './config-defaults';
import { encoderLayers, featureLayers, stackSizes, type ImageTower, type LayerStack } from './encoder-stack';
import { warnUnreadShapeKeys } from './keys';
import { llama4Projector, llama4VisionTower } from './llama4-vision';
import { mistral3Projector, pixtralVisionTower } from './pixtral';
import { qwen3VlVisionTower } from './qwen3-vl-vision';
import { idefics3Connector, internvlProjector, internvlVisionTower, paligemmaProjector } from './vlm-towers';
import { PIXTRAL_VISION, RECIPES, type Recipe, type SubConfigAt, type TowersRecipe } from './recipes';
import { FIRST_TOKEN } from '../../ops/shape';

export const SUB_CONFIG_KEYS = ['text_config', 'vision_config'] as const;

type TowersIR = Omit<ModelIR, 'convention' | 'format'>;
/** read.ts's reader of one config object, passed in so this module does not import read.ts back. */
export type ReadConfig = (c: ConfigReader, options: ReadOptions, family?: string) => ModelIR | undefined;

/** Qwen2_5_VLVisionConfig's full-attention blocks when the file names none. */
const QWEN_FULL_ATTENTION_DEFAULT = [7, 15, 23, 31];
/** Qwen2.5-VL reads images at any size (a multiple of patch × merge); this one stands in when none is given. */
const QWEN_DEFAULT_IMAGE = 448;

/** Whether a config of an unknown family is a wrapper: no sizes of its own, a `text_config` object that has them. */
export function isWrapper(c: ConfigReader): boolean {
  return prop(c.root, 'hidden_size') === undefined && prop(c.root, 'text_config')?.type === 'object';
}

/**
 * A reader over a tower's settings: the nested sub-config (its class's defaults for what it leaves out; all
 * defaults when it is absent), or the file itself. Undefined after reporting a sub-config that is not an object.
 */
function subConfig(c: ConfigReader, at: SubConfigAt, defaults: Defaults, decided: Readonly<Record<string, boolean>> = {}): ConfigReader | undefined {
  if (at === 'root') return new ConfigReader(c.root, c.sink, c.what, defaults, decided);
  const node = c.node(at);
  if (node && node.type !== 'object') {
    c.sink.error(`${c.what}: "${at}" must be an object of the sub-model's settings, found ${node.type}.`, rangeOf(node));
    return undefined;
  }
  // An absent sub-config is all defaults, as the wrapper config class builds it; its diagnostics point at the file's start.
  const object: JsonNode = node ?? ({ type: 'object', offset: c.root.offset, length: 1, children: [] } as unknown as JsonNode);
  warnLegacyDict(c, at, object);
  return new ConfigReader(object, c.sink, `${c.what} "${at}"`, defaults, decided);
}

/**
 * Old CLIP/SigLIP configs also carry `text_config_dict` / `vision_config_dict`, whose values transformers lays
 * over the sub-config; they normally repeat it. Where one differs, say so at that key: the count reads `at`.
 */
function warnLegacyDict(c: ConfigReader, at: string, object: JsonNode): void {
  const legacy = c.node(`${at}_dict`);
  if (legacy?.type !== 'object') return;
  for (const entry of legacy.children ?? []) {
    const [keyNode, value] = entry.children ?? [];
    const key = String(keyNode?.value);
    const current = prop(object, key);
    if (value && (value.type === 'number' || value.type === 'boolean') && current?.value !== value.value) {
      c.sink.warning(`"${at}_dict" sets "${key}" to ${value.value}, but "${at}" has ${current?.value ?? 'no value'}; transformers uses the "${at}_dict" value, Greenprint counts "${at}".`, rangeOf(entry));
    }
  }
}

/**
 * CLIPVisionTransformer / SiglipVisionTransformer: a patch conv (CLIP: no bias; SigLIP: with bias), CLIP's
 * class embedding, a learned position per token, CLIP's pre_layrnorm, the encoder, then post_layernorm —
 * on the class token in CLIP, on every token in SigLIP, whose pooling head (probe, nn.MultiheadAttention,
 * LayerNorm, MLP) follows when `vision_use_head`.
 */
function clipVisionTower(v: ConfigReader, kind: 'clip' | 'siglip', recipe: Recipe, g: GraphBuilder, prefix: string, headless = false): ImageTower | undefined {
  const s = stackSizes(v);
  const image = v.int('image_size');
  const patch = v.int('patch_size');
  const channels = v.int('num_channels');
  // Idefics3's and SmolVLM's SigLIP-shaped tower has no pooling head (nor the key): `headless`.
  const useHead = kind === 'siglip' && !headless && v.bool('vision_use_head', true);
  if (!s || image === undefined || patch === undefined || channels === undefined) return undefined;
  if (patch > image) {
    v.sink.error(`${v.what}: "patch_size" (${patch}) is larger than "image_size" (${image}): the image holds no whole patch.`, v.valueRange('patch_size'));
    return undefined;
  }
  const side = Math.floor(image / patch);
  const classToken = kind === 'clip';
  const tokens = side * side + (classToken ? 1 : 0);
  const pixels = g.add('input', { shape: [channels, image, image] }, [], -1, 'pixel_values');
  const embedRow = g.addLayer({
    name: `${prefix}embeddings`,
    type: 'patch embedding',
    range: v.range('patch_size', 'image_size', 'hidden_size'),
    detail: `Conv2d ${channels}→${s.D}, ${patch}×${patch} stride ${patch}${classToken ? ' without bias' : ''}: ${side}×${side} patches${classToken ? ' + class embedding' : ''}, ${tokens} learned positions`,
  });
  const conv = g.add('conv2d', { filters: s.D, kernel: [patch, patch], stride: [patch, patch], bias: !classToken }, [pixels], embedRow, 'patch_embedding');
  let x = g.add('patchTokens', {}, [conv], embedRow, 'patches as tokens');
  if (classToken) x = g.add('learnedTokens', { prepend: 1 }, [x], embedRow, 'class_embedding');
  x = g.add('learnedPositions', {}, [x], embedRow, 'position_embedding');
  const norm = (input: number, row: number, name: string): number => g.add('norm', { kind: 'layer', bias: true }, [input], row, name);
  if (classToken) {
    const preRow = g.addLayer({ name: `${prefix}pre_layrnorm`, type: 'LayerNorm', range: v.range('hidden_size'), detail: 'LayerNorm before the encoder' });
    x = norm(x, preRow, 'pre_layrnorm');
  }
  x = encoderLayers(v, recipe, g, `${prefix}encoder.layers.*`, s, x, tokens);
  const postRow = g.addLayer({ name: `${prefix}post_layernorm`, type: 'LayerNorm', range: v.range('layer_norm_eps', 'hidden_size'), detail: classToken ? 'LayerNorm on the class token (the pooled output)' : 'LayerNorm on every token' });
  let pooled: number | undefined;
  if (classToken) {
    pooled = norm(g.add('slice', FIRST_TOKEN, [x], postRow, 'class token'), postRow, 'post_layernorm');
  } else {
    x = norm(x, postRow, 'post_layernorm');
    if (useHead) pooled = poolingHead(v, g, prefix, s, x);
  }
  const description = `image ${channels}×${image}×${image} (${tokens} tokens)`;
  return { hidden: x, pooled, patchMap: conv, width: s.D, tokens, description, classToken, layers: s.N };
}

/**
 * SiglipMultiheadAttentionPoolingHead: a learned probe (1×D) attends over the tokens through
 * nn.MultiheadAttention (in_proj 3·D×D with bias, out_proj D×D with bias), then x + mlp(layernorm(x)).
 */
function poolingHead(v: ConfigReader, g: GraphBuilder, prefix: string, s: LayerStack, x: number): number {
  const row = g.addLayer({ name: `${prefix}head`, type: 'attention pooling', range: v.range('vision_use_head', 'hidden_size'), detail: `probe + ${s.H}-head attention over the tokens + LayerNorm + MLP ${s.D}→${s.I}→${s.D}` });
  // The probe replaces the sequence as the single query; it is a 1×D parameter read as a tensor.
  const probe = g.add('heldWeights', { inFeatures: 1, outFeatures: s.D, bias: false, copies: 1 }, [g.add('slice', FIRST_TOKEN, [x], row, 'query slot')], row, 'probe');
  const q = g.add('dense', { units: s.D, bias: true }, [probe], row, 'in_proj (q)');
  const k = g.add('dense', { units: s.D, bias: true }, [x], row, 'in_proj (k)');
  const val = g.add('dense', { units: s.D, bias: true }, [x], row, 'in_proj (v)');
  const att = g.add('attention', { heads: s.H, kvHeads: s.H, headDim: s.D / s.H }, [q, k, val], row, 'scores·values');
  const out = g.add('dense', { units: s.D, bias: true }, [att], row, 'out_proj');
  const normed = g.add('norm', { kind: 'layer', bias: true }, [out], row, 'layernorm');
  const up = g.add('dense', { units: s.I, bias: true }, [normed], row, 'mlp.fc1');
  const down = g.add('dense', { units: s.D, bias: true }, [g.add('activation', { fn: 'gelu' }, [up], row, 'gelu')], row, 'mlp.fc2');
  return g.add('elementwise', { fn: 'add' }, [out, down], row, 'residual add');
}

/**
 * Siglip2VisionTransformer (modeling_siglip2.py): SigLIP's tower with NaFlex embeddings. Images come as up to
 * `num_patches` flattened patches, so patch_embedding is a Linear C·p·p→D with bias; position_embedding holds
 * num_patches rows (a √num_patches square grid) that are resized to each image's patch grid by interpolation,
 * which adds no parameter. Counted at the full patch budget: num_patches tokens.
 */
function naflexVisionTower(v: ConfigReader, recipe: Recipe, g: GraphBuilder, prefix: string): ImageTower | undefined {
  const s = stackSizes(v);
  const patches = v.int('num_patches');
  const patch = v.int('patch_size');
  const channels = v.int('num_channels');
  const useHead = v.bool('vision_use_head', true);
  if (!s || patches === undefined || patch === undefined || channels === undefined) return undefined;
  const side = Math.sqrt(patches);
  if (!Number.isInteger(side)) {
    v.sink.error(`${v.what}: "num_patches" (${patches}) must be a square: the position table is a √num_patches grid.`, v.valueRange('num_patches'));
    return undefined;
  }
  const pixels = g.add('input', { shape: [patches, channels * patch * patch] }, [], -1, 'pixel_values (flattened patches)');
  const embedRow = g.addLayer({ name: `${prefix}embeddings`, type: 'patch embedding', range: v.range('num_patches', 'patch_size', 'hidden_size'), detail: `Linear ${channels}·${patch}·${patch}→${s.D} with bias on up to ${patches} patches, ${side}×${side} learned positions resized to the image's grid` });
  const linear = g.add('dense', { units: s.D, bias: true }, [pixels], embedRow, 'patch_embedding');
  let x = g.add('learnedPositions', {}, [linear], embedRow, 'position_embedding');
  x = encoderLayers(v, recipe, g, `${prefix}encoder.layers.*`, s, x, patches);
  const postRow = g.addLayer({ name: `${prefix}post_layernorm`, type: 'LayerNorm', range: v.range('layer_norm_eps', 'hidden_size'), detail: 'LayerNorm on every token' });
  x = g.add('norm', { kind: 'layer', bias: true }, [x], postRow, 'post_layernorm');
  const pooled = useHead ? poolingHead(v, g, prefix, s, x) : undefined;
  return { hidden: x, pooled, patchMap: linear, width: s.D, tokens: patches, description: `image as ${patches} patches of ${channels}×${patch}×${patch}`, classToken: false, layers: s.N };
}

/**
 * Qwen2.5-VL's vision transformer: a Conv3d patch embedding without bias over temporal_patch_size frames
 * (an image is repeated into them; counted as a Conv2d over channels × frames, the same weights and MACs),
 * RMSNorm blocks with a fused qkv and proj (biases) and a gated MLP (biases), windowed attention except in
 * `fullatt_block_indexes`, then the PatchMerger: ln_q (RMSNorm), merge² neighbours concatenated, Linear +
 * GELU + Linear to out_hidden_size. Rotary tables are buffers.
 */
function qwenVisionTower(v: ConfigReader, recipe: Recipe, g: GraphBuilder, options: ReadOptions, notes: string[]): ImageTower | undefined {
  const s = stackSizes(v, 'depth', 'num_heads');
  const patch = v.int('patch_size');
  const temporal = v.int('temporal_patch_size');
  const merge = v.int('spatial_merge_size');
  const windowPixels = v.int('window_size');
  const out = v.int('out_hidden_size');
  const channels = v.int('in_channels');
  v.key('in_chans'); // the name early configs wrote; the config class ignores it for in_channels
  v.key('spatial_patch_size'); // an early duplicate of patch_size, which the model uses
  const full = v.node('fullatt_block_indexes') ? v.numbers('fullatt_block_indexes') : QWEN_FULL_ATTENTION_DEFAULT;
  if (!s || patch === undefined || temporal === undefined || merge === undefined || windowPixels === undefined || out === undefined || channels === undefined) return undefined;
  const outside = full.find((i) => !(Number.isInteger(i) && i >= 0 && i < s.N));
  if (outside !== undefined) {
    v.sink.error(`${v.what}: "fullatt_block_indexes" names block ${outside}, but "depth" is ${s.N} (blocks 0–${s.N - 1}).`, v.valueRange('fullatt_block_indexes'));
    return undefined;
  }
  const fullBlocks = new Set(full).size;
  const unit = patch * merge;
  const asked = options.inputSize ? Math.max(options.inputSize[0], options.inputSize[1]) : QWEN_DEFAULT_IMAGE;
  // The processor resizes to a multiple of patch × merge; so does this.
  const image = Math.max(unit, Math.round(asked / unit) * unit);
  notes.push(`Qwen2.5-VL reads images at their own size; figures are for one ${image}×${image} image${options.inputSize ? '' : ' (an assumed size; set an input size to change it)'}.`);
  const side = image / patch;
  const tokens = side * side;
  const windowSide = Math.max(1, Math.floor(windowPixels / patch));
  const pixels = g.add('input', { shape: [channels * temporal, image, image] }, [], -1, 'pixel_values (frames as channels)');
  const embedRow = g.addLayer({ name: 'visual.patch_embed', type: 'patch embedding', range: v.range('patch_size', 'temporal_patch_size', 'hidden_size'), detail: `Conv3d ${channels}→${s.D}, ${temporal}×${patch}×${patch} without bias: ${side}×${side} patches` });
  const conv = g.add('conv2d', { filters: s.D, kernel: [patch, patch], stride: [patch, patch], bias: false }, [pixels], embedRow, 'patch_embed.proj');
  let x = g.add('patchTokens', {}, [conv], embedRow, 'patches as tokens');
  x = encoderLayers(v, recipe, g, 'visual.blocks.*', s, x, tokens, { window: Math.min(tokens, windowSide * windowSide), full: fullBlocks });
  const mergeRow = g.addLayer({ name: 'visual.merger', type: 'patch merger', range: v.range('out_hidden_size', 'spatial_merge_size'), detail: `ln_q, ${merge}×${merge} patches → ${merge * merge * s.D} → ${out}` });
  const merged = g.add('reshape', { shape: [-1, merge * merge * s.D] }, [g.add('norm', { kind: 'rms' }, [x], mergeRow, 'ln_q')], mergeRow, `${merge}×${merge} neighbours`);
  const hiddenMerge = g.add('activation', { fn: 'gelu' }, [g.add('dense', { units: merge * merge * s.D, bias: true }, [merged], mergeRow, 'mlp.0')], mergeRow, 'gelu');
  const projected = g.add('dense', { units: out, bias: true }, [hiddenMerge], mergeRow, 'mlp.2');
  const merges = tokens / (merge * merge);
  return { hidden: projected, patchMap: conv, width: out, tokens: merges, description: `image ${channels}×${image}×${image} (${tokens} patches → ${merges} tokens)`, classToken: false, layers: s.N };
}

/** What a text tower hands on: its pooled (projected, in SigLIP) vector. */
interface TextTower {
  readonly pooled: number;
  readonly width: number;
  readonly tokens: number;
}

/**
 * CLIPTextTransformer / SiglipTextTransformer: token and learned position embeddings, the encoder over a
 * padded `max_position_embeddings` tokens, final_layer_norm, the pooled token (CLIP: the EOS token; SigLIP:
 * the last), and SigLIP's `head` (hidden → projection_size, default hidden, with bias).
 */
function clipTextTower(t: ConfigReader, kind: 'clip' | 'siglip', recipe: Recipe, g: GraphBuilder, prefix: string): TextTower | undefined {
  const s = stackSizes(t);
  const vocab = t.int('vocab_size');
  const positions = t.int('max_position_embeddings');
  const projection = kind === 'siglip' ? t.int('projection_size', s?.D) : undefined;
  if (!s || vocab === undefined || positions === undefined || (kind === 'siglip' && projection === undefined)) return undefined;
  const ids = g.add('tokenIds', { length: positions }, [], -1, 'input_ids');
  const embedRow = g.addLayer({ name: `${prefix}embeddings`, type: 'embedding', range: t.range('vocab_size', 'max_position_embeddings'), detail: `${vocab}×${s.D} tokens + ${positions}×${s.D} learned positions` });
  const tokens = g.add('embedding', { vocab, dim: s.D }, [ids], embedRow, 'token_embedding');
  const pos = g.add('embedding', { vocab: positions, dim: s.D }, [ids], embedRow, 'position_embedding');
  let x = g.add('elementwise', { fn: 'add' }, [tokens, pos], embedRow, 'add positions');
  x = encoderLayers(t, recipe, g, `${prefix}encoder.layers.*`, s, x, positions);
  const normRow = g.addLayer({ name: `${prefix}final_layer_norm`, type: 'LayerNorm', range: t.range('layer_norm_eps', 'hidden_size'), detail: 'final norm' });
  x = g.add('norm', { kind: 'layer', bias: true }, [x], normRow, 'final_layer_norm');
  if (kind === 'clip') return { pooled: g.add('slice', FIRST_TOKEN, [x], normRow, 'EOS token (argmax of input_ids)'), width: s.D, tokens: positions };
  const headRow = g.addLayer({ name: `${prefix}head`, type: 'projection', range: t.range('projection_size', 'hidden_size'), detail: `${s.D}→${projection} with bias, on the last token` });
  const last = g.add('slice', { axis: 0, start: positions - 1, size: 1 }, [x], headRow, 'last token');
  return { pooled: g.add('dense', { units: projection!, bias: true }, [last], headRow, 'head'), width: projection!, tokens: positions };
}

/** One learned scalar (CLIP's logit_scale, SigLIP's logit_bias), held as a 1×1 parameter. */
function scalar(g: GraphBuilder, input: number, row: number, name: string): number {
  const one = g.add('slice', { axis: -1, start: 0, size: 1 }, [input], row, `${name} slot`);
  return g.add('heldWeights', { inFeatures: 1, outFeatures: 1, bias: false, copies: 1 }, [one], row, name);
}

/** Which tower classes a CLIP/SigLIP `architectures` entry holds, and whether it projects. */
function dualClass(architecture: string | undefined, towers: TowersRecipe): { vision: boolean; text: boolean; projection: boolean } | 'unknown' {
  const both = { vision: !!towers.vision, text: !!towers.textEncoder, projection: towers.join !== 'none' };
  if (!architecture || /^(CLIP|Siglip2?)Model$/.test(architecture)) return both;
  if (/^(CLIP|Siglip2?)VisionModel$/.test(architecture)) return { vision: true, text: false, projection: false };
  if (/^(CLIP|Siglip2?)TextModel$/.test(architecture)) return { vision: false, text: true, projection: false };
  if (/^CLIPVisionModelWithProjection$/.test(architecture)) return { vision: true, text: false, projection: true };
  if (/^CLIPTextModelWithProjection$/.test(architecture)) return { vision: false, text: true, projection: true };
  return 'unknown';
}

/** CLIP / SigLIP: either tower or both, with CLIP's projections and logit_scale or SigLIP's logit_scale and logit_bias. */
function readDualEncoder(c: ConfigReader, recipe: Recipe, towers: TowersRecipe, family: string, architecture: string | undefined): TowersIR | undefined {
  const kind = (towers.vision?.encoder ?? towers.textEncoder?.encoder) as 'clip' | 'siglip';
  let cls = dualClass(architecture, towers);
  const notes: string[] = [];
  let unverified: Unverified | undefined;
  if (cls === 'unknown') {
    const reason = `${architecture} is not a class Greenprint counts for ${family} (it counts ${kind === 'clip' ? 'CLIPModel, CLIPVisionModel, CLIPTextModel and their …WithProjection' : 'SiglipModel, SiglipVisionModel and SiglipTextModel'}); counted as the towers this config describes, without that class's own head`;
    c.sink.warning(`${reason}.`, c.range('architectures'));
    unverified = { reason, ignoredKeys: [] };
    cls = { vision: !!towers.vision, text: !!towers.textEncoder, projection: false };
  }
  const g = new GraphBuilder();
  const naflex = towers.vision?.naflex === true;
  const sub = (at: SubConfigAt, which: 'text' | 'vision'): ConfigReader | undefined => subConfig(c, at, DEFAULTS[`${naflex ? 'siglip2' : kind}_${which}`]);
  const vReader = cls.vision ? sub(towers.vision?.at ?? 'vision_config', 'vision') : undefined;
  const tReader = cls.text ? sub(towers.textEncoder?.at ?? 'text_config', 'text') : undefined;
  if ((cls.vision && !vReader) || (cls.text && !tReader)) return undefined;
  const both = cls.vision && cls.text;
  const image = vReader ? (naflex ? naflexVisionTower(vReader, recipe, g, 'vision_model.') : clipVisionTower(vReader, kind, recipe, g, 'vision_model.')) : undefined;
  const text = tReader ? clipTextTower(tReader, kind, recipe, g, 'text_model.') : undefined;
  if ((vReader && !image) || (tReader && !text)) return undefined;
  const outputs: number[] = [];
  if (kind === 'clip' && cls.projection) {
    // CLIPModel projects to the top level's projection_dim; the …WithProjection classes to their own config's.
    const projectionReader = both ? c : (vReader ?? tReader)!;
    const dim = projectionReader.int('projection_dim', 512);
    if (dim === undefined) return undefined;
    if (image) {
      const row = g.addLayer({ name: 'visual_projection', type: 'projection', range: projectionReader.range('projection_dim'), detail: `${image.width}→${dim}, no bias` });
      outputs.push(g.add('dense', { units: dim, bias: false }, [image.pooled!], row, 'visual_projection'));
    }
    if (text) {
      const row = g.addLayer({ name: 'text_projection', type: 'projection', range: projectionReader.range('projection_dim'), detail: `${text.width}→${dim}, no bias` });
      outputs.push(g.add('dense', { units: dim, bias: false }, [text.pooled], row, 'text_projection'));
    }
  } else {
    if (image) outputs.push(image.pooled ?? image.hidden);
    if (text) outputs.push(text.pooled);
  }
  if (both && towers.join !== 'none') {
    const row = g.addLayer({ name: kind === 'clip' ? 'logit_scale' : 'logit_scale + logit_bias', type: 'scalars', range: c.range('architectures', 'model_type'), detail: kind === 'clip' ? 'one learned temperature' : 'a learned temperature and bias' });
    scalar(g, outputs[0], row, 'logit_scale');
    if (kind === 'siglip') scalar(g, outputs[0], row, 'logit_bias');
  }
  for (const [reader] of [[vReader], [tReader]] as const) if (reader && reader !== c) warnUnreadShapeKeys(reader, recipe, family);
  const input = [image?.description, text ? `text ${text.tokens} tokens` : undefined].filter(Boolean).join(' + ');
  return { modelName: architecture ?? family, layers: g.layers, nodes: g.nodes, outputs, inputDescription: input, dtype: readDtype(c), notes, unverified };
}

/**
 * A wrapper's language model: `text_config` read as its family's decoder (read.ts), or the top level when
 * older configs keep the text settings there. The family is the recipe's when it fixes one, else the object's
 * model_type, else the wrapper config class's default; an absent text_config is what the wrapper class builds
 * without one (`<wrapper>_text` defaults where it has its own, else its family's config class).
 */
function languageModel(c: ConfigReader, towers: TowersRecipe, wrapper: string, options: ReadOptions, readConfig: ReadConfig): { ir: ModelIR; prefix: string } | undefined {
  const decoder = towers.decoder!;
  const node = c.node('text_config');
  if (!node && decoder.rootWhenAbsent) {
    const ir = readConfig(c, options, decoder.family);
    return ir && { ir, prefix: '' };
  }
  const ownType = node?.type === 'object' ? prop(node, 'model_type') : undefined;
  const named = ownType?.type === 'string' ? (ownType.value as string) : undefined;
  const family = decoder.family ?? named ?? decoder.defaultFamily;
  if (named && RECIPES[named]?.towers) {
    // A wrapper inside a wrapper is no language model any transformers class builds.
    c.sink.error(`${c.what}: "text_config" must describe a language model, found model_type "${named}" (a multimodal model).`, rangeOf(ownType!));
    return undefined;
  }
  // Qwen3-VL: Qwen3VLConfig and Qwen3VLMoeConfig have their own tie_word_embeddings (default false), and
  // transformers 5 ties the lm_head by the model's own (outer) config. transformers 4 read text_config's flag
  // instead; the published configs agree in both places, but Qwen3VLMoeTextConfig's default is true and a
  // transformers 5 re-save of Qwen3-VL-30B-A3B writes text_config true under a top-level false, while the
  // checkpoint stores its own lm_head.weight. So the top level decides here.
  const wrapperTied = decoder.tiedBy === 'wrapper' ? c.bool('tie_word_embeddings', false) : undefined;
  const decided: Record<string, boolean> = wrapperTied === undefined ? {} : { tie_word_embeddings: wrapperTied };
  const t = subConfig(c, 'text_config', (!node && DEFAULTS[`${wrapper}_text`]) || (family && DEFAULTS[family]) || {}, decided);
  if (!t) return undefined;
  // A known family named by the wrapper is read as that family; an object's own model_type goes through read.ts's choice (unknown: unverified).
  const ir = readConfig(t, options, decoder.family ?? (named ? undefined : family));
  if (ir && node && wrapperTied !== undefined) warnTextTieIgnored(c, t, wrapperTied);
  else if (ir && node) warnTieDisagreement(c, t, RECIPES[family ?? '']?.tiedDefault ?? false);
  return ir && { ir, prefix: 'language_model.' };
}

/**
 * Where the wrapper's top-level flag ties the lm_head: a text_config value that disagrees is named at its key,
 * unless transformers ≥ 5 wrote the file (it saves the text config class's default there and never reads it).
 */
function warnTextTieIgnored(c: ConfigReader, t: ConfigReader, tied: boolean): void {
  const own = t.node('tie_word_embeddings');
  if (own?.type !== 'boolean' || own.value === tied) return;
  if (Number((c.string('transformers_version') ?? '').split('.')[0]) >= 5) return;
  c.sink.warning(
    `${t.what}: "tie_word_embeddings" is ${own.value} here but ${tied} at the top level${c.node('tie_word_embeddings') ? '' : ' (the config class default)'}; transformers 5 ties the lm_head as the top level says, and so does Greenprint (transformers 4 read this value and would count the embedding matrix ${tied ? 'twice' : 'once'}).`,
    rangeOf(own),
  );
}

/**
 * A wrapper file may also write `tie_word_embeddings` at its top level (transformers 5 saves it there; Mistral3Config
 * has its own). The lm_head here is tied as the language model's config says, which is what transformers 4 ties
 * by; where the two disagree the other reading differs by the whole embedding matrix, so say so at the key.
 */
function warnTieDisagreement(c: ConfigReader, t: ConfigReader, textDefault: boolean): void {
  const top = c.node('tie_word_embeddings');
  if (top?.type !== 'boolean') return;
  const written = t.node('tie_word_embeddings')?.type === 'boolean';
  const textTied = t.bool('tie_word_embeddings', textDefault);
  if (top.value === textTied) return;
  c.sink.warning(
    `${c.what}: "tie_word_embeddings" is ${top.value} here but ${textTied} for the language model in "text_config"${written ? '' : ' (its config class default)'}; Greenprint ties the lm_head as "text_config" says (transformers 4 does), a reader of the top-level value counts the embedding matrix ${textTied ? 'twice' : 'once'}.`,
    rangeOf(top),
  );
}

/** Vision sub-config model_types that are no top-level family of their own, with the tower each names. */
const VISION_MODEL_TYPES: Readonly<Record<string, 'pixtral'>> = { pixtral: 'pixtral' };
const TOWER_NAMES = { clip: 'a CLIP', siglip: 'a SigLIP', pixtral: 'a Pixtral' } as const;

/** The image tower a vision sub-config's model_type names (CLIP, SigLIP or Pixtral), if Greenprint knows it. */
function towerOfType(named: string): 'clip' | 'siglip' | 'pixtral' | undefined {
  if (Object.hasOwn(VISION_MODEL_TYPES, named)) return VISION_MODEL_TYPES[named];
  const known = RECIPES[named]?.towers?.vision?.encoder;
  return known === 'clip' || known === 'siglip' ? known : undefined;
}

type VisionEncoder = NonNullable<TowersRecipe['vision']>['encoder'];

/** What a tower builder gets: the vision sub-config's reader, the tower's recipe and the wrapper's own config. */
interface TowerBuild {
  readonly reader: ConfigReader;
  readonly recipe: Recipe;
  readonly c: ConfigReader;
  readonly towers: TowersRecipe;
  readonly g: GraphBuilder;
  readonly options: ReadOptions;
  readonly notes: string[];
}

/** How a wrapper reads each image tower it can name. */
interface WrapperTower {
  /** The vision sub-config is the wrapper's own tower: its model_type names no other (LLaVA's may name Pixtral's). */
  readonly fixed: boolean;
  /** Its sub-config takes the tower's own defaults (`<encoder>_vision`) even when absent, not the wrapper class's. */
  readonly ownDefaults: boolean;
  /** The recipe its layers follow, given the wrapper's. */
  readonly recipe: (wrapper: Recipe) => Recipe;
  /** The tower, and how many patches a side the projector merges into one token (1: none). */
  readonly build: (b: TowerBuild) => { tower: ImageTower | undefined; merge: number } | undefined;
}

const WRAPPER_TOWERS: Readonly<Record<VisionEncoder, WrapperTower>> = {
  clip: { fixed: false, ownDefaults: false, recipe: () => RECIPES.clip, build: (b) => ({ tower: clipVisionTower(b.reader, 'clip', b.recipe, b.g, 'vision_tower.vision_model.'), merge: 1 }) },
  siglip: { fixed: false, ownDefaults: false, recipe: () => RECIPES.siglip, build: (b) => ({ tower: clipVisionTower(b.reader, 'siglip', b.recipe, b.g, 'vision_tower.vision_model.'), merge: 1 }) },
  pixtral: {
    fixed: false,
    ownDefaults: false,
    recipe: () => PIXTRAL_VISION,
    build: (b) => {
      // Mistral 3's patch merger folds spatial_merge_size² patches into a token: the image is whole merged patches.
      const merge = b.towers.join === 'mistral3' ? b.c.int('spatial_merge_size', 2) : 1;
      return merge === undefined ? undefined : { tower: pixtralVisionTower(b.reader, b.recipe, b.g, b.options, b.notes, merge), merge };
    },
  },
  qwen2_5_vl: { fixed: true, ownDefaults: true, recipe: (r) => r, build: (b) => ({ tower: qwenVisionTower(b.reader, b.recipe, b.g, b.options, b.notes), merge: 1 }) },
  llama4: { fixed: true, ownDefaults: false, recipe: (r) => r, build: (b) => ({ tower: llama4VisionTower(b.reader, b.recipe, b.g), merge: 1 }) },
  qwen3_vl: {
    fixed: true,
    ownDefaults: true,
    recipe: (r) => r,
    build: (b) => ({ tower: qwen3VlVisionTower(b.reader, b.recipe, b.g, b.options, b.notes, QWEN_DEFAULT_IMAGE, b.towers.vision!.deepStack !== false), merge: 1 }),
  },
  internvl: { fixed: true, ownDefaults: true, recipe: (r) => r, build: (b) => ({ tower: internvlVisionTower(b.reader, b.recipe, b.g), merge: 1 }) },
  // Idefics3's and SmolVLM's tower is SigLIP's without its pooling head.
  idefics3: { fixed: true, ownDefaults: true, recipe: () => RECIPES.siglip, build: (b) => ({ tower: clipVisionTower(b.reader, 'siglip', b.recipe, b.g, 'model.vision_model.', true), merge: 1 }) },
};

/**
 * The image tower a wrapper's vision_config describes: its model_type's tower (LLaVA's Pixtral-12B names
 * "pixtral"), or the recipe's. An unknown model_type is counted as the recipe's tower, unverified.
 */
function wrapperVision(c: ConfigReader, recipe: Recipe, towers: TowersRecipe, family: string, g: GraphBuilder, options: ReadOptions, notes: string[]): { tower: ImageTower; reader: ConfigReader; towerRecipe: Recipe; merge: number; unverified?: string } | undefined {
  const at = towers.vision!.at;
  const node = c.node(at);
  const ownType = node?.type === 'object' ? prop(node, 'model_type') : undefined;
  const named = ownType?.type === 'string' ? (ownType.value as string) : undefined;
  let encoder = towers.vision!.encoder;
  let unverified: string | undefined;
  if (named && !WRAPPER_TOWERS[encoder].fixed) {
    const known = towerOfType(named);
    if (known) encoder = known;
    else {
      unverified = `its vision tower "${named}" has no Greenprint recipe; counted as ${TOWER_NAMES[encoder as keyof typeof TOWER_NAMES]} vision tower`;
      c.sink.warning(`${family}: the vision tower's model_type "${named}" is not one Greenprint knows (clip_vision_model, siglip_vision_model, pixtral); ${unverified.replace(/^its vision tower "[^"]*" has no Greenprint recipe; /, '')} and unverified (≈?).`, rangeOf(ownType!));
    }
  }
  const kind = WRAPPER_TOWERS[encoder];
  const defaultsName = kind.ownDefaults ? `${encoder}_vision` : !node && DEFAULTS[`${family}_vision`] ? `${family}_vision` : `${encoder}_vision`;
  const reader = subConfig(c, at, DEFAULTS[defaultsName]);
  if (!reader) return undefined;
  const towerRecipe = kind.recipe(recipe);
  const built = kind.build({ reader, recipe: towerRecipe, c, towers, g, options, notes });
  return built?.tower && { tower: built.tower, reader, towerRecipe, merge: built.merge, unverified };
}

/** LLaVA's projector: linear_1 (vision width × feature layers → text) + GELU + linear_2, biases unless switched off. */
function llavaProjector(c: ConfigReader, g: GraphBuilder, image: ImageTower, textHidden: number, notes: string[]): number | undefined {
  const layers = featureLayers(c, image, -2);
  if (layers === undefined) return undefined;
  const strategy = c.string('vision_feature_select_strategy') ?? 'default';
  const bias = c.bool('multimodal_projector_bias', true);
  // The 'default' strategy drops the first (class) token of every selected layer.
  const dropFirst = strategy === 'default';
  const imageTokens = image.tokens - (dropFirst ? 1 : 0);
  const row = g.addLayer({ name: 'multi_modal_projector', type: 'projector', range: c.range('vision_feature_layer', 'projector_hidden_act', 'multimodal_projector_bias'), detail: `${image.width * layers}→${textHidden} + GELU + ${textHidden}→${textHidden}${bias ? ', with biases' : ', no biases'}` });
  let features = dropFirst ? g.add('slice', { axis: 0, start: 1, size: imageTokens }, [image.hidden], row, 'image tokens (class token dropped)') : image.hidden;
  if (layers > 1) features = g.add('concat', { axis: -1 }, Array.from({ length: layers }, () => features), row, `${layers} feature layers side by side`);
  const hidden = g.add('activation', { fn: 'gelu' }, [g.add('dense', { units: textHidden, bias }, [features], row, 'linear_1')], row, 'gelu');
  notes.push(`Each image adds ${imageTokens} tokens to the prompt; the vision tower runs all its layers (features come from "vision_feature_layer"; the layers and norm after it are parameters of the class all the same).`);
  return g.add('dense', { units: textHidden, bias }, [hidden], row, 'linear_2');
}

/** Gemma3MultiModalProjector: average-pool the patch grid to mm_tokens_per_image, RMSNorm, one projection matrix (no bias). */
function gemma3Projector(c: ConfigReader, g: GraphBuilder, image: ImageTower, textHidden: number, notes: string[]): number | undefined {
  const perImage = c.int('mm_tokens_per_image', 256);
  if (perImage === undefined) return undefined;
  const side = Math.round(Math.sqrt(image.tokens));
  const perSide = Math.round(Math.sqrt(perImage));
  if (perSide * perSide !== perImage || side % perSide !== 0) {
    c.sink.error(`${c.what}: "mm_tokens_per_image" (${perImage}) must be a square whose side divides the ${side}×${side} patch grid.`, c.valueRange('mm_tokens_per_image'));
    return undefined;
  }
  const kernel = side / perSide;
  const row = g.addLayer({ name: 'multi_modal_projector', type: 'projector', range: c.range('mm_tokens_per_image'), detail: `${kernel}×${kernel} average pool to ${perImage} tokens, RMSNorm, ${image.width}→${textHidden} projection` });
  const map = g.add('tokensToMap', {}, [image.hidden, image.patchMap], row, 'patch grid');
  const pooled = g.add('patchTokens', {}, [g.add('pool2d', { kind: 'avg', kernel: [kernel, kernel] }, [map], row, 'avg_pool')], row, 'pooled tokens');
  const normed = g.add('norm', { kind: 'rms' }, [pooled], row, 'mm_soft_emb_norm');
  notes.push(`Each image adds ${perImage} tokens to the prompt.`);
  return g.add('dense', { units: textHidden, bias: false }, [normed], row, 'mm_input_projection_weight');
}

/** Appends an IR's rows and nodes after a builder's, renumbering them; returns where its rows start. */
function append(g: GraphBuilder, ir: ModelIR, prefix: string): { rowOffset: number; nodeOffset: number } {
  const rowOffset = g.layers.length;
  const nodeOffset = g.nodes.length;
  const layers: IRLayer[] = ir.layers.map((l) => ({ ...l, name: `${prefix}${l.name}` }));
  const nodes: IRNode[] = ir.nodes.map((n) => ({ ...n, id: n.id + nodeOffset, inputs: n.inputs.map((i) => i + nodeOffset), layer: n.layer < 0 ? n.layer : n.layer + rowOffset }));
  g.layers.push(...layers);
  g.nodes.push(...nodes);
  return { rowOffset, nodeOffset };
}

function shiftExcluded(excluded: readonly ExcludedModules[] | undefined, rowOffset: number): ExcludedModules[] | undefined {
  return excluded?.map((x) => ({ ...x, shares: x.shares.map((s) => ({ ...s, row: s.row + rowOffset })) }));
}

/** What a wrapper's projector reads: the wrapper's config, the tower it follows and the text model's width. */
interface ProjectorInput {
  readonly c: ConfigReader;
  readonly g: GraphBuilder;
  readonly vision: { readonly tower: ImageTower; readonly reader: ConfigReader; readonly merge: number };
  readonly textHidden: number;
  readonly notes: string[];
}

/** The projector each join builds after the image tower; a join without one has its merger inside the tower. */
const PROJECTORS: Partial<Record<TowersRecipe['join'], (p: ProjectorInput) => number | undefined>> = {
  llava: (p) => llavaProjector(p.c, p.g, p.vision.tower, p.textHidden, p.notes),
  gemma3: (p) => gemma3Projector(p.c, p.g, p.vision.tower, p.textHidden, p.notes),
  // Llama 4's projector sizes are the vision config's.
  llama4: (p) => llama4Projector(p.vision.reader, p.g, p.vision.tower, p.textHidden, p.notes),
  mistral3: (p) => mistral3Projector(p.c, p.g, p.vision.tower, p.textHidden, p.notes, p.vision.merge),
  paligemma: (p) => paligemmaProjector(p.c, p.g, p.vision.tower, p.textHidden, p.notes),
  idefics3: (p) => idefics3Connector(p.c, p.g, p.vision.tower, p.textHidden, p.notes),
  internvl: (p) => internvlProjector(p.c, p.g, p.vision.tower, p.textHidden, p.notes),
};

/** A wrapper (LLaVA, Gemma 3, Qwen2.5-VL, Qwen3-VL, Llama 4, Mistral 3, PaliGemma, Idefics3, InternVL…): image tower, projector, then the language model with its transformer spec. */
function readWrapper(c: ConfigReader, recipe: Recipe, towers: TowersRecipe, family: string, architecture: string | undefined, options: ReadOptions, readConfig: ReadConfig): TowersIR | undefined {
  const notes: string[] = [];
  const g = new GraphBuilder();
  const vision = wrapperVision(c, recipe, towers, family, g, options, notes);
  if (!vision) return undefined;
  const text = languageModel(c, towers, family, options, readConfig);
  if (!text) return undefined;
  const spec = text.ir.transformer;
  const textHidden = spec?.hiddenSize;
  if (textHidden === undefined) return undefined;
  let projected: number | undefined;
  const projector = PROJECTORS[towers.join];
  if (projector) projected = projector({ c, g, vision, textHidden, notes });
  else {
    // Qwen2.5-VL's and Qwen3-VL's mergers end their towers: the tower's output is already in the text width.
    projected = vision.tower.hidden;
    notes.push(`Each image adds ${vision.tower.tokens} tokens to the prompt.`);
    if (vision.tower.width !== textHidden) {
      c.sink.warning(`${family}: the vision merger's "out_hidden_size" (${vision.tower.width}) differs from the language model's hidden size (${textHidden}); the model cannot put image tokens into its prompt.`, vision.reader.valueRange('out_hidden_size'));
    }
  }
  if (projected === undefined) return undefined;
  warnUnreadShapeKeys(vision.reader, vision.towerRecipe, family);
  const { rowOffset, nodeOffset } = append(g, text.ir, text.prefix);
  notes.push('Prefill, decode and KV-cache figures are the language model\'s; the image tower and projector run once per request, so their MACs are added to prefill once and not to decode. The totals count one image and one sequence.');
  notes.push(...(text.ir.notes ?? []));
  const reasons = [text.ir.unverified?.reason, vision.unverified].filter((r): r is string => !!r);
  const unverified: Unverified | undefined = reasons.length ? { reason: `${family}: ${reasons.join('; ')}`, ignoredKeys: text.ir.unverified?.ignoredKeys ?? [] } : undefined;
  const outputs = [...text.ir.outputs.map((o) => o + nodeOffset), projected, ...(vision.tower.sideOutputs ?? [])];
  // Nodes before the language model's are the image tower and projector, which run once per request.
  const perRequestNodes = Array.from({ length: nodeOffset }, (_, id) => id);
  const transformer: TransformerSpec | undefined = spec && { ...spec, family: c.string('model_type') ?? family, excluded: shiftExcluded(spec.excluded, rowOffset), perRequestNodes };
  return {
    modelName: architecture ?? family,
    layers: g.layers,
    nodes: g.nodes,
    outputs,
    inputDescription: `${vision.tower.description} + ${text.ir.inputDescription}`,
    // A wrapper that names no dtype of its own (Qwen3-VL writes it only in text_config) stores the language model's.
    dtype: (c.string('torch_dtype') ?? c.string('dtype')) ? readDtype(c) : text.ir.dtype,
    notes,
    unverified,
    transformer,
    // Stored tensors the class drops (Qwen3.5's mtp.*), named by their own top-level keys.
    checkpointOnly: text.ir.checkpointOnly,
  };
}

/** The IR of a towers recipe (read.ts dispatches here), or undefined after reporting why it cannot be built. */
export function readTowers(c: ConfigReader, recipe: Recipe, towers: TowersRecipe, family: string, architecture: string | undefined, options: ReadOptions, readConfig: ReadConfig): TowersIR | undefined {
  return towers.decoder ? readWrapper(c, recipe, towers, family, architecture, options, readConfig) : readDualEncoder(c, recipe, towers, family, architecture);
}

/**
 * A wrapper of a family Greenprint has no recipe for (Idefics 2, BLIP-2, …): only its `text_config` language
 * model is counted, by that object's own family, and the whole figure is unverified — the image tower and
 * projector are missing from it.
 */
export function readUnknownWrapper(c: ConfigReader, reason: string, architecture: string | undefined, options: ReadOptions, readConfig: ReadConfig): TowersIR | undefined {
  const t = subConfig(c, 'text_config', {});
  if (!t) return undefined;
  if (isWrapper(t)) {
    c.sink.error(`${c.what}: "text_config" must describe a language model, but it holds another "text_config" instead of sizes.`, c.range('text_config'));
    return undefined;
  }
  const ir = readConfig(t, options);
  if (!ir) return undefined;
  const why = `${reason.replace(/; counted as a Llama-style decoder$/, '')}; only the language model in its "text_config" is counted, without any image tower or projector`;
  c.sink.warning(`${why}.`, c.range('text_config'));
  const g = new GraphBuilder();
  append(g, ir, 'language_model.');
  return { ...ir, modelName: architecture ?? ir.modelName, layers: g.layers, nodes: g.nodes, unverified: { reason: why, ignoredKeys: ir.unverified?.ignoredKeys ?? [] } };
}
