/**
 * Once-for-All's published Samsung Note10 latency tables (resources/luts/note10, MIT, MIT HAN Lab, from
 * han-cai/files; see SOURCE.md there) read into Greenprint's in-memory LUT shape, one table per input
 * resolution (160, 176, 192, 208, 224), for the OFA-MobileNetV3 w1.2 space only (ofa.md §5.4).
 *
 * OFA semantics (`MBv3LatencyTable`): only `mean` is used; the table is the one of the model's image size;
 * an unknown key is a hard error naming the key (no interpolation, no fallback). OFA publishes count, mean
 * and std only: medianMs = mean, and p10/p90 are mean ∓ 1.2816·std (a normal approximation, for display).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CostResult } from '../cost';
import type { ModelIR } from '../ir';
import { ofaLayerLutKeys } from './keys';
import { LUT_FORMAT, LUT_VERSION, LutError, type LatencyLut, type LutEntry } from './lut';
import { predictFromLut, type LatencyPrediction } from './predict';

export const NOTE10_DEVICE = { id: 'note10-ofa', name: 'Samsung Note10 (OFA tables)' } as const;

/** z for the 10th/90th percentile of a normal distribution. */
const Z90 = 1.2816;

/** Resolution → table. */
export type OfaLutSet = ReadonlyMap<number, LatencyLut>;

/** One OFA YAML table (key → {count, mean, std|var}) as a LUT. */
export function parseOfaLutYaml(text: string, where: string, device: { id: string; name: string } = NOTE10_DEVICE): LatencyLut {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new LutError(`${where}: not valid YAML (${(e as Error).message.split('\n')[0]}).`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new LutError(`${where}: expected a mapping of key → {count, mean, std}.`);
  const entries: Record<string, LutEntry> = {};
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    const e = raw as Record<string, unknown> | null;
    const mean = e?.mean;
    if (typeof mean !== 'number' || !Number.isFinite(mean) || mean < 0) throw new LutError(`${where}: "${key}" has no usable "mean" (milliseconds).`);
    const spread = typeof e!.std === 'number' ? (e!.std as number) : typeof e!.var === 'number' ? Math.sqrt(e!.var as number) : 0;
    const count = typeof e!.count === 'number' && e!.count >= 1 ? Math.round(e!.count as number) : 1;
    entries[key] = { medianMs: mean, p10Ms: Math.max(0, mean - Z90 * spread), p90Ms: mean + Z90 * spread, runs: count };
  }
  return {
    format: LUT_FORMAT,
    version: LUT_VERSION,
    device: { ...device },
    backend: 'tflite',
    runtime: 'TF-Lite (OFA Note10 measurements)',
    threads: 1,
    batch: 1,
    createdAt: '2020-01-01T00:00:00.000Z',
    overheadMs: 0,
    entries,
  };
}

/** Folder of the shipped Note10 tables, found upward from this module (source, out/ or the dist bundle). */
export function defaultNote10Dir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'resources', 'luts', 'note10');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new LutError(`Greenprint's Note10 latency tables (resources/luts/note10) were not found above ${__dirname}.`);
}

/** Every `<r>_lookup_table.yaml` in a folder, keyed by resolution. */
export function loadOfaLutSet(dir: string = defaultNote10Dir(), device: { id: string; name: string } = NOTE10_DEVICE): OfaLutSet {
  const tables = new Map<number, LatencyLut>();
  for (const name of readdirSync(dir).sort()) {
    const m = /^(\d+)_lookup_table\.ya?ml$/.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    tables.set(Number(m[1]), parseOfaLutYaml(readFileSync(file, 'utf8'), file, device));
  }
  if (tables.size === 0) throw new LutError(`${dir}: no <resolution>_lookup_table.yaml files.`);
  return tables;
}

/** The image size an IR's input node declares ([C, H, W] → H when H = W). */
export function imageSizeOf(ir: ModelIR): number {
  const input = ir.nodes.find((n) => n.op === 'input');
  const shape = input?.attrs.shape as number[] | undefined;
  if (!shape || shape.length !== 3) throw new LutError(`${ir.modelName}: OFA latency tables need an image input [C, H, W].`);
  if (shape[1] !== shape[2]) throw new LutError(`${ir.modelName}: OFA latency tables cover square inputs only, this one is ${shape[1]}×${shape[2]}.`);
  return shape[1];
}

/** The table of the model's image size; an error listing the covered sizes otherwise. */
export function ofaTableFor(tables: OfaLutSet, resolution: number): LatencyLut {
  const table = tables.get(resolution);
  if (!table) {
    const sizes = [...tables.keys()].sort((a, b) => a - b);
    const device = [...tables.values()][0]?.device.name ?? 'OFA';
    throw new LutError(`${device} tables cover r = ${sizes.join(', ')}; this model's input is ${resolution}×${resolution}. OFA has no interpolation between tables.`);
  }
  return table;
}

/**
 * Prices an OFA net exactly as OFA does: the table of its image size, `mean` per key, summed; any layer
 * without OFA keys or any key not in the table is an error naming it.
 */
export function predictOfaLatency(ir: ModelIR, evaluated: Pick<CostResult, 'nodeShapes'>, tables: OfaLutSet): LatencyPrediction {
  const table = ofaTableFor(tables, imageSizeOf(ir));
  const keys = ofaLayerLutKeys(ir, evaluated.nodeShapes);
  const unkeyed = ir.layers.filter((_, i) => keys[i] === undefined);
  if (unkeyed.length > 0) {
    throw new LutError(`${table.device.name}: ${unkeyed.map((l) => l.name).join(', ')} ha${unkeyed.length === 1 ? 's' : 've'} no OFA latency-table key; these tables price OFA MobileNetV3 w1.2 networks only.`);
  }
  const prediction = predictFromLut(ir, evaluated, table, undefined, keys);
  if (prediction.missing.length > 0) {
    throw new LutError(
      `${table.device.name} table for r = ${imageSizeOf(ir)} has no entry "${prediction.missing[0]}"${prediction.missing.length > 1 ? ` (and ${prediction.missing.length - 1} more)` : ''}; the tables cover the OFA-MobileNetV3 w1.2 space only.`,
    );
  }
  return prediction;
}
