/**
 * The image towers and projectors of three vision-language wrappers, restated from transformers:
 *
 * PaliGemma and PaliGemma 2 (models/paligemma/modeling_paligemma.py, PaliGemmaMultiModalProjector): a SigLIP
 * vision model (multimodal.ts builds it; the published configs switch its pooling head off) and one Linear
 * vision width → `projection_dim` with bias. PaliGemmaConfig writes its own top-level `projection_dim` (default
 * 2048) into the vision config, so that value decides the projector's width.
 *
 * Idefics3, SmolVLM and SmolVLM2 (models/idefics3/modeling_idefics3.py, models/smolvlm/modeling_smolvlm.py):
 * a SigLIP-shaped vision transformer without a pooling head (multimodal.ts builds it), then the connector: a
 * pixel shuffle that folds s×s neighbouring patches into one token s²·D wide (s = `scale_factor`), and
 * modality_projection.proj, a Linear s²·D → text width without bias.
 *
 * InternVL 3 / 3.5 as transformers ships them (models/internvl/modeling_internvl.py):
 * - InternVLVisionModel (InternViT): embeddings = cls_token (D), mask_token (D, only with `use_mask_token`),
 *   patch_embeddings.projection (Conv2d 3 → D, p×p, stride p, with bias), position_embeddings ((patches + 1) × D,
 *   with `use_absolute_position_embeddings`); encoder.layer.* = layernorm_before and layernorm_after (LayerNorm, or
 *   RMSNorm when `norm_type` is "rms_norm"), attention (q/k/v D → D with bias only when `attention_bias`, RMSNorms
 *   over the whole q and k projections when `use_qk_norm`, projection_layer D → D with bias), mlp (fc1, fc2 with
 *   biases, GELU), and the layer scales lambda_1 and lambda_2 (D each); a final LayerNorm only without
 *   `use_mean_pooling` (default true: nn.Identity).
 * - InternVLMultiModalProjector: the class token dropped ("default" feature strategy), a pixel shuffle by
 *   `downsample_ratio` (0.5: 2×2 patches → one token 4·D wide), layer_norm (LayerNorm 4·D), linear_1 (4·D → text
 *   width) + GELU + linear_2 (text → text), both with biases.
 * The InternVL processor cuts an image into up to `max_patches` 448×448 tiles plus a thumbnail; the figures
 * here are for one tile at the config's image size, as each tile runs the same tower.
 */
import type { GraphBuilder } from '../../graph';
import { rangeOf } from '../../source/json';
import { gqaAttention, mlpBuilder, type BlockContext } from './blocks';
import type { ConfigReader } from './config-reader';
import { featureLayers, type ImageTower } from './encoder-stack';
import type { Recipe } from './recipes';

/** PaliGemmaMultiModalProjector: one Linear vision width → projection_dim, with bias, on every patch. */
export function paligemmaProjector(c: ConfigReader, g: GraphBuilder, image: ImageTower, textHidden: number, notes: string[]): number | undefined {
  const width = c.int('projection_dim', 2048);
  if (width === undefined) return undefined;
  if (width !== textHidden) {
    c.sink.warning(`${c.what}: "projection_dim" (${width}) differs from the language model's hidden size (${textHidden}); PaliGemma cannot put image tokens into its prompt.`, c.valueRange('projection_dim'));
  }
  const row = g.addLayer({ name: 'multi_modal_projector', type: 'projector', range: c.range('projection_dim'), detail: `linear ${image.width}→${width}, with bias` });
  notes.push(`Each image adds ${image.tokens} tokens to the prompt (one per patch at the config's image size).`);
  return g.add('dense', { units: width, bias: true }, [image.hidden], row, 'linear');
}

/**
 * A pixel shuffle (Idefics3Connector.pixel_shuffle, InternVLModel.pixel_shuffle): s×s neighbouring patches side
 * by side in one token s²·D wide; the patch grid's side must be a multiple of s. Undefined after an error at `key`.
 */
function pixelShuffle(c: ConfigReader, g: GraphBuilder, input: number, side: number, width: number, s: number, key: string, row: number): { node: number; tokens: number } | undefined {
  if (side % s !== 0) {
    c.sink.error(`${c.what}: the ${side}×${side} patch grid cannot be pixel-shuffled by ${s} ("${key}"): its side is not a multiple of ${s}.`, c.valueRange(key));
    return undefined;
  }
  const node = g.add('reshape', { shape: [-1, s * s * width] }, [input], row, `pixel shuffle (${s}×${s} patches per token)`);
  return { node, tokens: (side / s) ** 2 };
}

/** Idefics3Connector / SmolVLMConnector: pixel shuffle by `scale_factor`, then modality_projection.proj without bias. */
export function idefics3Connector(c: ConfigReader, g: GraphBuilder, image: ImageTower, textHidden: number, notes: string[]): number | undefined {
  const s = c.int('scale_factor', 2);
  if (s === undefined) return undefined;
  const side = Math.round(Math.sqrt(image.tokens));
  const row = g.addLayer({ name: 'model.connector.modality_projection', type: 'projector', range: c.range('scale_factor'), detail: `pixel shuffle ${s}×${s} → ${s * s * image.width} wide, proj ${s * s * image.width}→${textHidden} without bias` });
  const shuffled = pixelShuffle(c, g, image.hidden, side, image.width, s, 'scale_factor', row);
  if (!shuffled) return undefined;
  notes.push(
    `Each image crop adds ${shuffled.tokens} tokens to the prompt; the processor splits large images into several crops at the vision config's image size plus a downscaled whole image, each a pass of the tower — figures are for one crop.`,
  );
  return g.add('dense', { units: textHidden, bias: false }, [shuffled.node], row, 'proj');
}

/** A side written as one number or an [h, w] pair (InternVLVisionConfig's image_size and patch_size); square only. */
function squareSide(v: ConfigReader, key: string, fallback: number): number | undefined {
  const node = v.node(key);
  if (node?.type === 'array') {
    const values = (node.children ?? []).map((n) => n.value);
    if (values.length === 2 && values[0] === values[1] && Number.isInteger(values[0]) && (values[0] as number) > 0) return values[0] as number;
    v.sink.error(`${v.what}: "${key}" must be one positive whole number or a square [h, w] pair; Greenprint counts square images only.`, rangeOf(node));
    return undefined;
  }
  return v.int(key, fallback);
}

/** InternVLVisionModel on `g` (see the header), or undefined after a located error. */
export function internvlVisionTower(v: ConfigReader, recipe: Recipe, g: GraphBuilder): ImageTower | undefined {
  const D = v.int('hidden_size');
  const N = v.int('num_hidden_layers');
  const H = v.int('num_attention_heads');
  const I = v.int('intermediate_size');
  const channels = v.int('num_channels');
  const image = squareSide(v, 'image_size', 448);
  const patch = squareSide(v, 'patch_size', 14);
  const normType = v.string('norm_type') ?? 'layer_norm';
  const maskToken = v.bool('use_mask_token', false);
  const positions = v.bool('use_absolute_position_embeddings', true);
  const meanPooling = v.bool('use_mean_pooling', true);
  if (D === undefined || N === undefined || H === undefined || I === undefined || channels === undefined || image === undefined || patch === undefined) return undefined;
  if (D % H !== 0) {
    v.sink.error(`${v.what}: "num_attention_heads" (${H}) must divide "hidden_size" (${D}); ${D}/${H} is not a whole head size.`, v.valueRange('num_attention_heads'));
    return undefined;
  }
  if (normType !== 'layer_norm' && normType !== 'rms_norm') {
    v.sink.error(`${v.what}: "norm_type" must be "layer_norm" or "rms_norm" (InternVLVisionLayer's NORM2FN), found "${normType}".`, v.valueRange('norm_type'));
    return undefined;
  }
  if (patch > image) {
    v.sink.error(`${v.what}: "patch_size" (${patch}) is larger than "image_size" (${image}): the image holds no whole patch.`, v.valueRange('patch_size'));
    return undefined;
  }
  const norm = normType === 'rms_norm' ? 'rms' : 'layer';
  const layerRecipe: Recipe = { ...recipe, norm };
  const side = Math.floor(image / patch);
  const tokens = side * side + 1;
  const pixels = g.add('input', { shape: [channels, image, image] }, [], -1, 'pixel_values');
  const embedRow = g.addLayer({
    name: 'vision_tower.embeddings',
    type: 'patch embedding',
    range: v.range('patch_size', 'image_size', 'hidden_size', 'use_mask_token', 'use_absolute_position_embeddings'),
    detail: `Conv2d ${channels}→${D}, ${patch}×${patch} stride ${patch}: ${side}×${side} patches + cls_token${maskToken ? ' (+ mask_token)' : ''}${positions ? `, ${tokens} learned positions` : ''}`,
  });
  const conv = g.add('conv2d', { filters: D, kernel: [patch, patch], stride: [patch, patch], bias: true }, [pixels], embedRow, 'patch_embeddings.projection');
  let x = g.add('patchTokens', {}, [conv], embedRow, 'patches as tokens');
  x = g.add('learnedTokens', { prepend: 1, stored: maskToken ? 1 : 0 }, [x], embedRow, maskToken ? 'cls_token + mask_token' : 'cls_token');
  if (positions) x = g.add('learnedPositions', {}, [x], embedRow, 'position_embeddings');

  const path = 'vision_tower.encoder.layer.*';
  const ctx: BlockContext = { c: v, recipe: layerRecipe, g, hidden: D, layerPath: path, layers: N };
  const blockRow = g.addLayer({ name: `${path} norms + layer scales`, type: norm === 'rms' ? 'RMSNorm + residual' : 'LayerNorm + residual', range: v.range('norm_type', 'num_hidden_layers'), repeat: N, detail: `${N} layers: layernorm_before, layernorm_after (${normType}), lambda_1 and lambda_2 (${D} each) and residual adds` });
  const attention = gqaAttention(ctx, layerRecipe.attention as Extract<Recipe['attention'], { kind: 'gqa' }>, H, H, D / H);
  const attnRow = g.addLayer({ name: `${path}.attention`, type: 'attention', range: v.range('num_attention_heads', 'attention_bias', 'use_qk_norm'), repeat: N, detail: `${attention.detail}, over ${tokens} tokens` });
  const mlpRow = g.addLayer({ name: `${path}.mlp`, type: 'MLP', range: v.range('intermediate_size'), repeat: N, detail: `${D}→${I}→${D}, GELU, with biases` });
  const mlp = mlpBuilder(ctx);
  const normed = (input: number, name: string): number => g.add('norm', { kind: norm, bias: norm === 'layer' }, [input], blockRow, name);
  const add = (a: number, b: number): number => g.add('elementwise', { fn: 'add' }, [a, b], blockRow, 'residual add');
  x = add(x, g.add('channelScale', {}, [attention.build(normed(x, 'layernorm_before'), attnRow)], blockRow, 'lambda_1'));
  x = add(x, g.add('channelScale', {}, [mlp(normed(x, 'layernorm_after'), mlpRow, I)], blockRow, 'lambda_2'));
  if (!meanPooling) {
    const row = g.addLayer({ name: 'vision_tower.layernorm', type: 'LayerNorm', range: v.range('use_mean_pooling'), detail: 'LayerNorm after the encoder (use_mean_pooling false)' });
    x = g.add('norm', { kind: 'layer', bias: true }, [x], row, 'layernorm');
  }
  return { hidden: x, patchMap: conv, width: D, tokens, description: `image ${channels}×${image}×${image} (${tokens} tokens)`, classToken: true, layers: N };
}

/** InternVLMultiModalProjector on the tower's patches (class token dropped): pixel shuffle, LayerNorm, linear_1 + GELU + linear_2. */
export function internvlProjector(c: ConfigReader, g: GraphBuilder, image: ImageTower, textHidden: number, notes: string[]): number | undefined {
  const layers = featureLayers(c, image, -1);
  if (layers === undefined) return undefined;
  if (layers > 1) {
    c.sink.error(`${c.what}: "vision_feature_layer" lists ${layers} hidden states, but InternVLModel takes the features of one.`, c.valueRange('vision_feature_layer'));
    return undefined;
  }
  const ratio = c.ratio('downsample_ratio', 0.5);
  if (ratio === undefined) return undefined;
  // The projector is built int(1 / downsample_ratio)² times the vision width wide.
  const s = Math.trunc(1 / ratio);
  if (s < 1 || Math.abs(1 / s - ratio) > 1e-9) {
    c.sink.error(`${c.what}: "downsample_ratio" (${ratio}) must be 1/n for a whole n: the pixel shuffle folds n×n patches into a token.`, c.valueRange('downsample_ratio'));
    return undefined;
  }
  const strategy = c.string('vision_feature_select_strategy') ?? 'default';
  const patches = image.tokens - (strategy === 'default' ? 1 : 0);
  const side = Math.round(Math.sqrt(patches));
  if (side * side !== patches) {
    c.sink.error(`${c.what}: with "vision_feature_select_strategy" "${strategy}" the ${patches} image features form no square grid to pixel-shuffle.`, c.valueRange('vision_feature_select_strategy'));
    return undefined;
  }
  const wide = s * s * image.width;
  const row = g.addLayer({ name: 'multi_modal_projector', type: 'projector', range: c.range('downsample_ratio', 'projector_hidden_act'), detail: `pixel shuffle ${s}×${s} → ${wide} wide, LayerNorm, linear_1 ${wide}→${textHidden} + GELU + linear_2 ${textHidden}→${textHidden}, with biases` });
  const features = patches === image.tokens ? image.hidden : g.add('slice', { axis: 0, start: 1, size: patches }, [image.hidden], row, 'patch tokens (class token dropped)');
  const shuffled = pixelShuffle(c, g, features, side, image.width, s, 'downsample_ratio', row);
  if (!shuffled) return undefined;
  const normed = g.add('norm', { kind: 'layer', bias: true }, [shuffled.node], row, 'layer_norm');
  const hidden = g.add('activation', { fn: 'gelu' }, [g.add('dense', { units: textHidden, bias: true }, [normed], row, 'linear_1')], row, 'gelu');
  notes.push(`Each image tile adds ${shuffled.tokens} tokens to the prompt; the processor cuts an image into several tiles plus a thumbnail, each a pass of the tower — figures are for one tile at the vision config's image size.`);
  return g.add('dense', { units: textHidden, bias: true }, [hidden], row, 'linear_2');
}
