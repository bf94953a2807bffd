/**
 * Qwen3-VL's image tower, restated from transformers models/qwen3_vl/modeling_qwen3_vl.py (Qwen3VLVisionModel,
 * Qwen3VLVisionPatchMerger); Qwen3-VL-MoE's (models/qwen3_vl_moe) is the same class. A module of its own because
 * no other tower has this shape: learned positions interpolated onto the patch grid, and DeepStack mergers that
 * hand features of inner blocks to the language model beside the merged image tokens.
 *
 * Qwen3VLVisionModel (`vision_config`, Qwen3VLVisionConfig's defaults for what it leaves out):
 * - patch_embed.proj: Conv3d in_channels → hidden_size, kernel = stride = temporal_patch_size × patch_size ×
 *   patch_size, with bias (an image is repeated into the temporal frames; counted as a Conv2d over channels ×
 *   frames, the same weights and MACs);
 * - pos_embed: Embedding(num_position_embeddings, hidden_size), bilinearly interpolated from its
 *   √num_position_embeddings-square grid onto the image's patch grid (four weighted rows per patch; a gather
 *   and a few elementwise products, no MACs by the matmul convention) and added to the patches;
 * - rotary_pos_emb: inv_freq is a buffer, no parameters;
 * - blocks × depth: norm1 (LayerNorm), attn (qkv hidden → 3·hidden and proj hidden → hidden, both with bias,
 *   num_heads heads over every patch of the image), norm2 (LayerNorm), mlp (linear_fc1 hidden → intermediate,
 *   hidden_act, linear_fc2 back, both with bias);
 * - merger: norm LayerNorm(hidden) on each patch, m×m neighbouring patches side by side (m = spatial_merge_size),
 *   linear_fc1 m²·hidden → m²·hidden, GELU, linear_fc2 m²·hidden → out_hidden_size, both with bias;
 * - deepstack_merger_list × len(deepstack_visual_indexes): the merger's shape, except that its LayerNorm comes
 *   after the m×m shuffle (m²·hidden wide). Merger k reads the output of block deepstack_visual_indexes[k], and
 *   Qwen3VLTextModel adds its features to the image tokens' hidden states after decoder layer k.
 * Qwen3.5 (models/qwen3_5, qwen3_5_moe: Qwen3_5VisionModel) subclasses this tower and deletes its DeepStack mergers,
 * whatever `deepstack_visual_indexes` says (Qwen3_5VisionConfig drops the key): `deepStack` false builds none.
 * The processor keeps an image's own size in whole merged patches; like Qwen2.5-VL (multimodal.ts) the tower here
 * reads one square image of an assumed side, or of the input size given.
 */
import type { GraphBuilder } from '../../graph';
import type { ReadOptions } from '../types';
import type { ConfigReader } from './config-reader';
import { encoderLayers, stackSizes, type ImageTower } from './encoder-stack';
import type { Recipe } from './recipes';

/** Qwen3VLVisionConfig's `deepstack_visual_indexes` when the file names none. */
const DEEPSTACK_DEFAULT = [8, 16, 24];

/**
 * The tower on `g` (merged image tokens as `hidden`, the DeepStack features as `sideOutputs`), or undefined after
 * a located error. `defaultImage` is the side read when no input size is given; `deepStack` false: no DeepStack mergers (Qwen3.5).
 */
export function qwen3VlVisionTower(v: ConfigReader, recipe: Recipe, g: GraphBuilder, options: ReadOptions, notes: string[], defaultImage: number, deepStack = true): ImageTower | undefined {
  const s = stackSizes(v, 'depth', 'num_heads');
  const patch = v.int('patch_size');
  const temporal = v.int('temporal_patch_size');
  const merge = v.int('spatial_merge_size');
  const out = v.int('out_hidden_size');
  const channels = v.int('in_channels');
  const positions = v.int('num_position_embeddings');
  const deepstack = !deepStack ? [] : v.node('deepstack_visual_indexes') ? v.numbers('deepstack_visual_indexes') : DEEPSTACK_DEFAULT;
  if (!s || patch === undefined || temporal === undefined || merge === undefined || out === undefined || channels === undefined || positions === undefined) return undefined;
  const outside = deepstack.find((i) => !(Number.isInteger(i) && i >= 0 && i < s.N));
  if (outside !== undefined) {
    // transformers builds the merger all the same; it never runs, since no block has that index.
    v.sink.warning(`${v.what}: "deepstack_visual_indexes" names block ${outside}, but "depth" is ${s.N} (blocks 0–${s.N - 1}); its DeepStack merger is built and counted but never runs.`, v.valueRange('deepstack_visual_indexes'));
  }
  const unit = patch * merge;
  const asked = options.inputSize ? Math.max(options.inputSize[0], options.inputSize[1]) : defaultImage;
  // The processor resizes to a multiple of patch × merge; so does this.
  const image = Math.max(unit, Math.round(asked / unit) * unit);
  notes.push(`${deepStack ? 'Qwen3-VL' : 'Qwen3.5'} reads images at their own size; figures are for one ${image}×${image} image${options.inputSize ? '' : ' (an assumed size; set an input size to change it)'}.`);
  const side = image / patch;
  const tokens = side * side;
  const merged = tokens / (merge * merge);
  const wide = merge * merge * s.D;

  const pixels = g.add('input', { shape: [channels * temporal, image, image] }, [], -1, 'pixel_values (frames as channels)');
  const embedRow = g.addLayer({
    name: 'visual.patch_embed + pos_embed',
    type: 'patch embedding',
    range: v.range('patch_size', 'temporal_patch_size', 'num_position_embeddings', 'hidden_size'),
    detail: `Conv3d ${channels}→${s.D}, ${temporal}×${patch}×${patch} with bias: ${side}×${side} patches; ${positions}×${s.D} learned positions interpolated onto them`,
  });
  const conv = g.add('conv2d', { filters: s.D, kernel: [patch, patch], stride: [patch, patch], bias: true }, [pixels], embedRow, 'patch_embed.proj');
  let x = g.add('patchTokens', {}, [conv], embedRow, 'patches as tokens');
  // The table is read by interpolation, not one row per patch: its rows are held, the sum adds no MACs.
  x = g.add('heldWeights', { inFeatures: positions, outFeatures: s.D, bias: false, copies: 1 }, [x], embedRow, 'pos_embed (interpolated, added)');
  x = encoderLayers(v, recipe, g, 'visual.blocks.*', s, x, tokens);

  const mergerRow = g.addLayer({
    name: 'visual.merger',
    type: 'patch merger',
    range: v.range('out_hidden_size', 'spatial_merge_size'),
    detail: `LayerNorm(${s.D}), ${merge}×${merge} patches → ${wide}, linear_fc1 ${wide}→${wide} + GELU + linear_fc2 ${wide}→${out}, with biases`,
  });
  const grouped = g.add('reshape', { shape: [-1, wide] }, [g.add('norm', { kind: 'layer', bias: true }, [x], mergerRow, 'norm')], mergerRow, `${merge}×${merge} neighbours`);
  const projected = mergerMlp(g, grouped, mergerRow, wide, out, '');

  const sideOutputs: number[] = [];
  if (deepstack.length > 0) {
    const deepRow = g.addLayer({
      name: 'visual.deepstack_merger_list.*',
      type: 'patch merger',
      range: v.range('deepstack_visual_indexes'),
      repeat: deepstack.length,
      detail: `${deepstack.length} DeepStack mergers on blocks ${deepstack.join(', ')}: ${merge}×${merge} patches → LayerNorm(${wide}), linear_fc1 ${wide}→${wide} + GELU + linear_fc2 ${wide}→${out}, with biases; added to the image tokens after decoder layers 0–${deepstack.length - 1}`,
    });
    // Each reads an inner block's output, the same shape as the last block's, which stands in for it here.
    const shuffled = g.add('reshape', { shape: [-1, wide] }, [x], deepRow, `${merge}×${merge} neighbours`);
    const normed = g.add('norm', { kind: 'layer', bias: true }, [shuffled], deepRow, 'norm');
    sideOutputs.push(mergerMlp(g, normed, deepRow, wide, out, 'deepstack '));
    notes.push(`DeepStack: ${deepstack.length} more mergers run once per image; their features are added to the image tokens' hidden states after decoder layers 0–${deepstack.length - 1} (elementwise adds, no MACs).`);
  }
  return {
    hidden: projected,
    sideOutputs,
    patchMap: conv,
    width: out,
    tokens: merged,
    description: `image ${channels}×${image}×${image} (${tokens} patches → ${merged} tokens)`,
    classToken: false,
    layers: s.N,
  };
}

/** Qwen3VLVisionPatchMerger after its norm and shuffle: linear_fc1 (m²·hidden, bias), GELU, linear_fc2 (→ out, bias). */
function mergerMlp(g: GraphBuilder, input: number, row: number, wide: number, out: number, what: string): number {
  const hidden = g.add('activation', { fn: 'gelu' }, [g.add('dense', { units: wide, bias: true }, [input], row, `${what}linear_fc1`)], row, `${what}gelu`);
  return g.add('dense', { units: out, bias: true }, [hidden], row, `${what}linear_fc2`);
}
