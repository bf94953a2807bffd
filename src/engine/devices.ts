/**
 * Device catalogue for roofline latency and energy estimates: peak compute per element type, memory
 * bandwidth, typical power, achievable-fraction factors and where every number comes from. It sits below
 * both the latency and the carbon estimators, which each read it and neither of which needs the other.
 *
 * Data lives in `resources/devices.json` (bundled at build time; nothing is read from disk at run time).
 * Peaks are the vendors' dense datasheet figures or are derived from published core counts × clocks ×
 * per-cycle FLOPs, and each device's `sources` says which. Efficiency factors are uncalibrated starting
 * points (see each device's `efficiency.reason`). `validateDeviceCatalogue` rejects malformed entries with
 * a message naming the device and field, so a user-supplied catalogue fails loudly, not with NaN latencies.
 */
import catalogueJson from '../../resources/devices.json';
import type { DType } from './ir';

export type DeviceClass = 'mobile-soc' | 'edge-gpu' | 'server-gpu' | 'desktop-gpu' | 'cpu' | 'npu';

const DEVICE_CLASSES: readonly DeviceClass[] = ['mobile-soc', 'edge-gpu', 'server-gpu', 'desktop-gpu', 'cpu', 'npu'];

/** FLOP/s (int8: ops/s with a MAC counted as 2 ops, as vendors count TOPS), dense, no sparsity. */
export interface PeakFlops {
  readonly fp32?: number;
  readonly fp16?: number;
  readonly bf16?: number;
  readonly int8?: number;
}

export interface DeviceSource {
  readonly what: string;
  readonly where: string;
  readonly year: number;
}

export interface DeviceSpec {
  readonly id: string;
  readonly name: string;
  readonly class: DeviceClass;
  readonly peakFlops: PeakFlops;
  /** Bytes/s of the memory the weights and activations live in. */
  readonly memoryBandwidth: number;
  /**
   * Bytes of memory the accelerator can hold weights and KV cache in (DRAM capacities are binary: 16 GB =
   * 16 GiB); shared with the CPU on Jetsons and Apple silicon. Absent where it varies by build (CPUs, phones).
   */
  readonly memoryBytes?: number;
  /** Typical board/TDP power drawn while running a model, used for energy. */
  readonly powerW: number;
  /** Achievable fraction of peak compute and of peak bandwidth, in (0, 1]. */
  readonly efficiency: { readonly compute: number; readonly memory: number; readonly reason: string };
  readonly sources: readonly DeviceSource[];
}

export class DeviceCatalogueError extends Error {}

function isPositiveNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/** Checks one catalogue entry; `where` names the file or origin for the error message. */
export function validateDevice(raw: unknown, where: string): DeviceSpec {
  const fail = (what: string): never => {
    throw new DeviceCatalogueError(`${where}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('each device must be an object');
  const d = raw as Record<string, unknown>;
  if (typeof d.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(d.id)) fail(`device id ${JSON.stringify(d.id)} must be lower-case letters, digits and dashes`);
  const at = `device "${d.id as string}"`;
  if (typeof d.name !== 'string' || !d.name) fail(`${at}: name is missing`);
  if (!DEVICE_CLASSES.includes(d.class as DeviceClass)) fail(`${at}: class ${JSON.stringify(d.class)} is not one of ${DEVICE_CLASSES.join(', ')}`);
  const peak = d.peakFlops as Record<string, unknown> | undefined;
  if (typeof peak !== 'object' || peak === null) fail(`${at}: peakFlops is missing`);
  const peakKeys = Object.keys(peak!);
  if (!peakKeys.length) fail(`${at}: peakFlops needs at least one of fp32, fp16, bf16, int8`);
  for (const k of peakKeys) {
    if (!['fp32', 'fp16', 'bf16', 'int8'].includes(k)) fail(`${at}: peakFlops.${k} is not a known precision (fp32, fp16, bf16, int8)`);
    if (!isPositiveNumber(peak![k])) fail(`${at}: peakFlops.${k} must be a positive number of FLOP/s, got ${JSON.stringify(peak![k])}`);
  }
  if (!isPositiveNumber(d.memoryBandwidth)) fail(`${at}: memoryBandwidth must be a positive number of bytes/s`);
  if (d.memoryBytes !== undefined && (!isPositiveNumber(d.memoryBytes) || !Number.isInteger(d.memoryBytes))) fail(`${at}: memoryBytes must be a whole positive number of bytes, got ${JSON.stringify(d.memoryBytes)}`);
  if (!isPositiveNumber(d.powerW)) fail(`${at}: powerW must be a positive number of watts`);
  const eff = d.efficiency as Record<string, unknown> | undefined;
  if (typeof eff !== 'object' || eff === null) fail(`${at}: efficiency is missing`);
  for (const k of ['compute', 'memory']) {
    const v = eff![k];
    if (!isPositiveNumber(v) || v > 1) fail(`${at}: efficiency.${k} must be a fraction in (0, 1], got ${JSON.stringify(v)}`);
  }
  if (typeof eff!.reason !== 'string' || !eff!.reason) fail(`${at}: efficiency.reason must say why the factors were chosen`);
  if (!Array.isArray(d.sources) || !d.sources.length) fail(`${at}: sources must list where the numbers come from`);
  for (const s of d.sources as unknown[]) {
    const src = s as Record<string, unknown>;
    if (typeof src?.what !== 'string' || typeof src.where !== 'string' || !Number.isInteger(src.year)) {
      fail(`${at}: each source needs what (string), where (string) and year (integer)`);
    }
  }
  return d as unknown as DeviceSpec;
}

export function validateDeviceCatalogue(raw: unknown, where: string): DeviceSpec[] {
  const list = (raw as { devices?: unknown })?.devices;
  if (!Array.isArray(list)) throw new DeviceCatalogueError(`${where}: expected an object with a "devices" array`);
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const device = validateDevice(entry, `${where} devices[${i}]`);
    if (seen.has(device.id)) throw new DeviceCatalogueError(`${where} devices[${i}]: duplicate device id "${device.id}"`);
    seen.add(device.id);
    return device;
  });
}

let catalogue: readonly DeviceSpec[] | undefined;

/** The bundled catalogue, validated once on first use. */
export function listDevices(): readonly DeviceSpec[] {
  catalogue ??= validateDeviceCatalogue(catalogueJson, 'resources/devices.json');
  return catalogue;
}

export function getDevice(id: string): DeviceSpec {
  const device = listDevices().find((d) => d.id === id);
  if (!device) {
    throw new DeviceCatalogueError(`Unknown device "${id}". Known devices: ${listDevices().map((d) => d.id).join(', ')}.`);
  }
  return device;
}

/** Which peak a model's element type runs at. int4 weights are unpacked to int8 arithmetic. */
export function precisionFor(dtype: DType): keyof PeakFlops {
  switch (dtype) {
    case 'float32':
      return 'fp32';
    case 'float16':
      return 'fp16';
    case 'bfloat16':
      return 'bf16';
    case 'int8':
    case 'int4':
      return 'int8';
  }
}

/**
 * Peak FLOP/s of a device for a dtype. bf16 falls back to fp16 (same tensor-core rate on every GPU in
 * the catalogue that has both); a precision the device lacks is an error naming what it has, because
 * silently running int8-only hardware (Coral) at some float rate would be a made-up number.
 */
export function peakFor(device: DeviceSpec, dtype: DType): number {
  const precision = precisionFor(dtype);
  const peak = device.peakFlops[precision] ?? (precision === 'bf16' ? device.peakFlops.fp16 : undefined);
  if (peak === undefined) {
    const has = Object.keys(device.peakFlops).join(', ');
    throw new DeviceCatalogueError(`Device "${device.id}" has no ${precision} peak (it lists ${has}); choose a dtype it runs.`);
  }
  return peak;
}
