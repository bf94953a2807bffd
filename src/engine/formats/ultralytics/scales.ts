/**
 * Choosing the scale of an Ultralytics yaml: `scales:` entries [depth, width, max_channels] picked by the
 * requested scale, else by the file name (`yolo11n.yaml` → n, guess_model_scale), else the first; files
 * without `scales:` (and every ultralytics/yolov5 yaml) use depth_multiple / width_multiple and no
 * max_channels. Each multiple is checked against its ceiling where it is written.
 */
import type { DiagnosticSink } from '../../diagnostics';
import { exceedsCeiling } from '../../budget';
import { describeYaml, isYamlMap, pairRange, plainValue, scalarValue, yamlGet, yamlItems, yamlKeys, yamlPair, yamlRange } from '../../source/yaml';

export interface ScaleChoice {
  readonly name?: string;
  readonly depth: number;
  readonly width: number;
  readonly maxChannels: number;
  readonly names: string[];
}

export function chooseScale(root: unknown, fileName: string, requested: string | undefined, sink: DiagnosticSink): ScaleChoice {
  const pair = yamlPair(root, 'scales');
  const scales = pair?.value;
  const depth = readMultiple(root, 'depth_multiple', sink);
  const width = readMultiple(root, 'width_multiple', sink);
  if (!pair || !isYamlMap(scales)) {
    if (requested) {
      sink.warning(`Scale "${requested}" was asked for, but this file has no \`scales:\`; using depth_multiple/width_multiple.`, pair ? pairRange(pair) : { start: 0, end: 0 });
    }
    return { depth, width, maxChannels: Infinity, names: [] };
  }
  const names = yamlKeys(scales);
  let chosen = requested ?? scaleFromFileName(fileName, names) ?? names[0];
  if (!names.includes(chosen)) {
    sink.error(`Unknown scale "${chosen}": this file defines ${names.map((s) => `"${s}"`).join(', ')}. Using "${names[0]}".`, pairRange(pair));
    chosen = names[0];
  }
  const entry = yamlGet(scales, chosen);
  const values = plainValue(entry);
  if (!Array.isArray(values) || values.length < 2 || !values.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    sink.error(`Scale "${chosen}" must be [depth, width, max_channels] with positive numbers, found ${describeYaml(entry)}; using 1.0, 1.0.`, yamlRange(entry));
    return { name: chosen, depth: 1, width: 1, maxChannels: Infinity, names };
  }
  // Each entry checked where it is written: a 1e300 width would otherwise size every layer.
  const entryItems = yamlItems(entry);
  const problems = [
    exceedsCeiling(values[0], 'yoloMultiple', `Scale "${chosen}" depth`),
    exceedsCeiling(values[1], 'yoloMultiple', `Scale "${chosen}" width`),
    values[2] === undefined ? undefined : exceedsCeiling(values[2], 'width', `Scale "${chosen}" max_channels`),
  ];
  let bad = false;
  problems.forEach((problem, k) => {
    if (!problem) return;
    bad = true;
    sink.error(`${problem} Using 1.0, 1.0.`, yamlRange(entryItems[k] ?? entry));
  });
  if (bad) return { name: chosen, depth: 1, width: 1, maxChannels: Infinity, names };
  return { name: chosen, depth: values[0], width: values[1], maxChannels: values[2] ?? Infinity, names };
}

/** Ultralytics reads `yolo11n.yaml` as yolo11.yaml at scale n (guess_model_scale). */
function scaleFromFileName(fileName: string, names: readonly string[]): string | undefined {
const stem = (fileName.split(/[\\/]/).pop() ?? '').replace(/\.ya?ml$/i, '');
  const letter = /yolo(?:e-)?v?\d+([nslmx])/i.exec(stem)?.[1];
  return letter && names.includes(letter) ? letter : undefined;
}

function readMultiple(root: unknown, key: string, sink: DiagnosticSink): number {
  const node = yamlGet(root, key);
  if (node === undefined) return 1;
  const v = scalarValue(node);
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    const tooBig = exceedsCeiling(v, 'yoloMultiple', `\`${key}\``);
    if (!tooBig) return v;
    sink.error(`${tooBig} Using 1.0.`, yamlRange(node));
    return 1;
  }
  sink.error(`\`${key}\` must be a positive number, found ${describeYaml(node)}; using 1.0.`, yamlRange(node));
  return 1;
}


/** The name Ultralytics gives the model built from this file at this scale. */
export function modelName(fileName: string, scale: ScaleChoice): string {
  const stem = (fileName.split(/[\\/]/).pop() ?? 'model').replace(/\.ya?ml$/i, '');
  // A file with one scale (rtdetr-l.yaml: `l` only) names one model; the letter adds nothing.
  if (!scale.name || scale.names.length === 1 || scaleFromFileName(fileName, scale.names) === scale.name) return stem;
  // yolo12.yaml at scale n is YOLO12n; yolov8-seg.yaml at scale s is yolov8s-seg, as Ultralytics names them.
  return stem.replace(/^(yolo(?:e-)?v?\d+)/i, `$1${scale.name}`) + (/^yolo(?:e-)?v?\d+/i.test(stem) ? '' : ` (${scale.name})`);
}
