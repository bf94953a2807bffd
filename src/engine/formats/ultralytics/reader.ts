/**
 * Ultralytics YOLO model YAML reader: `backbone` + `head` rows of [from, repeats, module, args], in the
 * ultralytics/ultralytics form (YOLOv3u/v5u/v6/v8/v10/YOLO11/YOLO12 and RT-DETR, `scales:` or depth/width
 * multiples) and the original ultralytics/yolov5 form (an `anchors:` key, anchor-based Detect/Segment).
 *
 * Each row becomes one IR layer, expanded into the primitive ops its module builds (modules.ts holds the
 * module table, expander/attention/heads.ts the blocks). Channel widths and repeats follow parse_model:
 * depth gain `max(round(n·depth), 1)` with Python's round-half-even, widths
 * `make_divisible(min(c2, max_channels)·width, 8)` (yolov5: no max_channels, and the head's na·(nc + 5)
 * width kept), C3k2 switched to C3k blocks for m/l/x scales, A2C2f given a gamma-scaled residual and
 * mlp_ratio 1.5 for l/x, the Detect head in its legacy (v5u/v8) or v11+ form depending on the modules
 * seen before it.
 *
 * Counting convention (matches the "parameters" and "GFLOPs" both repositories print for a model built
 * from the yaml, before Conv+BN fusion): params are all nn.Parameter elements, BatchNorm weight and bias
 * included, running statistics not, the frozen DFL conv included. GFLOPs are 2 × thop MACs: Conv2d
 * kernel MACs without bias, affine BatchNorm2d 4 ops per element (thop's count_normalization), nearest
 * upsampling 1 op per output element, Linear in × out, SiLU and MaxPool free. thop only sees nn.Module
 * calls, so the attention matmuls inside A2C2f, C2PSA and PSA (functional `@`/softmax) are not counted,
 * nor the work of RT-DETR's nn.MultiheadAttention and deformable sampling (see rtdetr-decoder.ts).
 */
import { DiagnosticSink, ModelError } from '../../diagnostics';
import { GraphBuilder } from '../../graph';
import { exceedsCeiling } from '../../budget';
import { markProgress } from '../../progress';
import type { ModelIR } from '../../ir';
import { describeYaml, isYamlMap, isYamlSeq, pairRange, plainValue, scalarValue, yamlGet, yamlItems, yamlPair, yamlRange } from '../../source/yaml';
import type { FormatReader, ParsedSource, ReadOptions } from '../types';
import { ModuleExpander } from './expander';
import { cbFuse, cbLinear, type FuseSource } from './gelan';
import {
  ATTENTION, CB_LINKS, expandAnchorBasedHead, expandAnchorFreeHead, expandOwnArgs, expandRtdetrHead, expandScaled, HEADS, OWN_ARGS, REPEAT_INSIDE,
  STRUCTURAL, TRANSFORMER, UNSUPPORTED_ULTRALYTICS, WIDTH_SCALED, YOLOV5_EXPANDED, YOLOV5_HEADS, YOLOV5_UNSUPPORTED, type Dialect, type HeadContext,
} from './modules';
import { ArgumentError, argText, intArg, makeDivisible, numArg, pythonRound } from './python';
import { parseRow, type ParsedRow } from './rows';
import { chooseScale, modelName, type ScaleChoice } from './scales';

const DEFAULT_IMAGE_SIZE = 640;
/** get_flops profiles an image of max(stride, 32) pixels; every model here has stride ≤ 32 at its probe. */
const THOP_PROBE = 32;
/**
 * parse_model gives A2C2f at scales l/x a gamma-scaled residual and this mlp_ratio. The published YOLO12
 * l/x parameter counts (yolo12.yaml comments) come from the 1.5 release; some later copies of tasks.py
 * pass 1.2, which would give 633,248 fewer parameters for YOLO12l.
 */
const A2C2F_LX_MLP_RATIO = 1.5;

export const ultralyticsReader: FormatReader = {
  id: 'ultralytics',
  label: 'Ultralytics YOLO YAML',
  detect(source: ParsedSource): boolean {
    const root = source.yaml?.doc.contents;
    if (!isYamlMap(root)) return false;
    const backbone = yamlGet(root, 'backbone');
    const head = yamlGet(root, 'head');
    // A truncated file may have lost its head; the reader then reports the missing list.
    if (!isYamlSeq(backbone)) return false;
    // At least one row shaped [from, repeats, module, args] with a module name in third place.
    return [...yamlItems(backbone), ...yamlItems(head)].some(
      (row) => isYamlSeq(row) && typeof scalarValue(yamlItems(row)[2]) === 'string',
    );
  },
  read(source: ParsedSource, options: ReadOptions, sink: DiagnosticSink): ModelIR | undefined {
    return new YoloYamlReader(source, options, sink).read();
  },
};


/** What one row produced: its output node, channel count and the layer's one-line detail. */
interface RowResult {
  readonly out: number;
  readonly c2: number;
  readonly detail?: string;
}

class YoloYamlReader {
  private readonly root: unknown;
  private readonly g = new GraphBuilder();
  private readonly outputs: number[] = [];
  private readonly channels: number[] = [];
  /** CBLinear rows: the channel split each one hands to CBFuse. */
  private readonly splits = new Map<number, number[]>();
  private input = -1;
  private inputChannels = 3;
  private legacy = true; // tasks.py: v3/v5/v8 heads stay legacy until a v11+ module is seen
  private attentionSeen = false;
  private transformerSeen = false;
  private classifySeen = false;
  private dialect: Dialect = 'ultralytics';
  private scale!: ScaleChoice;
  private nc: number | undefined;
  private kptShape: unknown;
  private anchors: unknown;

  constructor(
    private readonly source: ParsedSource,
    private readonly options: ReadOptions,
    private readonly sink: DiagnosticSink,
  ) {
    this.root = source.yaml?.doc.contents;
  }

  read(): ModelIR | undefined {
    const root = this.root;
    if (!isYamlMap(root)) throw new ModelError('An Ultralytics model YAML must be a mapping with `backbone` and `head` lists.', { start: 0, end: 0 });
    const anchorsPair = yamlPair(root, 'anchors');
    // The original ultralytics/yolov5 repository: an `anchors:` key feeding anchor-based Detect/Segment.
    if (anchorsPair) {
      this.dialect = 'yolov5';
      this.anchors = plainValue(anchorsPair.value);
    }
    this.scale = chooseScale(root, this.source.fileName, this.options.scale, this.sink);
    this.nc = this.readNc();
    this.inputChannels = this.readInputChannels();
    this.kptShape = plainValue(yamlGet(root, 'kpt_shape'));
    const rows = this.collectRows();
    if (rows.length === 0) throw new ModelError('No [from, repeats, module, args] rows in `backbone` or `head`.', { start: 0, end: 0 });

    const [height, width] = this.options.inputSize ?? [DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_SIZE];
    this.input = this.g.add('input', { shape: [this.inputChannels, height, width] }, [], -1, 'images');
    // Ultralytics profiles a 32×32 probe and scales it by (H/32)·(W/32) (get_flops); only Classify's Linear feels it.
    const expander = new ModuleExpander(this.g, this.readActivation(), (height / THOP_PROBE) * (width / THOP_PROBE));
    rows.forEach((rowNode, i) => this.readRow(expander, rowNode, i));

    const notes = [
      `Counted like Ultralytics' model summary: parameters before Conv+BN fusion (BatchNorm weight and bias included), GFLOPs = 2 × thop MACs at ${height}×${width}, BatchNorm counted as thop does (4 ops per element).`,
    ];
    if (this.dialect === 'yolov5') notes.push('Read as an original ultralytics/yolov5 model (the file has an `anchors:` key): models/yolo.py parse_model, anchor-based Detect/Segment heads.');
    if (this.classifySeen) notes.push(`GFLOPs include Ultralytics' Classify quirk: it profiles a 32×32 image and multiplies by (H/32)·(W/32), so the Linear after the global pool is counted ${(height / THOP_PROBE) * (width / THOP_PROBE)} times, as in the printed figure (the real Linear cost is once).`);
    if (this.attentionSeen) notes.push('Attention matmuls inside A2C2f/C2PSA/PSA (softmax(qᵀk)·v) are functional ops thop does not count; they are left out of MACs, as in the published GFLOPs.');
    if (this.transformerSeen) {
      notes.push('RT-DETR counted as Ultralytics prints it (thop, eval mode, at the full image size — its 32×32 probe is too small for the 300-query top-k): nn.MultiheadAttention owns 4·d² + 4·d parameters but thop sees none of its projections or matmuls (AIFI, decoder self-attention); the deformable sampling (grid_sample), softmax, sigmoid and top-k are tensor functions and cost nothing; the decoder runs every layer\'s bbox head but only the last layer\'s score head, the other score heads and the training-only denoising class embedding count as parameters only; LayerNorm counts 4 ops per element as thop does.');
    }
    const scale = this.scale;
    return {
      format: 'ultralytics',
      modelName: modelName(this.source.fileName, scale),
      variant: scale.name,
      variants: scale.names.length ? scale.names : undefined,
      layers: this.g.layers,
      nodes: this.g.nodes,
      outputs: [this.outputs[this.outputs.length - 1]],
      convention: { id: 'thop', includeAuxMacs: true, label: 'Ultralytics (thop): params before BN fusion, FLOPs = 2 × MACs incl. BatchNorm' },
      inputDescription: `${this.inputChannels}×${height}×${width}`,
      dtype: 'float32',
      notes,
    };
  }

  private collectRows(): unknown[] {
    const rows: unknown[] = [];
    for (const key of ['backbone', 'head']) {
      const pair = yamlPair(this.root, key);
      const list = pair?.value;
      if (!pair) {
        this.sink.error(`Missing \`${key}:\` list of [from, repeats, module, args] rows.`, { start: 0, end: 0 });
        continue;
      }
      if (!isYamlSeq(list)) {
        if (list !== null && list !== undefined) this.sink.error(`\`${key}\` must be a list of [from, repeats, module, args] rows, found ${describeYaml(list)}.`, pairRange(pair));
        continue;
      }
      rows.push(...yamlItems(list));
    }
    return rows;
  }

  private outputOf(j: number): number {
    return j < 0 ? this.input : this.outputs[j];
  }

  private channelsOf(j: number): number {
    return j < 0 ? this.inputChannels : this.channels[j];
  }

  private readRow(ex: ModuleExpander, rowNode: unknown, i: number): void {
    markProgress(yamlRange(rowNode).start);
    const parsed = parseRow(rowNode, i, this.sink);
    const path = `model.${i}`;
    const previous = this.outputOf(i - 1);
    if (!parsed) {
      ex.layer = this.g.addLayer({ name: path, type: 'invalid row', range: yamlRange(rowNode), detail: 'not counted' });
      this.outputs.push(ex.passThrough(previous, path, 'invalid row'));
      this.channels.push(this.channelsOf(i - 1));
      return;
    }
    const layerIndex = this.g.addLayer({ name: path, type: parsed.module, range: parsed.range });
    ex.layer = layerIndex;
    const x = this.outputOf(parsed.from[0]);
    const c1 = this.channelsOf(parsed.from[0]);
    let result: RowResult;
    try {
      result = this.expandRow(ex, parsed, i, x, c1, path);
    } catch (e) {
      if (!(e instanceof ArgumentError)) throw e;
      this.sink.error(`model.${i} ${parsed.module}: ${e.message}`, parsed.argsRange);
      result = { out: ex.passThrough(x, `${path}.invalid`, 'invalid arguments'), c2: c1, detail: 'not counted' };
    }
    if (result.detail) this.g.layers[layerIndex] = { ...this.g.layers[layerIndex], detail: result.detail };
    this.outputs.push(result.out);
    this.channels.push(result.c2);
  }

  /** Scaled repeats: max(round(n · depth), 1) when n > 1, bounded by the ceiling. */
  private scaledRepeats(parsed: ParsedRow, i: number): number {
    const raw = parsed.repeats;
    const n = raw > 1 ? Math.max(pythonRound(raw * this.scale.depth), 1) : raw;
    const tooMany = exceedsCeiling(n, 'yoloScaledRepeats', `Row ${i}: repeats ${raw} × depth ${this.scale.depth}`);
    if (!tooMany) return n;
    this.sink.error(`${tooMany} The row is counted once.`, parsed.repeatsRange);
    return 1;
  }

  private expandRow(ex: ModuleExpander, parsed: ParsedRow, i: number, x: number, c1: number, path: string): RowResult {
    const { module } = parsed;
    const n = this.scaledRepeats(parsed, i);
    const evaluated = parsed.args.map((a) => this.evaluateArg(a));
    const yolov5 = this.dialect === 'yolov5';
    const scaledHere = yolov5 ? YOLOV5_EXPANDED.has(module) : WIDTH_SCALED.has(module);
    if (scaledHere) return this.expandWidthScaled(ex, parsed, n, evaluated, x, c1, path);
    if (STRUCTURAL.has(module)) return this.expandStructural(ex, parsed, n, evaluated, x, c1, path);
    if (yolov5 ? YOLOV5_HEADS.has(module) : HEADS.has(module)) return this.expandHead(ex, parsed, evaluated, path);
    if (!yolov5 && CB_LINKS.has(module)) return this.expandCbLink(ex, parsed, i, evaluated, x, path);
    if (!yolov5 && OWN_ARGS.has(module)) {
      if (parsed.fromIsList) throw new ArgumentError(`${module} takes one input; \`from\` must be a single index, not a list.`);
      const { out, c2 } = expandOwnArgs(ex, module, x, c1, n, evaluated, path);
      if (TRANSFORMER.has(module)) this.transformerSeen = true;
      return { out, c2, detail: `${module}${module === 'HGBlock' ? ` ${n} convs` : n > 1 ? ` ×${n}` : ''} c2=${c2}` };
    }
    const unsupported = yolov5 ? YOLOV5_UNSUPPORTED.has(module) : UNSUPPORTED_ULTRALYTICS.has(module);
    const message = this.unexpandedMessage(module, unsupported);
    this.sink.error(message, parsed.moduleRange);
    return { out: ex.passThrough(x, path, `${unsupported ? 'unsupported' : 'unknown'} ${module}`), c2: c1, detail: 'not counted' };
  }

  /** Why a row is not counted: a real module not expanded yet, one from the other repository, or an unknown name. */
  private unexpandedMessage(module: string, unsupported: boolean): string {
    const notCounted = 'This row is counted as 0 and its input passed on.';
    if (unsupported) return `Greenprint does not expand the ${this.dialect === 'yolov5' ? 'ultralytics/yolov5' : 'Ultralytics'} module ${module} yet. ${notCounted}`;
    const ultralyticsOnly = [WIDTH_SCALED, HEADS, CB_LINKS, OWN_ARGS, UNSUPPORTED_ULTRALYTICS].some((set) => set.has(module));
    if (this.dialect === 'yolov5' && ultralyticsOnly) {
      return `${module} is an ultralytics/ultralytics module, but this file has an \`anchors:\` key and is read as an original ultralytics/yolov5 model, whose models/common.py has no ${module}. ${notCounted}`;
    }
    if (module.startsWith('nn.')) return `Greenprint does not expand the torch module ${module} in a YOLO yaml yet (only nn.Upsample, nn.BatchNorm2d, nn.Identity, nn.MaxPool2d, nn.ZeroPad2d and nn.ConvTranspose2d). ${notCounted}`;
    return `Unknown module "${module}": not an Ultralytics module Greenprint knows (Conv, DWConv, C2f, C3, C3k2, SPPF, C2PSA, A2C2f, SCDown, C2fCIB, RepNCSPELAN4, Concat, nn.Upsample, Detect, …). ${notCounted}`;
  }

  private expandWidthScaled(ex: ModuleExpander, parsed: ParsedRow, n: number, evaluated: unknown[], x: number, c1: number, path: string): RowResult {
    const { module } = parsed;
    if (parsed.fromIsList) throw new ArgumentError(`${module} takes one input; \`from\` must be a single index, not a list.`);
    const requested = evaluated[0];
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested <= 0) {
      throw new ArgumentError(`${module}'s first argument is its output channels and must be a positive whole number, found ${argText(requested)}.`);
    }
    const tooWide = exceedsCeiling(requested, 'width', `${module}'s output channels`);
    if (tooWide) throw new ArgumentError(tooWide);
    let c2 = requested !== this.unscaledWidth() ? this.scaleWidth(requested) : requested;
    let args: unknown[] = [c1, c2, ...evaluated.slice(1)];
    let stacked = n;
    const insideRepeats = this.dialect === 'yolov5' ? module === 'C3' : REPEAT_INSIDE.has(module);
    if (insideRepeats) {
      args.splice(2, 0, n);
      stacked = 1;
    }
    if (module === 'C3k2') {
      this.legacy = false;
      if (this.scale.name !== undefined && 'mlx'.includes(this.scale.name) && args.length > 3) args[3] = true;
    }
    if (module === 'A2C2f') {
      this.legacy = false;
      if (this.scale.name !== undefined && 'lx'.includes(this.scale.name)) args = [...args, true, A2C2F_LX_MLP_RATIO];
    }
    let out = x;
    let inChannels = c1;
    for (let r = 0; r < stacked; r++) {
      out = expandScaled(ex, module, out, [inChannels, ...args.slice(1)], stacked > 1 ? `${path}.${r}` : path, this.dialect);
      inChannels = c2;
    }
    if (module === 'C2PSA' || module === 'PSA') c2 = c1;
    if (ATTENTION.has(module)) this.attentionSeen = true;
    if (module === 'Classify') this.classifySeen = true;
    return { out, c2, detail: `${module}${n > 1 ? ` ×${n}` : ''} c2=${c2}` };
  }

  /** CBLinear (one conv, its output split into c2s) and CBFuse (picks one split of each CBLinear, sums them onto the last input). */
  private expandCbLink(ex: ModuleExpander, parsed: ParsedRow, i: number, evaluated: unknown[], x: number, path: string): RowResult {
    const list = evaluated[0];
    const wholeNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((c) => Number.isInteger(c) && c >= 0);
    if (parsed.module === 'CBLinear') {
      if (parsed.fromIsList) throw new ArgumentError('CBLinear takes one input; `from` must be a single index, not a list.');
      if (!wholeNumbers(list) || list.some((c) => c < 1)) throw new ArgumentError(`CBLinear's first argument is the list of output splits, e.g. [[64, 128]], found ${argText(list)}.`);
      const total = list.reduce((sum, c) => sum + c, 0);
      const tooWide = exceedsCeiling(total, 'width', 'CBLinear output channels');
      if (tooWide) throw new ArgumentError(tooWide);
      const out = cbLinear(ex, x, list, path, intArg(evaluated, 1, 1, 'CBLinear kernel'), intArg(evaluated, 2, 1, 'CBLinear stride'),
        evaluated[3] === undefined || evaluated[3] === null ? null : intArg(evaluated, 3, 0, 'CBLinear padding'), intArg(evaluated, 4, 1, 'CBLinear groups'));
      this.splits.set(i, list);
      return { out, c2: total, detail: `CBLinear splits ${list.join('/')}` };
    }
    const from = parsed.from;
    if (!wholeNumbers(list) || list.length !== from.length - 1) {
      throw new ArgumentError(`CBFuse takes one split index per CBLinear input (${from.length - 1} here), e.g. [[0, 0]], found ${argText(list)}.`);
    }
    const sources: FuseSource[] = list.map((pick, k) => {
      const splits = this.splits.get(from[k]);
      if (!splits) throw new ArgumentError(`CBFuse input ${k} (layer ${from[k]}) is not a CBLinear row; only CBLinear outputs can be picked from.`);
      if (pick >= splits.length) throw new ArgumentError(`CBFuse picks split ${pick} of layer ${from[k]}, which has ${splits.length} (${splits.join('/')}).`);
      return { node: this.outputOf(from[k]), start: splits.slice(0, pick).reduce((sum, c) => sum + c, 0), size: splits[pick] };
    });
    const last = from[from.length - 1];
    const c2 = this.channelsOf(last);
    const mismatch = sources.find((src) => src.size !== c2);
    if (mismatch) throw new ArgumentError(`CBFuse sums a ${mismatch.size}-channel split onto a ${c2}-channel map; torch would fail to stack them.`);
    return { out: cbFuse(ex, sources, this.outputOf(last), path), c2, detail: `CBFuse ${sources.length} splits onto ${c2} channels` };
  }

  /** parse_model leaves a width unscaled when it is the head's output: nc (ultralytics) or na·(nc + 5) (yolov5). */
  private unscaledWidth(): number | undefined {
    if (this.dialect === 'ultralytics' || this.nc === undefined) return this.nc;
    const a = this.anchors;
    const na = typeof a === 'number' ? a : Array.isArray(a) && Array.isArray(a[0]) ? Math.floor(a[0].length / 2) : undefined;
    return na === undefined ? undefined : na * (this.nc + 5);
  }

  private scaleWidth(c: number): number {
    return makeDivisible(Math.min(c, this.scale.maxChannels) * this.scale.width, 8);
  }

  private expandStructural(ex: ModuleExpander, parsed: ParsedRow, n: number, evaluated: unknown[], x: number, c1: number, path: string): RowResult {
    switch (parsed.module) {
      case 'Concat': {
        const dimension = intArg(evaluated, 0, 1, 'Concat dimension');
        const out = ex.concat(parsed.from.map((j) => this.outputOf(j)), `${path}.cat`, dimension > 0 ? dimension - 1 : dimension);
        const c2 = parsed.from.reduce((s, j) => s + this.channelsOf(j), 0);
        return { out, c2, detail: `Concat ${parsed.from.length} inputs c2=${c2}` };
      }
      case 'nn.Upsample': {
        const factor = numArg(evaluated, 1, 2, 'nn.Upsample scale_factor');
        const factorProblem = factor <= 0 ? `nn.Upsample scale_factor must be positive, found ${factor}.` : exceedsCeiling(factor, 'kernel', 'nn.Upsample scale_factor');
        if (factorProblem) throw new ArgumentError(factorProblem);
        const mode = typeof evaluated[2] === 'string' ? (evaluated[2] as string) : 'nearest';
        if (evaluated[0] !== null && evaluated[0] !== undefined) throw new ArgumentError('nn.Upsample with a fixed output size is not supported; use [None, scale_factor, mode].');
        let out = x;
        for (let r = 0; r < n; r++) out = ex.upsample(out, factor, mode, `${path}${n > 1 ? `.${r}` : ''}`);
        return { out, c2: c1, detail: `Upsample ×${factor} ${mode}` };
      }
      case 'nn.BatchNorm2d':
        return { out: ex.batchNorm(x, path), c2: c1, detail: `BatchNorm2d c=${c1}` };
      case 'nn.MaxPool2d': {
        // nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0); thop counts no ops for it.
        const k = intArg(evaluated, 0, 0, 'nn.MaxPool2d kernel_size');
        const s = intArg(evaluated, 1, k, 'nn.MaxPool2d stride');
        const p = intArg(evaluated, 2, 0, 'nn.MaxPool2d padding');
        if (k < 1 || s < 1 || p < 0 || 2 * p > k) throw new ArgumentError(`nn.MaxPool2d needs kernel_size ≥ 1, stride ≥ 1 and 0 ≤ padding ≤ kernel_size / 2, found ${k}, ${s}, ${p}.`);
        let out = x;
        for (let r = 0; r < n; r++) out = ex.op('pool2d', { kind: 'max', kernel: [k, k], stride: [s, s], padding: [p, p] }, [out], `${path}${n > 1 ? `.${r}` : ''}`);
        return { out, c2: c1, detail: `MaxPool2d k${k} s${s}` };
      }
      case 'nn.ZeroPad2d': {
        // nn.ZeroPad2d(padding): an int, or (left, right, top, bottom).
        const raw = evaluated[0];
        const sides = typeof raw === 'number' ? [raw, raw, raw, raw] : raw;
        if (!Array.isArray(sides) || sides.length !== 4 || !sides.every((v) => Number.isInteger(v) && v >= 0)) {
          throw new ArgumentError(`nn.ZeroPad2d needs a padding as a whole number or [left, right, top, bottom], found ${argText(raw)}.`);
        }
        const [left, right, top, bottom] = sides.map((v, i) => intArg(sides, i, 0, 'nn.ZeroPad2d padding'));
        let out = x;
        for (let r = 0; r < n; r++) out = ex.op('zeroPad', { pad: [top, bottom, left, right] }, [out], `${path}${n > 1 ? `.${r}` : ''}`);
        return { out, c2: c1, detail: `ZeroPad2d ${left},${right},${top},${bottom}` };
      }
      default:
        return { out: ex.passThrough(x, path, 'nn.Identity'), c2: c1 };
    }
  }

  private expandHead(ex: ModuleExpander, parsed: ParsedRow, evaluated: unknown[], path: string): RowResult {
    const { module } = parsed;
    if (typeof evaluated[0] !== 'number' || !Number.isInteger(evaluated[0]) || evaluated[0] < 1) {
      throw new ArgumentError(`${module}'s first argument is the class count (usually \`nc\`), found ${argText(parsed.args[0])}.`);
    }
    const tooManyClasses = exceedsCeiling(evaluated[0], 'width', `${module}'s class count`);
    if (tooManyClasses) throw new ArgumentError(tooManyClasses);
    const nc = evaluated[0];
    const context: HeadContext = {
      xs: parsed.from.map((j) => this.outputOf(j)),
      chs: parsed.from.map((j) => this.channelsOf(j)),
      nc,
      legacy: this.legacy,
      scaleWidth: (c) => this.scaleWidth(c),
      path,
    };
    if (module === 'RTDETRDecoder') {
      this.transformerSeen = true;
      const out = expandRtdetrHead(ex, evaluated, context);
      return { out, c2: nc, detail: `RTDETRDecoder ${parsed.from.length} levels nc=${nc}` };
    }
    if (this.dialect === 'yolov5') {
      if (evaluated[1] === undefined) {
        throw new ArgumentError(`${module} has no anchors argument, but this file has an \`anchors:\` key (an original ultralytics/yolov5 model, whose ${module} needs [nc, anchors, …]). Neither repository builds this row; it is not counted.`);
      }
      const out = expandAnchorBasedHead(ex, module, evaluated, context);
      return { out, c2: nc, detail: `${module} ${parsed.from.length} levels nc=${nc} (anchor-based, ultralytics/yolov5)` };
    }
    if ((module === 'Detect' || module === 'Segment') && Array.isArray(evaluated[1])) {
      throw new ArgumentError(`${module} is given anchors ${argText(evaluated[1])}, but the file has no top-level \`anchors:\` key; ultralytics/ultralytics heads are anchor-free and cannot take them. Add the \`anchors:\` key of the ultralytics/yolov5 model this row comes from.`);
    }
    const out = expandAnchorFreeHead(ex, module, evaluated, context);
    return { out, c2: nc, detail: `${module} ${parsed.from.length} levels nc=${nc}${module !== 'v10Detect' && this.legacy ? ' (v5u/v8 head)' : ''}` };
  }

  /** parse_model evaluates string args: names of its locals (nc, anchors, kpt_shape), then Python literals. */
  private evaluateArg(a: unknown): unknown {
    if (typeof a !== 'string') return a;
    if (a === 'nc') return this.nc;
    if (a === 'kpt_shape') return this.kptShape;
    if (a === 'anchors' && this.dialect === 'yolov5') return this.anchors;
    if (a === 'None') return null;
    if (a === 'True') return true;
    if (a === 'False') return false;
    if (/^[+-]?\d+(\.\d*)?(e[+-]?\d+)?$/i.test(a)) return Number(a);
    return a;
  }

  private readNc(): number | undefined {
    const pair = yamlPair(this.root, 'nc');
    if (!pair) return undefined;
    const v = scalarValue(pair.value);
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
      const tooMany = exceedsCeiling(v, 'width', '`nc` (number of classes)');
      if (!tooMany) return v;
      this.sink.error(tooMany, yamlRange(pair.value));
      return undefined;
    }
    this.sink.error(`\`nc\` (number of classes) must be a positive whole number, found ${describeYaml(pair.value)}.`, pairRange(pair));
    return undefined;
  }

  private readInputChannels(): number {
    const pair = yamlPair(this.root, 'ch');
    if (!pair) return 3;
    const v = scalarValue(pair.value);
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
      const tooMany = exceedsCeiling(v, 'width', '`ch` (input channels)');
      if (!tooMany) return v;
      this.sink.error(`${tooMany} Using 3.`, yamlRange(pair.value));
      return 3;
    }
    this.sink.error(`\`ch\` (input channels) must be a positive whole number, found ${describeYaml(pair.value)}; using 3.`, pairRange(pair));
    return 3;
  }

  private readActivation(): string {
    const v = scalarValue(yamlGet(this.root, 'activation'));
    if (typeof v === 'string') return /nn\.(\w+)/.exec(v)?.[1] ?? v;
    return 'SiLU';
  }
}
