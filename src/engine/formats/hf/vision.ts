/**
 * Vision transformers from a Hugging Face config.json (ViT, DeiT): the image at the config's `image_size`
 * cut into patches by a Conv2d (kernel = stride = patch_size, with bias), read as tokens, the recipe's
 * learned tokens (class, and DeiT's distillation token) put before them, a learned position table added,
 * then pre-norm encoder layers, the final layernorm and the head the `architectures` class has:
 * - the bare `…Model`: a pooler (dense hidden→pooler_output_size + tanh on the class token), since the
 *   class's `add_pooling_layer` defaults to true;
 * - `…ForImageClassification`: no pooler (built with add_pooling_layer=False), a classifier on the class token;
 * - DeiT's `…ForImageClassificationWithTeacher`: a classifier on the class token and one on the distillation token.
 * DINOv2 differs (modeling_dinov2.py): a mask token parameter, LayerScale after attention and after the MLP,
 * an MLP of hidden_size × mlp_ratio (or SwiGLU), no pooler, and a classifier on [class token, mean of patches].
 * Counting and MACs follow the reader's convention (read.ts); the tokens are fixed by the image, so no
 * transformer spec (prefill/decode, KV cache) is recorded: it describes no use of an encoder of images.
 */
import { GraphBuilder } from '../../graph';
import type { ModelIR } from '../../ir';
import { gqaAttention, mlpBuilder, type BlockContext } from './blocks';
import { numLabels, readDtype, type ConfigReader } from './config-reader';
import type { Recipe, VisionRecipe } from './recipes';
import { FIRST_TOKEN } from '../../ops/shape';

type VisionHead = 'base' | 'classifier' | 'classifier-with-teacher';

function visionHead(c: ConfigReader, architecture: string | undefined, v: VisionRecipe): VisionHead {
  if (!architecture || /Model$/.test(architecture)) return 'base';
  if (/ForImageClassificationWithTeacher$/.test(architecture) && v.teacherHead) return 'classifier-with-teacher';
  if (/ForImageClassification$/.test(architecture)) return 'classifier';
  c.sink.warning(`${architecture}: Greenprint counts this family's bare model and image classifiers only; this class is counted as the bare model, without its own head.`, c.range('architectures'));
  return 'base';
}

/** DINOv2's MLP width: int(hidden_size × mlp_ratio), the Dinov2MLP hidden_features. */
function mlpWidth(c: ConfigReader, D: number | undefined): number | undefined {
  const ratio = c.ratio('mlp_ratio', 4);
  if (D === undefined || ratio === undefined) return undefined;
  return Math.trunc(D * ratio);
}

/** Dinov2SwiGLUFFN: weights_in D→2h (bias), SiLU(x1)·x2, weights_out h→D (bias), h = (int(2·width/3) + 7) // 8 · 8. */
function swigluBuilder(g: GraphBuilder, D: number): (input: number, row: number, width: number) => number {
  return (input, row, width) => {
    const h = Math.floor((Math.trunc((width * 2) / 3) + 7) / 8) * 8;
    const both = g.add('dense', { units: 2 * h, bias: true }, [input], row, 'weights_in');
    const gate = g.add('activation', { fn: 'silu' }, [g.add('slice', { axis: -1, start: 0, size: h }, [both], row, 'x1')], row, 'silu');
    const product = g.add('elementwise', { fn: 'multiply' }, [gate, g.add('slice', { axis: -1, start: h, size: h }, [both], row, 'x2')], row, 'x1·x2');
    return g.add('dense', { units: D, bias: true }, [product], row, 'weights_out');
  };
}

/** The IR of a vision recipe, or undefined after reporting why it cannot be built. */
export function readVision(c: ConfigReader, recipe: Recipe, vision: VisionRecipe, architecture: string | undefined): Omit<ModelIR, 'convention' | 'format' | 'unverified'> | undefined {
  // Defaults are ViTConfig's / DeiTConfig's (the ViT-Base/16 shapes).
  const D = c.int('hidden_size', 768);
  const N = c.int('num_hidden_layers', 12);
  const H = c.int('num_attention_heads', 12);
  const I = vision.dinov2 ? mlpWidth(c, D) : c.int('intermediate_size', 3072);
  // Dinov2Config's image and patch defaults are not restated here: its published configs always carry them.
  const image = vision.dinov2 ? c.int('image_size') : c.int('image_size', 224);
  const patch = vision.dinov2 ? c.int('patch_size') : c.int('patch_size', 16);
  const channels = c.int('num_channels', 3);
  // Read for every class: only the bare model's pooler uses it, but it is this family's key, not an unknown one.
  const poolerWidth = vision.pooler ? c.int('pooler_output_size', D) : D;
  const maskToken = vision.dinov2 && c.bool('use_mask_token', true);
  const swiglu = vision.dinov2 && c.bool('use_swiglu_ffn', false);
  if ([D, N, H, I, image, patch, channels, poolerWidth].some((v) => v === undefined)) return undefined;
  if (D! % H! !== 0) {
    c.sink.error(`config.json: "num_attention_heads" (${H}) must divide "hidden_size" (${D}); ${D}/${H} is not a whole head size.`, c.valueRange('num_attention_heads'));
    return undefined;
  }
  if (patch! > image!) {
    c.sink.error(`config.json: "patch_size" (${patch}) is larger than "image_size" (${image}): the image holds no whole patch.`, c.valueRange('patch_size'));
    return undefined;
  }
  const head = visionHead(c, architecture, vision);
  const g = new GraphBuilder();
  const names = recipe.names;
  const layerPath = `${names.prefix}${names.layers}.*`;
  const x0: BlockContext = { c, recipe, g, hidden: D!, layerPath, layers: N! };

  // transformers floors: (image // patch)² patches, as the strided conv does.
  const side = Math.floor(image! / patch!);
  const tokens = side * side + vision.extraTokens;
  const pixels = g.add('input', { shape: [channels!, image!, image!] }, [], -1, 'pixel_values');
  const embedRow = g.addLayer({
    name: `${names.prefix}${names.embed}`,
    type: 'patch embedding',
    range: c.range('patch_size', 'image_size', 'hidden_size'),
    detail: `Conv2d ${channels}→${D}, ${patch}×${patch} stride ${patch}: ${side}×${side} patches + ${vision.extraTokens === 1 ? 'class token' : 'class and distillation tokens'}, ${tokens} learned positions`,
  });
  const conv = g.add('conv2d', { filters: D, kernel: [patch, patch], stride: [patch, patch], bias: true }, [pixels], embedRow, 'patch_embeddings.projection');
  const patches = g.add('patchTokens', {}, [conv], embedRow, 'patches as tokens');
  // DINOv2's mask token is a parameter that replaces masked patches rather than adding a token.
  const tokenNames = [vision.extraTokens === 1 ? 'cls_token' : 'cls_token + distillation_token', maskToken ? 'mask_token' : undefined].filter(Boolean).join(' + ');
  const withTokens = g.add('learnedTokens', { prepend: vision.extraTokens, stored: maskToken ? 1 : 0 }, [patches], embedRow, tokenNames);
  let x = g.add('learnedPositions', {}, [withTokens], embedRow, 'position_embeddings');

  const blockRow = g.addLayer({ name: `${layerPath} norms`, type: 'LayerNorm + residual', range: c.range('num_hidden_layers'), repeat: N, detail: `${N} layers: layernorm_before, layernorm_after and residual adds (attention and MLP on their own rows)` });
  const attention = gqaAttention(x0, recipe.attention as Extract<Recipe['attention'], { kind: 'gqa' }>, H!, H!, D! / H!);
  const attnRow = g.addLayer({ name: `${layerPath}.${names.attention}`, type: 'attention', range: c.range('num_attention_heads'), repeat: N, detail: `${attention.detail}, over ${tokens} tokens` });
  const mlpRow = g.addLayer({ name: `${layerPath}.${names.mlp}`, type: 'MLP', range: c.range('intermediate_size', 'mlp_ratio', 'use_swiglu_ffn'), repeat: N, detail: swiglu ? `SwiGLU ${D}→2×${I}→${D}` : `${D}→${I}→${D}, GELU` });
  const mlp = swiglu ? swigluBuilder(g, D!) : mlpBuilder(x0);
  const norm = (input: number, name: string, row: number): number => g.add('norm', { kind: 'layer', bias: true }, [input], row, name);
  const add = (a: number, b: number): number => g.add('elementwise', { fn: 'add' }, [a, b], blockRow, 'residual add');
  // DINOv2's LayerScale (lambda1, D each) scales the attention and MLP outputs before their residual adds.
  const scaled = (y: number, name: string): number => (vision.dinov2 ? g.add('channelScale', {}, [y], blockRow, name) : y);
  x = add(x, scaled(attention.build(norm(x, vision.dinov2 ? 'norm1' : 'layernorm_before', blockRow), attnRow), 'layer_scale1'));
  x = add(x, scaled(mlp(norm(x, vision.dinov2 ? 'norm2' : 'layernorm_after', blockRow), mlpRow, I!), 'layer_scale2'));

  const normRow = g.addLayer({ name: `${names.prefix}${names.finalNorm}`, type: 'LayerNorm', range: c.range('layer_norm_eps', 'num_hidden_layers'), detail: 'final norm' });
  x = norm(x, 'final layernorm', normRow);
  x = buildVisionHead(c, g, head, vision, x, D!, poolerWidth!, tokens);

  return {
    modelName: architecture ?? c.string('model_type') ?? 'vision transformer',
    layers: g.layers,
    nodes: g.nodes,
    outputs: [x],
    inputDescription: `image ${channels}×${image}×${image} (${tokens} tokens)`,
    dtype: readDtype(c),
    notes: [],
  };
}

function buildVisionHead(c: ConfigReader, g: GraphBuilder, head: VisionHead, vision: VisionRecipe, x: number, D: number, width: number, tokens: number): number {
  const range = c.range('architectures', 'model_type');
  if (head === 'base' && !vision.pooler) return x;
  if (head === 'base') {
    const row = g.addLayer({ name: 'pooler', type: 'pooler', range, detail: `dense ${D}→${width} + tanh on the class token` });
    const pooled = g.add('dense', { units: width, bias: true }, [g.add('slice', FIRST_TOKEN, [x], row, 'class token')], row, 'pooler.dense');
    return g.add('activation', { fn: 'tanh' }, [pooled], row, 'tanh');
  }
  const labels = numLabels(c);
  if (head === 'classifier' && vision.dinov2) {
    const row = g.addLayer({ name: 'classifier', type: 'classifier', range: c.range('id2label', 'num_labels', 'architectures'), detail: `${2 * D}→${labels} labels on [class token, mean of patch tokens]` });
    const cls = g.add('slice', FIRST_TOKEN, [x], row, 'class token');
    const patches = g.add('slice', { axis: 0, start: vision.extraTokens, size: tokens - vision.extraTokens }, [x], row, 'patch tokens');
    const mean = g.add('globalPool', { kind: 'avg', keepDims: true }, [patches], row, 'mean of patch tokens');
    return g.add('dense', { units: labels, bias: true }, [g.add('concat', { axis: -1 }, [cls, mean], row, 'linear_input')], row, 'classifier');
  }
  if (head === 'classifier') {
    const row = g.addLayer({ name: 'classifier', type: 'classifier', range: c.range('id2label', 'num_labels', 'architectures'), detail: `${D}→${labels} labels on the class token` });
    return g.add('dense', { units: labels, bias: true }, [g.add('slice', FIRST_TOKEN, [x], row, 'class token')], row, 'classifier');
  }
  const row = g.addLayer({ name: 'cls_classifier + distillation_classifier', type: 'classifier', range: c.range('id2label', 'num_labels', 'architectures'), detail: `two ${D}→${labels} heads: on the class token and on the distillation token (averaged)` });
  const cls = g.add('dense', { units: labels, bias: true }, [g.add('slice', FIRST_TOKEN, [x], row, 'class token')], row, 'cls_classifier');
  // The distillation token is the second token; a one-token slice of the sequence picks it.
  const distToken = g.add('slice', { axis: 0, start: 1, size: 1 }, [x], row, 'distillation token');
  const dist = g.add('dense', { units: labels, bias: true }, [distToken], row, 'distillation_classifier');
  return g.add('elementwise', { fn: 'add' }, [cls, dist], row, 'average of the two heads');
}
