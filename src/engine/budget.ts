/**
 * Stated ceilings on every count the engine takes from a file before it builds anything with it.
 *
 * A config is a few kilobytes that can ask for anything: one changed number (a YOLO row repeated
 * 1,000,000,000 times, a width multiple of 1e300, an OFA depth of 99,999,999) used to make the readers
 * build graphs until V8 aborted. Each reader checks what it reads against one of these ceilings and reports
 * a located error instead. The ceilings are far above every real model (the reason for each is stated), so
 * no real config is rejected, and low enough that a graph built under them stays small and every product of
 * counts stays an exact JavaScript integer (below 2^53).
 */

/** One ceiling: the largest value accepted and why it is enough. */
export interface Ceiling {
  readonly max: number;
  /** Shown in the error, after "Greenprint accepts at most N": what real models need. */
  readonly why: string;
}

function ceiling(max: number, why: string): Ceiling {
  return { max, why };
}

export const CEILINGS = {
  /**
   * Nesting of JSON arrays/objects and YAML collections. Keras model.json files nest functional models
   * inside layers and reach about 15 levels; HF configs and YOLO YAML 3–5. The parsers and tree walkers
   * recurse once (or a few frames) per level, so this bounds their stack use far below V8's limit.
   */
  nesting: ceiling(256, 'real configs nest fewer than 20 levels'),
  /**
   * Values (numbers, strings, lists, objects) in one JSON file. The largest real configs (a 500-layer Keras
   * model.json, a TF.js weights manifest) hold about 100,000; each value costs about 100 bytes of parse tree,
   * and 8 million one-character values in a 16 MiB file took 850 MB and 7 s.
   */
  jsonValues: ceiling(2_000_000, 'the largest real configs hold about 100,000 values'),
  /** Raw `repeats` of a YOLO row; the published YAMLs write at most 9 (YOLOv5/8 x rows use 3, 6, 9). */
  yoloRepeats: ceiling(100, 'published Ultralytics YAMLs repeat a row at most 9 times'),
  /** Repeats after depth scaling (round(n·depth)); real values are single digits. */
  yoloScaledRepeats: ceiling(100, 'scaled repeats of real YOLO models are single digits'),
  /** depth_multiple / width_multiple and `scales` entries: real ones are ≤ 1.5 (YOLOv5x width 1.25, YOLO11x 1.5). */
  yoloMultiple: ceiling(16, 'real depth and width multiples are at most 1.5'),
  /**
   * Channels, units, features, classes, vocabulary, hidden and MLP widths: the widest real ones are vocabularies
   * of 262,144 (Gemma 3) and MLPs of 53,248 (Llama 3.1 405B). 2^24 keeps any product of two widths exact.
   */
  width: ceiling(16_777_216, 'the widest real layers (vocabularies of 262,144, MLPs of 53,248) are far below 2^24'),
  /** Kernel sizes, strides, dilations, pool sizes and upsampling factors: the largest real kernels are 31×31 (RepLKNet). */
  kernel: ceiling(4096, 'the largest real kernels are 31×31'),
  /** Image height/width (OFA resolutions, input shapes): real inputs are up to a few thousand pixels. */
  imageSide: ceiling(65_536, 'real image inputs are at most a few thousand pixels a side'),
  /** Transformer blocks: Llama 3.1 405B has 126, the deepest published LLMs a few hundred. */
  transformerLayers: ceiling(4096, 'the deepest published LLMs have about 126 layers'),
  /** Attention heads (query or key/value): real models use up to 128. */
  heads: ceiling(65_536, 'real models use at most 128 attention heads'),
  /** Routed experts per MoE layer: the most in a published config is 384 (Kimi K2). */
  experts: ceiling(65_536, 'the most experts in a published MoE config is 384'),
  /** Context and position counts: Llama 4 Scout reads 10,485,760 tokens. */
  positions: ceiling(1 << 30, 'the longest published context is about 10 million tokens'),
  /** OFA stage depths: OFA's depth_list is [2, 3, 4]. */
  ofaDepth: ceiling(64, 'OFA stage depths are at most 4'),
  /** OFA expand ratios: OFA uses 3, 4 and 6. */
  ofaExpand: ceiling(64, 'OFA expand ratios are 3, 4 and 6'),
  /** OFA width multiplier: published supernets use 1.0 and 1.2 (1.3 for ProxylessNAS). */
  ofaWidthMult: ceiling(64, 'published OFA width multipliers are at most 1.3'),
  /** Entries in a list that sizes something (OFA's ks/e/d lists, resolutions, a YOLO row's `from`). */
  listLength: ceiling(4096, 'real configs list a handful of entries there'),
} as const satisfies Record<string, Ceiling>;

export type CeilingName = keyof typeof CEILINGS;

/**
 * Graph nodes one file may build; the largest real configs (500-layer Keras models, YOLO x scales) build
 * about 10,000. The cap bounds what products of in-range counts (a nested model called 100 times inside one
 * called 100 times…) can build: half a million nodes stay well under 1 GB.
 */
export const MAX_GRAPH_NODES = 500_000;

/**
 * Layers (rows a user wrote) one file may define: the largest real Keras models (EfficientNet-B7, ConvNeXt-XL)
 * have about 1,000, a YOLO YAML about 30. 270,000 one-line Dense layers fit in the 16 MiB file limit and took
 * 18 s and 1 GB to report; 50,000 stay within seconds and a few hundred MB.
 */
export const MAX_GRAPH_LAYERS = 50_000;

/**
 * Checks a number read from a file against a ceiling. Returns undefined when it is acceptable, else the
 * sentence to report at the value (the caller owns the range and the "what").
 */
export function exceedsCeiling(value: number, name: CeilingName, what: string): string | undefined {
  const c = CEILINGS[name];
  if (!Number.isFinite(value)) return `${what} must be a finite number, found ${String(value)}.`;
  if (value > c.max) return `${what} is ${formatCount(value)}; Greenprint accepts at most ${formatCount(c.max)} (${c.why}).`;
  return undefined;
}

/** True when a computed count is one the engine can report exactly. */
export function isExactCount(n: number): boolean {
  return Number.isFinite(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;
}

function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e15) return n.toExponential(3);
  return n.toLocaleString('en-US');
}
