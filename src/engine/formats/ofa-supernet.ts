/**
 * Greenprint's OFA supernet + arch format (`"kind": "greenprint.ofa-supernet"`, see docs/ofa-supernet.md
 * and schemas/ofa-supernet.schema.json): an elastic OFA-MobileNetV3 or OFA-ProxylessNAS space plus one
 * chosen subnet (`ks`, `e`, `d`, resolution), optionally with its own stride schedule and stage widths
 * (`first_conv_stride`, `stage_strides`, `stage_widths`; absent = OFA's 32× schedule). The arch is validated against the space, expanded exactly as
 * OFA's `get_active_subnet` does (../ofa/expand.ts), and the resulting static config is built by the same
 * code as OFA net configs (../ofa/net-builder.ts). Counting convention = OFA's `count_net_flops` /
 * `get_net_info`: MACs of Conv2d (incl. depthwise and SE 1×1) and Linear; trainable params only.
 */
import { DiagnosticSink, ModelError } from '../diagnostics';
import { exceedsCeiling, type CeilingName } from '../budget';
import type { SourceRange } from '../ir';
import { LineIndex } from '../source/text';
import { at, JsonFields, items, parseJsonDocument, prop, propEntry, rangeOf, valueOf, type JsonNode } from '../source/json';
import { DEFAULT_IMAGE_SIZE } from '../ofa/common';
import { buildOfaNet } from '../ofa/net-builder';
import { expandOfaArchWithSlots } from '../ofa/expand';
import { ofaArchShape, OFA_ALLOWED_STRIDES, OFA_DEFAULT_STRIDES, OFA_SPACE_DEFAULTS, OFA_SPACE_IDS, type OfaSpace, type OfaSpaceId } from '../ofa/spaces';
import { OFA_COUNTING_NOTE } from './ofa-net';
import type { FormatReader, ReadOptions } from './types';

export const OFA_SUPERNET_KIND = 'greenprint.ofa-supernet';

const SPACE_LABELS: Record<OfaSpaceId, string> = { mobilenetv3: 'OFA-MobileNetV3', proxyless: 'OFA-ProxylessNAS' };

/** A list of numbers; wrong entries are reported where they are and dropped. */
function numberList(f: JsonFields, key: string, fallback: readonly number[], integer: boolean, ceiling: CeilingName): { values: number[]; node?: JsonNode } {
  const node = prop(f.node, key);
  if (node === undefined) return { values: [...fallback] };
  const list = f.array(key, true);
  if (!list) return { values: [...fallback], node };
  const tooLong = exceedsCeiling(list.length, 'listLength', `${f.what}: the length of "${key}"`);
  if (tooLong) {
    f.sink.error(`${tooLong} Using ${fallback.join(', ')}.`, rangeOf(node));
    return { values: [...fallback], node };
  }
  const values: number[] = [];
  for (const item of list) {
    const v = item.value;
    if (item.type !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || (v as number) <= 0) {
      f.sink.error(`${f.what}: "${key}" entries must be positive ${integer ? 'whole numbers' : 'numbers'}, found ${item.type === 'number' ? String(v) : item.type}.`, rangeOf(item));
      continue;
    }
    // Checked before anything is sized by it: a depth of 99,999,999 used to build blocks until V8 aborted.
    const tooBig = exceedsCeiling(v as number, ceiling, `${f.what}: a "${key}" entry`);
    if (tooBig) f.sink.error(`${tooBig} The entry is dropped.`, rangeOf(item));
    else values.push(v as number);
  }
  if (values.length === 0) {
    f.sink.error(`${f.what}: "${key}" needs at least one value; using ${fallback.join(', ')}.`, rangeOf(node));
    return { values: [...fallback], node };
  }
  return { values: [...values].sort((a, b) => a - b), node };
}

/**
 * One whole number per stage, in stage order (`stage_strides`, `stage_widths`); undefined when absent.
 * A wrong length or entry is an error at the list or the entry, and the space's default is used instead.
 */
function stageList(f: JsonFields, key: string, stages: number, check: (v: number) => string | undefined): number[] | undefined {
  const node = prop(f.node, key);
  if (node === undefined) return undefined;
  const list = f.array(key, true);
  if (!list) return undefined;
  if (list.length !== stages) {
    f.sink.error(`${f.what}: "${key}" needs one value per stage (${stages}), found ${list.length}; using the space's default.`, rangeOf(node));
    return undefined;
  }
  let ok = true;
  for (const item of list) {
    const v = item.value;
    const problem = item.type !== 'number' || !Number.isInteger(v) ? `must be whole numbers, found ${item.type === 'number' ? String(v) : item.type}` : check(v as number);
    if (problem) {
      f.sink.error(`${f.what}: "${key}" entries ${problem}; using the space's default.`, rangeOf(item));
      ok = false;
    }
  }
  return ok ? list.map((item) => item.value as number) : undefined;
}

function strideProblem(stride: number): string | undefined {
  return OFA_ALLOWED_STRIDES.includes(stride) ? undefined : `must be ${OFA_ALLOWED_STRIDES.join(' or ')} (strides the forward pass and exporters handle), found ${stride}`;
}

/** The optional skeleton overrides: `first_conv_stride`, `stage_strides`, `stage_widths` (absent: OFA's). */
function readSkeleton(f: JsonFields, root: JsonNode, space: OfaSpaceId): Pick<OfaSpace, 'strides' | 'stageWidths'> {
  const published = OFA_DEFAULT_STRIDES[space];
  const stages = published.stages.length;
  let firstConv = published.firstConv;
  const firstNode = prop(root, 'first_conv_stride');
  if (firstNode !== undefined) {
    const v = f.number('first_conv_stride', { integer: true, min: 1, fallback: published.firstConv });
    if (v !== undefined && strideProblem(v)) f.sink.error(`supernet: "first_conv_stride" ${strideProblem(v)}; using ${published.firstConv}.`, rangeOf(firstNode));
    else if (v !== undefined) firstConv = v;
  }
  const stageStrides = stageList(f, 'stage_strides', stages, strideProblem);
  const stageWidths = stageList(f, 'stage_widths', stages, (w) => (w < 1 || exceedsCeiling(w, 'width', 'width') ? `must be positive channel counts, found ${w}` : undefined));
  const custom = firstNode !== undefined || stageStrides !== undefined;
  return {
    ...(custom ? { strides: { firstConv, stages: stageStrides ?? [...published.stages] } } : {}),
    ...(stageWidths ? { stageWidths } : {}),
  };
}

function nearest(value: number, allowed: readonly number[]): number {
  return allowed.reduce((best, a) => (Math.abs(a - value) < Math.abs(best - value) ? a : best), allowed[0]);
}

function listText(values: readonly number[]): string {
  return `[${values.join(', ')}]`;
}

interface ReadSpace {
  readonly space: OfaSpace;
  readonly resolutions?: readonly number[];
}

function readSpace(root: JsonNode, sink: DiagnosticSink): ReadSpace {
  const f = new JsonFields(sink, root, 'supernet');
  const version = prop(root, 'version');
  if (version && version.value !== 1) sink.warning(`supernet: "version" ${JSON.stringify(version.value)} is newer than this reader (1); reading it as version 1.`, rangeOf(version));
  const spaceNode = prop(root, 'space');
  const spaceName = f.string('space');
  if (spaceName === undefined) throw new ModelError(`supernet: "space" must be one of ${OFA_SPACE_IDS.map((s) => `"${s}"`).join(', ')}.`, rangeOf(spaceNode ?? root));
  if (!(OFA_SPACE_IDS as readonly string[]).includes(spaceName)) {
    throw new ModelError(`supernet: unknown space "${spaceName}"; Greenprint expands ${OFA_SPACE_IDS.map((s) => `"${s}"`).join(' and ')}.`, rangeOf(spaceNode!));
  }
  const space = spaceName as OfaSpaceId;
  const widthMult = f.number('width_mult', { fallback: space === 'proxyless' ? 1.3 : 1.0, min: 0.01, max: 'ofaWidthMult' }) ?? 1.0;
  const ksList = numberList(f, 'ks_list', OFA_SPACE_DEFAULTS.ksList, true, 'kernel');
  for (const [i, k] of ksList.values.entries()) {
    if (k % 2 === 0) {
      sink.error(`supernet: kernel sizes must be odd (OFA pads k // 2), found ${k}.`, rangeOf(items(ksList.node)[i] ?? ksList.node ?? root));
    }
  }
  const expandList = numberList(f, 'expand_list', OFA_SPACE_DEFAULTS.expandList, false, 'ofaExpand');
  const depthList = numberList(f, 'depth_list', OFA_SPACE_DEFAULTS.depthList, true, 'ofaDepth');
  const nClasses = f.number('n_classes', { integer: true, min: 1, fallback: OFA_SPACE_DEFAULTS.nClasses }) ?? OFA_SPACE_DEFAULTS.nClasses;
  const dropoutRate = f.number('dropout_rate', { min: 0, fallback: 0 }) ?? 0;
  const inChannels = f.number('in_channels', { integer: true, min: 1, fallback: 3 }) ?? 3;
  let baseStageWidth: 'proxyless' | 'google' | undefined;
  if (prop(root, 'base_stage_width')) {
    const base = f.string('base_stage_width');
    if (space !== 'proxyless') sink.warning('supernet: "base_stage_width" only applies to the proxyless space; ignored.', rangeOf(prop(root, 'base_stage_width')!));
    else if (base === 'proxyless' || base === 'google') baseStageWidth = base;
    else if (base !== undefined) sink.error(`supernet: "base_stage_width" must be "proxyless" or "google", found "${base}".`, rangeOf(prop(root, 'base_stage_width')!));
  }
  const resolutions = prop(root, 'resolutions') ? numberList(f, 'resolutions', [DEFAULT_IMAGE_SIZE], true, 'imageSide').values : undefined;
  const skeleton = readSkeleton(f, root, space);
  return {
    space: { space, widthMult, ksList: ksList.values, expandList: expandList.values, depthList: depthList.values, nClasses, baseStageWidth, dropoutRate, ...(inChannels !== 3 ? { inChannels } : {}), ...skeleton },
    resolutions,
  };
}

interface ReadArch {
  readonly ks: number[];
  readonly e: number[];
  readonly d: number[];
  readonly resolution: number;
  readonly resolutionNote: string;
  /** Per slot: where ks[i] / e[i] are written (for hints), when they are. */
  readonly slotRanges: (SourceRange | undefined)[];
  readonly archNode: JsonNode;
}

/**
 * Reads `arch` against the space. Active values outside the space are errors at the element and counted as
 * the nearest allowed value, so the rest of the subnet is still analysed.
 */
function readArch(root: JsonNode, read: ReadSpace, options: ReadOptions, sink: DiagnosticSink): ReadArch {
  const { space } = read;
  const top = new JsonFields(sink, root, 'supernet');
  const archNode = top.object('arch');
  if (!archNode) throw new ModelError('supernet: missing "arch", the chosen subnet: {"ks": [...], "e": [...], "d": [...], "r": 224}.', rangeOf(prop(root, 'arch') ?? root));
  const f = new JsonFields(sink, archNode, 'arch');
  const shape = ofaArchShape(space);
  const layoutSlots = shape.stageOfSlot;

  const d: number[] = [];
  const dList = f.array('d') ?? [];
  const maxDepth = Math.max(...space.depthList);
  for (let s = 0; s < shape.stages; s++) {
    const item = dList[s];
    const stageSlots = layoutSlots.filter((st) => st === s).length;
    // ProxylessNAS's last stage has one slot; OFA clips any depth there to 1.
    const allowed = stageSlots === 1 && space.space === 'proxyless' ? [1, ...space.depthList] : space.depthList;
    if (item === undefined) {
      d.push(Math.min(stageSlots, maxDepth));
      continue;
    }
    const v = item.value;
    if (item.type !== 'number' || !allowed.includes(v as number)) {
      const counted = item.type === 'number' ? nearest(v as number, allowed) : maxDepth;
      sink.error(`arch: d[${s}] = ${JSON.stringify(v)} is not in depth_list ${listText(space.depthList)}; counted as ${counted}.`, rangeOf(item));
      d.push(Math.min(stageSlots, counted));
    } else d.push(Math.min(stageSlots, v as number));
  }
  checkLength(sink, prop(archNode, 'd'), dList, shape.stages, 'd', `one depth per stage`, `${maxDepth}`);

  const active = layoutSlots.map((s, i) => shape.positionOfSlot[i] < d[s]);
  const slotValues = (key: 'ks' | 'e', allowed: readonly number[], listName: string): number[] => {
    const list = f.array(key) ?? [];
    const values: number[] = [];
    for (let i = 0; i < shape.slots; i++) {
      const item = list[i];
      const fallback = Math.max(...allowed);
      if (item === undefined) {
        values.push(fallback);
        continue;
      }
      const v = item.value;
      const where = `stage ${layoutSlots[i] + 1}, block ${shape.positionOfSlot[i] + 1}`;
      if (item.type !== 'number') {
        sink.error(`arch: ${key}[${i}] (${where}) must be a number, found ${JSON.stringify(v)}; counted as ${fallback}.`, rangeOf(item));
        values.push(fallback);
      } else if (!allowed.includes(v as number)) {
        if (active[i]) {
          const counted = nearest(v as number, allowed);
          sink.error(`arch: ${key}[${i}] = ${String(v)} (${where}) is not in ${listName} ${listText(allowed)}; counted as ${counted}.`, rangeOf(item));
          values.push(counted);
        } else {
          if (v !== 0) sink.warning(`arch: ${key}[${i}] = ${String(v)} is not in ${listName} ${listText(allowed)}; the slot is inactive (stage depth ${d[layoutSlots[i]]}), so it is ignored.`, rangeOf(item));
          values.push(fallback);
        }
      } else values.push(v as number);
    }
    checkLength(sink, prop(archNode, key), list, shape.slots, key, `one per block slot (${shape.stages} stages)`, `${Math.max(...allowed)}`);
    return values;
  };
  const ks = slotValues('ks', space.ksList, 'ks_list');
  const e = slotValues('e', space.expandList, 'expand_list');
  const ksItems = items(prop(archNode, 'ks'));
  const eItems = items(prop(archNode, 'e'));
  const slotRanges = Array.from({ length: shape.slots }, (_, i) => {
    const at = ksItems[i] ?? eItems[i];
    return at ? rangeOf(at) : undefined;
  });

  const { resolution, note } = readResolution(archNode, read, options, sink);
  return { ks, e, d, resolution, resolutionNote: note, slotRanges, archNode };
}

function checkLength(sink: DiagnosticSink, node: JsonNode | undefined, list: JsonNode[], expected: number, key: string, what: string, fill: string): void {
  if (!node || node.type !== 'array') return;
  if (list.length < expected) {
    sink.error(`arch: "${key}" has ${list.length} values but this space needs ${expected} (${what}); the missing ones are counted as ${fill}.`, rangeOf(node));
  } else if (list.length > expected) {
    sink.error(`arch: "${key}" has ${list.length} values but this space needs ${expected} (${what}); the extra ones are ignored.`, rangeOf(list[expected]));
  }
}

/** `r` (our name), `image_size` (OFA library) or `r: [size]` (OFA tutorial); options.inputSize wins. */
function readResolution(archNode: JsonNode, read: ReadSpace, options: ReadOptions, sink: DiagnosticSink): { resolution: number; note: string } {
  const key = prop(archNode, 'r') ? 'r' : prop(archNode, 'image_size') ? 'image_size' : undefined;
  let node = key ? prop(archNode, key) : undefined;
  if (node?.type === 'array' && items(node).length === 1) node = items(node)[0];
  let resolution: number | undefined;
  if (node) {
    const tooBig = node.type === 'number' ? exceedsCeiling(node.value as number, 'imageSide', `arch: "${key}"`) : undefined;
    if (tooBig) sink.error(`${tooBig} Counting at the default size instead.`, rangeOf(node));
    else if (node.type === 'number' && Number.isInteger(node.value) && (node.value as number) >= 1) resolution = node.value as number;
    else sink.error(`arch: "${key}" must be a whole-number image size (or a one-element list of one), found ${JSON.stringify(node.type === 'number' || node.type === 'string' ? node.value : node.type)}.`, rangeOf(node));
  }
  if (resolution !== undefined && read.resolutions && !read.resolutions.includes(resolution)) {
    sink.error(`arch: r = ${resolution} is not in resolutions ${listText(read.resolutions)}; counted at ${resolution} anyway.`, rangeOf(node!));
  }
  if (options.inputSize) return { resolution: options.inputSize[0], note: `Input ${options.inputSize[0]}×${options.inputSize[1]} as requested (overrides the arch's resolution).` };
  if (resolution !== undefined) return { resolution, note: `Input ${resolution}×${resolution} from the arch.` };
  const fallback = read.resolutions ? Math.max(...read.resolutions) : DEFAULT_IMAGE_SIZE;
  if (!node) sink.info(`arch: no resolution "r" given; counting at ${fallback}×${fallback}.`, rangeOf(archNode));
  return { resolution: fallback, note: `Input ${fallback}×${fallback} (default).` };
}

function looksLikeSupernet(root: JsonNode | undefined): boolean {
  return root?.type === 'object' && prop(root, 'kind')?.value === OFA_SUPERNET_KIND;
}

export const ofaSupernetReader: FormatReader = {
  id: 'ofa-supernet',
  label: 'OFA supernet + arch',
  detect: (source) => looksLikeSupernet(source.json?.root),
  read(source, options, sink) {
    const root = source.json?.root;
    if (!root || !looksLikeSupernet(root)) return undefined;
    const read = readSpace(root, sink);
    const arch = readArch(root, read, options, sink);
    const { space } = read;
    const { config, blockSlots } = expandOfaArchWithSlots(space, arch);

    // The expanded config is built by the net-config code; its layers are placed on the arch entries.
    const expanded = parseJsonDocument(JSON.stringify(config, null, 1));
    const headRange = rangeOf(propEntry(root, 'width_mult') ?? propEntry(root, 'space') ?? root);
    const classifierRange = rangeOf(propEntry(root, 'n_classes') ?? propEntry(root, 'space') ?? root);
    const shape = ofaArchShape(space);
    const slotOf = (path: string): number | undefined => {
      const m = /^blocks\.(\d+)$/.exec(path);
      return m ? blockSlots[Number(m[1])] : undefined;
    };
    const innerSink = new DiagnosticSink();
    const widthText = `w${space.widthMult}`;
    const ir = buildOfaNet(expanded.root!, innerSink, {
      format: 'ofa-supernet',
      imageSize: options.inputSize ?? [arch.resolution, arch.resolution],
      modelName: `${SPACE_LABELS[space.space]} ${widthText} subnet`,
      notes: [
        `Subnet of the ${SPACE_LABELS[space.space]} ${widthText} space: d = [${arch.d.join(', ')}], ${blockSlots.length - 1} active blocks.`,
        arch.resolutionNote,
        OFA_COUNTING_NOTE,
      ],
      placeLayer: (path) => {
        const slot = slotOf(path);
        if (slot !== undefined && slot >= 0) return arch.slotRanges[slot] ?? rangeOf(arch.archNode);
        return path === 'classifier' ? classifierRange : headRange;
      },
      describeLayer: (path) => {
        const slot = slotOf(path);
        if (slot === undefined) return undefined;
        if (slot < 0) return 'fixed first block';
        return `stage ${shape.stageOfSlot[slot] + 1} block ${shape.positionOfSlot[slot] + 1} (ks[${slot}], e[${slot}])`;
      },
    });
    for (const d of innerSink.items) {
      if (d.severity !== 'info') sink.error(`Greenprint expanded this arch into an invalid subnet (please report): ${d.message}`, rangeOf(arch.archNode));
    }
    return ir;
  },
};

/**
 * Files a supernet description points at, as written (relative to the description's folder):
 * `weights` (safetensors or a TF.js weights JSON), `accuracy_predictor` (OFA's `.pth` or a Greenprint
 * predictor `model.json`) and `latency_tables` (`{"device": "note10-ofa", "path": "folder of
 * <r>_lookup_table.yaml"}`).
 */
export interface SupernetAssets {
  readonly weights?: string;
  readonly accuracyPredictor?: string;
  readonly latencyTables?: { readonly device: string; readonly path: string };
}

export interface SupernetDescription {
  readonly space: OfaSpace;
  readonly resolutions?: readonly number[];
  /** The resolution of the description's own `arch`, when it has one. */
  readonly resolution?: number;
  readonly assets: SupernetAssets;
}

function readAssets(root: JsonNode, fail: (message: string, node: JsonNode) => never): SupernetAssets {
  const text = (key: string): string | undefined => {
    const node = prop(root, key);
    if (node === undefined) return undefined;
    if (node.type !== 'string' || String(node.value).trim() === '') fail(`supernet: "${key}" must be a path (relative to the supernet file), found ${JSON.stringify(valueOf(node))}.`, node);
    return node.value as string;
  };
  const tablesNode = prop(root, 'latency_tables');
  let latencyTables: SupernetAssets['latencyTables'];
  if (tablesNode !== undefined) {
    const device = prop(tablesNode, 'device')?.value;
    const dir = prop(tablesNode, 'path')?.value;
    if (tablesNode.type !== 'object' || typeof device !== 'string' || typeof dir !== 'string') {
      fail('supernet: "latency_tables" must be {"device": "note10-ofa", "path": "folder of <r>_lookup_table.yaml"}.', tablesNode);
    }
    latencyTables = { device, path: dir };
  }
  return { weights: text('weights'), accuracyPredictor: text('accuracy_predictor'), latencyTables };
}

/**
 * The elastic space a supernet file describes and the files it points at, for tools that work on the whole
 * space (LUT builds, search, extraction); undefined when the text is not a supernet file. Problems are
 * thrown with their message and line (and `file`, when given).
 */
export function readSupernetSpace(text: string, file?: string): SupernetDescription | undefined {
  const doc = parseJsonDocument(text);
  if (!doc.root || prop(doc.root, 'kind')?.value !== OFA_SUPERNET_KIND) return undefined;
  // Thrown messages name the line they blame: `file:12: …` when the caller gives the file, else `line 12: …`.
  const lines = new LineIndex(text);
  const at1 = (range: SourceRange) => (file ? `${file}:` : 'line ') + String(lines.positionAt(range.start).line + 1);
  const sink = new DiagnosticSink();
  const read = readSpace(doc.root, sink);
  const firstError = sink.items.find((d) => d.severity === 'error');
  if (firstError) throw new Error(`${at1(firstError.range)}: ${firstError.message}`);
  const r = at(doc.root, ['arch', 'r']);
  const resolution = typeof r?.value === 'number' ? r.value : Array.isArray(valueOf(r)) ? (valueOf(r) as number[])[0] : undefined;
  const fail = (message: string, node: JsonNode): never => {
    throw new Error(`${at1(rangeOf(node))}: ${message}`);
  };
  return { ...read, resolution, assets: readAssets(doc.root, fail) };
}
