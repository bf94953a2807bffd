/**
 * Pixtral's image tower and Mistral 3's projector, restated from transformers models/pixtral/modeling_pixtral.py
 * (PixtralVisionModel) and models/mistral3/modeling_mistral3.py (Mistral3MultiModalProjector,
 * Mistral3PatchMerger). A module of its own because the tower is a shape no other reader builds: RMSNorm
 * layers without biases, a gated SiLU MLP, 2-D rotary positions instead of learned ones, no class token, and
 * images read at their own size rather than one fixed grid.
 *
 * PixtralVisionModel (a `vision_config` of model_type "pixtral"; Mistral 3 and LLaVA's Pixtral-12B):
 * - patch_conv: Conv2d num_channels → hidden_size, patch_size × patch_size, stride patch_size, no bias;
 * - ln_pre: RMSNorm;
 * - transformer.layers.* × num_hidden_layers: attention_norm (RMSNorm), attention (q, k, v, o hidden →
 *   hidden, no biases, heads hidden_size / num_attention_heads wide), ffn_norm (RMSNorm), feed_forward
 *   (gate, up, down without biases, SiLU);
 * - nothing after the layers; the rotary table (inv_freq) is a buffer.
 * Mistral3MultiModalProjector (Mistral3ForConditionalGeneration):
 * - norm: RMSNorm over the vision width;
 * - patch_merger.merging_layer: Linear hidden · m² → hidden without bias, m = `spatial_merge_size` (m×m
 *   neighbouring patches side by side, torch's unfold);
 * - linear_1 (hidden × feature layers → text hidden) + GELU + linear_2 (text → text), both with biases
 *   when `multimodal_projector_bias` (default false).
 * The processor keeps an image's own size, longest edge up to `image_size`, in whole patches (Mistral 3: whole
 * merged patches); the tower here reads one square image of that largest size, or of the input size given.
 */
import type { GraphBuilder } from '../../graph';
import type { ReadOptions } from '../types';
import type { ConfigReader } from './config-reader';
import { encoderLayers, featureLayers, stackSizes, type ImageTower } from './encoder-stack';
import type { Recipe } from './recipes';

/**
 * The tower on `g`, or undefined after a located error. `merge` is the patch merger's side (Mistral 3's
 * `spatial_merge_size`; 1 under LLaVA), so the image is a whole number of merged patches.
 */
export function pixtralVisionTower(v: ConfigReader, recipe: Recipe, g: GraphBuilder, options: ReadOptions, notes: string[], merge: number): ImageTower | undefined {
  const s = stackSizes(v);
  const largest = v.int('image_size');
  const patch = v.int('patch_size');
  const channels = v.int('num_channels');
  if (!s || largest === undefined || patch === undefined || channels === undefined) return undefined;
  const unit = patch * merge;
  if (unit > largest) {
    const what = merge > 1 ? `"patch_size" (${patch}) × the merger's ${merge}` : `"patch_size" (${patch})`;
    v.sink.error(`${v.what}: ${what} is larger than "image_size" (${largest}): the image holds no whole ${merge > 1 ? 'merged ' : ''}patch.`, v.valueRange('patch_size'));
    return undefined;
  }
  const most = Math.floor(largest / unit) * unit;
  const asked = options.inputSize ? Math.max(options.inputSize[0], options.inputSize[1]) : most;
  const image = Math.min(most, Math.max(unit, Math.round(asked / unit) * unit));
  notes.push(`Pixtral reads images at their own size, longest edge up to ${largest} ("image_size"); figures are for one ${image}×${image} image${options.inputSize ? '' : ' (the largest; set an input size to change it)'}.`);
  const side = image / patch;
  const tokens = side * side;
  const pixels = g.add('input', { shape: [channels, image, image] }, [], -1, 'pixel_values');
  const embedRow = g.addLayer({
    name: `${recipe.names.prefix}${recipe.names.embed} + ln_pre`,
    type: 'patch embedding',
    range: v.range('patch_size', 'image_size', 'hidden_size'),
    detail: `Conv2d ${channels}→${s.D}, ${patch}×${patch} stride ${patch} without bias: ${side}×${side} patches, rotary positions (no parameters), ln_pre RMSNorm`,
  });
  const conv = g.add('conv2d', { filters: s.D, kernel: [patch, patch], stride: [patch, patch], bias: false }, [pixels], embedRow, 'patch_conv');
  let x = g.add('patchTokens', {}, [conv], embedRow, 'patches as tokens');
  x = g.add('norm', { kind: 'rms' }, [x], embedRow, 'ln_pre');
  x = encoderLayers(v, recipe, g, `${recipe.names.prefix}${recipe.names.layers}.*`, s, x, tokens);
  const merged = merge > 1 ? ` → ${tokens / (merge * merge)} tokens` : '';
  return { hidden: x, patchMap: conv, width: s.D, tokens, description: `image ${channels}×${image}×${image} (${tokens} patches${merged})`, classToken: false, layers: s.N };
}

/** Mistral3MultiModalProjector on the tower's patches: norm, m×m patch merger, linear_1 + GELU + linear_2. */
export function mistral3Projector(c: ConfigReader, g: GraphBuilder, image: ImageTower, textHidden: number, notes: string[], merge: number): number | undefined {
  const layers = featureLayers(c, image, -1);
  if (layers === undefined) return undefined;
  if (layers > 1) {
    // linear_1 is built hidden × layers wide, but the norm and the merger before it take hidden-wide features.
    c.sink.error(
      `${c.what}: "vision_feature_layer" lists ${layers} hidden states, but Mistral3MultiModalProjector normalises and merges ${image.width}-wide features before linear_1; ${layers} layers side by side (${layers * image.width} wide) cannot run.`,
      c.valueRange('vision_feature_layer'),
    );
    return undefined;
  }
  const bias = c.bool('multimodal_projector_bias', false);
  const side = Math.round(Math.sqrt(image.tokens));
  const rows = side / merge;
  const D = image.width;
  const row = g.addLayer({
    name: 'multi_modal_projector',
    type: 'projector',
    range: c.range('spatial_merge_size', 'multimodal_projector_bias', 'projector_hidden_act'),
    detail: `RMSNorm, ${merge}×${merge} patch merger ${merge * merge * D}→${D} (no bias), linear_1 ${D}→${textHidden} + GELU + linear_2 ${textHidden}→${textHidden}${bias ? ', with biases' : ', no biases'}`,
  });
  const normed = g.add('norm', { kind: 'rms' }, [image.hidden], row, 'norm');
  const grouped = g.add('reshape', { shape: [-1, merge * merge * D] }, [normed], row, `${merge}×${merge} neighbouring patches`);
  const mergedPatches = g.add('dense', { units: D, bias: false }, [grouped], row, 'patch_merger.merging_layer');
  const hidden = g.add('activation', { fn: 'gelu' }, [g.add('dense', { units: textHidden, bias }, [mergedPatches], row, 'linear_1')], row, 'gelu');
  notes.push(`Each image adds ${rows * rows} image tokens to the prompt (${rows}×${rows} merged patches), and ${rows} row-break/end tokens; the vision tower runs all its layers.`);
  return g.add('dense', { units: textHidden, bias }, [hidden], row, 'linear_2');
}
