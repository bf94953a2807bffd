/**
 * Llama 4's image tower and projector (transformers models/llama4/modeling_llama4.py: Llama4VisionModel,
 * Llama4MultiModalProjector), read from a Llama4ForConditionalGeneration config's `vision_config`:
 * - Llama4UnfoldConvolution: patches unfolded and projected by one Linear without bias (C·p·p → D; counted
 *   as a Conv2d with kernel = stride = patch_size, the same weights and MACs);
 * - a class embedding (D) and positional_embedding_vlm ((image/patch)² + 1 rows), both nn.Parameters;
 *   rotary tables for the vision attention are plain tensors, not parameters;
 * - layernorm_pre, `num_hidden_layers` pre-norm layers (LayerNorms with bias, q/k/v/o with bias, fc1/fc2
 *   with bias and GELU), layernorm_post;
 * - the vision adapter: the class token dropped, pixel shuffle (pixel_shuffle_ratio, default 0.5: 2×2
 *   neighbouring patches side by side, D/ratio² wide), then Llama4VisionMLP2: fc1 intermediate_size →
 *   projector_input_dim and fc2 projector_output_dim → projector_output_dim, both without bias, each
 *   followed by GELU;
 * - multi_modal_projector.linear_1: vision_output_dim → the text hidden size, no bias.
 * The module names the shapes by different keys (fc1 reads intermediate_size, fc2 projector_output_dim);
 * a config whose keys disagree cannot run, and is reported at the key rather than counted.
 */
import type { GraphBuilder } from '../../graph';
import { gqaAttention, mlpBuilder, type BlockContext } from './blocks';
import type { ConfigReader } from './config-reader';
import type { Recipe } from './recipes';

/** What the tower hands the wrapper (multimodal.ts's image tower shape). */
export interface Llama4ImageTower {
  readonly hidden: number;
  readonly patchMap: number;
  readonly width: number;
  readonly tokens: number;
  readonly description: string;
  readonly classToken: boolean;
  /** Encoder layers (for wrappers that pick hidden states by index). */
  readonly layers: number;
}

/** The tower on `g`, or undefined after a located error. `recipe` holds the layers' blocks (LayerNorm, biased attention, GELU MLP). */
export function llama4VisionTower(v: ConfigReader, recipe: Recipe, g: GraphBuilder): Llama4ImageTower | undefined {
  const D = v.int('hidden_size');
  const N = v.int('num_hidden_layers');
  const H = v.int('num_attention_heads');
  const I = v.int('intermediate_size');
  const image = v.int('image_size');
  const patch = v.int('patch_size');
  const channels = v.int('num_channels');
  const ratio = v.ratio('pixel_shuffle_ratio', 0.5);
  const projectorIn = v.int('projector_input_dim');
  const projectorOut = v.int('projector_output_dim');
  if ([D, N, H, I, image, patch, channels, ratio, projectorIn, projectorOut].some((x) => x === undefined)) return undefined;
  if (D! % H! !== 0) {
    v.sink.error(`${v.what}: "num_attention_heads" (${H}) must divide "hidden_size" (${D}); ${D}/${H} is not a whole head size.`, v.valueRange('num_attention_heads'));
    return undefined;
  }
  if (patch! > image!) {
    v.sink.error(`${v.what}: "patch_size" (${patch}) is larger than "image_size" (${image}): the image holds no whole patch.`, v.valueRange('patch_size'));
    return undefined;
  }
  const side = Math.floor(image! / patch!);
  const patches = side * side;
  // pixel_shuffle folds (1/ratio)² neighbouring patches into one token: the grid side and the width must divide.
  const fold = 1 / (ratio! * ratio!);
  const shuffledWidth = D! * fold;
  if (!Number.isInteger(fold) || !Number.isInteger(side * ratio!) || shuffledWidth !== I) {
    v.sink.error(
      `${v.what}: "pixel_shuffle_ratio" ${ratio} folds the ${side}×${side} patches of width ${D} into tokens ${shuffledWidth} wide, but vision_adapter.mlp.fc1 takes "intermediate_size" (${I}) features; Llama4VisionPixelShuffleMLP cannot run.`,
      v.valueRange('pixel_shuffle_ratio'),
    );
    return undefined;
  }
  if (projectorIn !== projectorOut) {
    v.sink.error(`${v.what}: vision_adapter.mlp.fc2 takes "projector_output_dim" (${projectorOut}) features, but fc1 hands it "projector_input_dim" (${projectorIn}).`, v.valueRange('projector_output_dim'));
    return undefined;
  }
  const tokens = patches + 1;
  const pixels = g.add('input', { shape: [channels!, image!, image!] }, [], -1, 'pixel_values');
  const embedRow = g.addLayer({
    name: 'vision_model.patch_embedding',
    type: 'patch embedding',
    range: v.range('patch_size', 'image_size', 'hidden_size'),
    detail: `unfold ${patch}×${patch} + Linear ${channels! * patch! * patch!}→${D} without bias: ${side}×${side} patches + class embedding, ${tokens} learned positions, layernorm_pre`,
  });
  const conv = g.add('conv2d', { filters: D, kernel: [patch, patch], stride: [patch, patch], bias: false }, [pixels], embedRow, 'patch_embedding.linear');
  let x = g.add('patchTokens', {}, [conv], embedRow, 'patches as tokens');
  // Llama 4 appends its class token after the patches; where it sits changes no count.
  x = g.add('learnedTokens', { prepend: 1 }, [x], embedRow, 'class_embedding');
  x = g.add('learnedPositions', {}, [x], embedRow, 'positional_embedding_vlm');
  x = g.add('norm', { kind: 'layer', bias: true }, [x], embedRow, 'layernorm_pre');
  x = encoderLayers(v, recipe, g, { D: D!, N: N!, H: H!, I: I! }, x, tokens);

  const adapterRow = g.addLayer({
    name: 'vision_model.layernorm_post + vision_adapter',
    type: 'projector',
    range: v.range('pixel_shuffle_ratio', 'projector_input_dim', 'projector_output_dim'),
    detail: `layernorm_post, class token dropped, pixel shuffle ${side}×${side} → ${side * ratio!}×${side * ratio!} tokens ${shuffledWidth} wide, fc1 →${projectorIn} + GELU, fc2 →${projectorOut} + GELU (no biases)`,
  });
  x = g.add('norm', { kind: 'layer', bias: true }, [x], adapterRow, 'layernorm_post');
  x = g.add('slice', { axis: 0, start: 0, size: patches }, [x], adapterRow, 'patch tokens (class token dropped)');
  x = g.add('reshape', { shape: [-1, shuffledWidth] }, [x], adapterRow, 'pixel_shuffle');
  x = g.add('activation', { fn: 'gelu' }, [g.add('dense', { units: projectorIn, bias: false }, [x], adapterRow, 'vision_adapter.mlp.fc1')], adapterRow, 'gelu');
  x = g.add('activation', { fn: 'gelu' }, [g.add('dense', { units: projectorOut, bias: false }, [x], adapterRow, 'vision_adapter.mlp.fc2')], adapterRow, 'gelu');
  const imageTokens = patches / fold;
  return { hidden: x, patchMap: conv, width: projectorOut!, tokens: imageTokens, description: `image ${channels}×${image}×${image} (${tokens} tokens → ${imageTokens} image tokens)`, classToken: true, layers: N! };
}

/** Llama4VisionEncoderLayer × N: x + attn(input_layernorm(x)), x + mlp(post_attention_layernorm(x)). */
function encoderLayers(v: ConfigReader, recipe: Recipe, g: GraphBuilder, s: { D: number; N: number; H: number; I: number }, x: number, tokens: number): number {
  const path = 'vision_model.model.layers.*';
  const x0: BlockContext = { c: v, recipe, g, hidden: s.D, layerPath: path, layers: s.N };
  const blockRow = g.addLayer({ name: `${path} norms`, type: 'LayerNorm + residual', range: v.range('num_hidden_layers'), repeat: s.N, detail: `${s.N} layers: two LayerNorms and residual adds (attention and MLP on their own rows)` });
  const attention = gqaAttention(x0, recipe.attention as Extract<Recipe['attention'], { kind: 'gqa' }>, s.H, s.H, s.D / s.H);
  const attnRow = g.addLayer({ name: `${path}.self_attn`, type: 'attention', range: v.range('num_attention_heads'), repeat: s.N, detail: `${attention.detail}, over ${tokens} tokens` });
  const mlpRow = g.addLayer({ name: `${path}.mlp`, type: 'MLP', range: v.range('intermediate_size'), repeat: s.N, detail: `${s.D}→${s.I}→${s.D} GELU, with biases` });
  const mlp = mlpBuilder(x0);
  const norm = (input: number, name: string): number => g.add('norm', { kind: 'layer', bias: true }, [input], blockRow, name);
  const add = (a: number, b: number): number => g.add('elementwise', { fn: 'add' }, [a, b], blockRow, 'residual add');
  x = add(x, attention.build(norm(x, 'input_layernorm'), attnRow));
  return add(x, mlp(norm(x, 'post_attention_layernorm'), mlpRow, s.I));
}

/** Llama4MultiModalProjector: linear_1 vision_output_dim → text hidden, no bias. */
export function llama4Projector(v: ConfigReader, g: GraphBuilder, image: Pick<Llama4ImageTower, 'hidden' | 'width' | 'tokens'>, textHidden: number, notes: string[]): number | undefined {
  const visionOut = v.int('vision_output_dim');
  if (visionOut === undefined) return undefined;
  if (visionOut !== image.width) {
    v.sink.error(`${v.what}: multi_modal_projector.linear_1 takes "vision_output_dim" (${visionOut}) features, but the vision adapter hands it ${image.width} ("projector_output_dim").`, v.valueRange('vision_output_dim'));
    return undefined;
  }
  const row = g.addLayer({ name: 'multi_modal_projector', type: 'projector', range: v.range('vision_output_dim'), detail: `linear_1 ${visionOut}→${textHidden}, no bias` });
  notes.push(`Each image tile adds ${image.tokens} tokens to the prompt.`);
  return g.add('dense', { units: textHidden, bias: false }, [image.hidden], row, 'linear_1');
}
