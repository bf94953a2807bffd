/**
 * The pre-norm encoder stack the image towers of multimodal.ts (CLIP, SigLIP, Qwen2.5-VL), pixtral.ts
 * (PixtralVisionModel) and qwen3-vl-vision.ts (Qwen3VLVisionModel) share: x + attn(norm1(x)), then
 * x + mlp(norm2(x)), N times, with the recipe's norm kind, attention biases and MLP (transformers'
 * CLIPEncoderLayer, SiglipEncoderLayer, Qwen2_5_VLVisionBlock, PixtralAttentionLayer, Qwen3VLVisionBlock all
 * have this shape). Kept in its own module so a tower module can build it without
 * importing multimodal.ts, which imports the towers.
 */
import type { GraphBuilder } from '../../graph';
import { rangeOf } from '../../source/json';
import { bias, gqaAttention, mlpBuilder, type BlockContext } from './blocks';
import type { ConfigReader } from './config-reader';
import type { Recipe } from './recipes';

/** A repeated stack of encoder layers on one kind of block: a norms row, an attention row (or two), an MLP row. */
export interface LayerStack {
  readonly D: number;
  readonly N: number;
  readonly H: number;
  readonly I: number;
}

/** Sizes of a CLIP/SigLIP-style encoder, checked; undefined after reporting why not. */
export function stackSizes(v: ConfigReader, layersKey = 'num_hidden_layers', headsKey = 'num_attention_heads'): LayerStack | undefined {
  const D = v.int('hidden_size');
  const N = v.int(layersKey);
  const H = v.int(headsKey);
  const I = v.int('intermediate_size');
  if (D === undefined || N === undefined || H === undefined || I === undefined) return undefined;
  if (D % H !== 0) {
    v.sink.error(`${v.what}: "${headsKey}" (${H}) must divide "hidden_size" (${D}); ${D}/${H} is not a whole head size.`, v.valueRange(headsKey));
    return undefined;
  }
  return { D, N, H, I };
}

/**
 * Pre-norm encoder layers (x + attn(norm1(x)), x + mlp(norm2(x))) on `x`, with the recipe's attention and
 * MLP blocks. `full` splits the attention row: windowed layers (`window` keys per query) and full ones.
 */
export function encoderLayers(v: ConfigReader, recipe: Recipe, g: GraphBuilder, path: string, s: LayerStack, x: number, tokens: number, windowed?: { window: number; full: number }): number {
  const x0: BlockContext = { c: v, recipe, g, hidden: s.D, layerPath: path, layers: s.N };
  const normKind = recipe.norm;
  const blockRow = g.addLayer({ name: `${path} norms`, type: normKind === 'rms' ? 'RMSNorm + residual' : 'LayerNorm + residual', range: v.range('num_hidden_layers', 'depth'), repeat: s.N, detail: `${s.N} layers: two ${normKind === 'rms' ? 'RMSNorm' : 'LayerNorm'}s and residual adds (attention and MLP on their own rows)` });
  const attention = gqaAttention(x0, recipe.attention as Extract<Recipe['attention'], { kind: 'gqa' }>, s.H, s.H, s.D / s.H);
  const attnRange = v.range('num_attention_heads', 'num_heads');
  const attnName = `${path}.${recipe.names.attention}`;
  let attend: (input: number) => number;
  if (windowed && windowed.full < s.N) {
    const windowRow = g.addLayer({ name: `${attnName} (windowed blocks)`, type: 'attention', range: v.range('window_size', 'fullatt_block_indexes'), repeat: s.N - windowed.full, detail: `${attention.detail}, windows of ${windowed.window} patches` });
    const fullRow = windowed.full > 0 ? g.addLayer({ name: `${attnName} (full blocks)`, type: 'attention', range: v.range('fullatt_block_indexes', 'num_heads'), repeat: windowed.full, detail: `${attention.detail}, over all ${tokens} patches` }) : -1;
    attend = (input) => {
      const out = attention.build(input, windowRow, windowed.window);
      if (fullRow >= 0) attention.build(input, fullRow); // parallel, so each row counts its own blocks
      return out;
    };
  } else {
    const row = g.addLayer({ name: attnName, type: 'attention', range: attnRange, repeat: s.N, detail: `${attention.detail}, over ${tokens} tokens` });
    attend = (input) => attention.build(input, row);
  }
  const mlpRow = g.addLayer({ name: `${path}.${recipe.names.mlp}`, type: 'MLP', range: v.range('intermediate_size'), repeat: s.N, detail: `${recipe.mlp.kind === 'gated' ? 'gated ' : ''}${s.D}→${s.I}→${s.D}, ${bias(v, recipe.mlp.bias) ? 'with biases' : 'no biases'}` });
  const mlp = mlpBuilder(x0);
  const norm = (input: number, name: string): number => g.add('norm', { kind: normKind, bias: normKind === 'layer' }, [input], blockRow, name);
  const add = (a: number, b: number): number => g.add('elementwise', { fn: 'add' }, [a, b], blockRow, 'residual add');
  x = add(x, attend(norm(x, 'norm1')));
  return add(x, mlp(norm(x, 'norm2'), mlpRow, s.I));
}

/** What an image tower hands on: its last hidden state, a pooled vector where it has one, its patch map. */
export interface ImageTower {
  readonly hidden: number;
  readonly pooled?: number;
  readonly patchMap: number;
  readonly width: number;
  readonly tokens: number;
  readonly description: string;
  readonly classToken: boolean;
  /** Encoder layers, for the hidden-state indices a projector may pick features from (CLIP, SigLIP and Pixtral towers). */
  readonly layers?: number;
  /** Features handed to the language model beside the image tokens (Qwen3-VL's DeepStack mergers), `width` wide. */
  readonly sideOutputs?: readonly number[];
}

/**
 * How many of the tower's hidden states `vision_feature_layer` picks for the projector (LlavaConfig's default
 * -2, Mistral3Config's -1): one index or a list, each within the embeddings and the tower's layers, counted
 * from either end. Undefined after an error located at the key.
 */
export function featureLayers(c: ConfigReader, image: Pick<ImageTower, 'layers'>, fallback: number): number | undefined {
  const layerNode = c.node('vision_feature_layer');
  const layers = layerNode?.type === 'array' ? (layerNode.children?.length ?? 0) : 1;
  if (layerNode && layerNode.type !== 'array' && layerNode.type !== 'number') {
    c.sink.error(`${c.what}: "vision_feature_layer" must be a layer index such as ${fallback} or a list of them, found ${layerNode.type}.`, rangeOf(layerNode));
    return undefined;
  }
  if (layers === 0) {
    c.sink.error(`${c.what}: "vision_feature_layer" lists no layers.`, rangeOf(layerNode!));
    return undefined;
  }
  // Indices into the tower's hidden states: the embeddings and each of its layers, from either end.
  const states = (image.layers ?? Number.MAX_SAFE_INTEGER - 1) + 1;
  const picked = layerNode?.type === 'array' ? (layerNode.children ?? []).map((n) => n.value) : [layerNode?.value ?? fallback];
  const wrong = picked.find((i) => !(Number.isInteger(i) && (i as number) >= -states && (i as number) < states));
  if (wrong !== undefined || layers > states) {
    const what = wrong !== undefined ? `names hidden state ${JSON.stringify(wrong)}` : `lists ${layers} hidden states`;
    c.sink.error(`${c.what}: "vision_feature_layer" ${what}, but the vision tower has ${states} (its embeddings and ${image.layers} layers, indexed ${-states}…${states - 1}).`, rangeOf(layerNode!));
    return undefined;
  }
  return layers;
}
