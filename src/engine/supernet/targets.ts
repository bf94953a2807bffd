/**
 * What a supernet can be searched against, answered once for the editor's panel and the CLI:
 *   - which target devices can price its subnets' latency, and how. A search (~50k subnets) needs a
 *     lookup table in OFA's key grammar that holds every block of the space at every resolution: the
 *     supernet's own tables, OFA's Note10 tables (the MobileNetV3 w1.2 space with OFA's skeleton, at the
 *     resolutions they were measured for), a table built on this machine or on a connected device. Each
 *     is tried with the search's own latency model (run-search.ts `latencyFor`) on every block, so a table
 *     that misses one key is "does not cover", never a wrong number. Catalogue devices and a calibrated
 *     machine without a table price one subnet at a time by roofline (details, hints), not a search;
 *   - what limits make sense: the range of FLOPs (2 × MACs) from the smallest to the largest subnet over the
 *     space's resolutions, and the range of latency on every device that can price it;
 *   - the defaults of a first search: the device the user works with when it can price the space, else
 *     this machine when it can, else the first device with a covering table; a latency limit on it, or a
 *     FLOPs limit when no device can price latency.
 *
 * The default limit is the middle of the chosen range (min + (max − min) / 2, two significant digits):
 * the largest subnets are then out of bounds, so a search for the best subnet has to trade accuracy for
 * cost, while half the range stays feasible, so the Pareto front of a multi-objective search spreads from
 * the smallest subnet to the limit instead of collapsing at one end (a FLOPs limit far above the space,
 * e.g. 600 MFLOPs for a 1–5 MFLOPs space, leaves every point at x ≈ 0 of the plot).
 *
 * Extremes are exact for costs that add up per block (MACs and OFA's additive LUT model both do): the
 * cost of each slot's kernel/expand choice and of each stage's depth is read off as a difference from one
 * base subnet, the best of each is taken independently, and the resulting subnet is priced whole.
 */
import { findDeviceLut, listTargetDevices, REMOTE_PREFIX, remoteLutDeviceId } from '../efficiency';
import { readSupernetSpace, type SupernetDescription } from '../formats/ofa-supernet';
import { LutError } from '../latency/lut';
import { ofaArchShape, ofaSpaceLayout, type OfaSpace, type SubnetArch } from '../ofa/spaces';
import { formatFlops, formatMs } from '../units';
import { macsModel } from './efficiency-model';
import { latencyFor, SearchSetupError } from './run-search';

export interface CostExtreme {
  readonly arch: SubnetArch;
  readonly cost: number;
}

/** The cheapest and the most expensive subnet of a space under one cost. */
export interface CostRange {
  readonly min: CostExtreme;
  readonly max: CostExtreme;
}

/**
 * How a device prices this supernet's subnets: `table` prices a search (latency and CO₂e limits);
 * `roofline` and `calibrated-roofline` price one subnet at a time (details, hints); `none` has no model.
 */
export type PricingMethod = 'table' | 'roofline' | 'calibrated-roofline' | 'none';

export interface SupernetTarget {
  readonly id: string;
  readonly name: string;
  readonly method: PricingMethod;
  /** True when a search can limit latency or CO₂e on this device. */
  readonly searchable: boolean;
  /** How it prices, or why it cannot, in words for a chooser or a tooltip. */
  readonly how: string;
  /** Latency (ms) of the fastest and slowest subnet, when `searchable`. */
  readonly latencyMs?: CostRange;
}

export interface SearchDefaults {
  readonly device: string;
  readonly constraint: 'latency' | 'flops';
  /** In the constraint's unit: ms or FLOPs. */
  readonly max: number;
  /** Why this device and limit, in one sentence. */
  readonly reason: string;
}

export interface SupernetTargets {
  readonly resolutions: readonly number[];
  /** FLOPs (2 × MACs) of the smallest and the largest subnet. */
  readonly flops: CostRange;
  readonly targets: readonly SupernetTarget[];
  readonly defaults: SearchDefaults;
}

export interface SupernetTargetsInput {
  readonly file: string;
  readonly text: string;
  /** Folder of the tables measured on this machine and on connected devices. */
  readonly lutDirectory?: string;
  /** Connected devices (`greenprint agent`), with `remote:<name>` ids. */
  readonly connected?: readonly { readonly id: string; readonly name: string }[];
  /** Whether this machine has a calibration (its roofline then prices single subnets). */
  readonly calibrated?: boolean;
  /** The device the user works with (setting or --device): the default when it can price the space. */
  readonly preferredDevice?: string;
}

/** Exact extremes of a cost that adds up per block, over a space and its resolutions (see the header). */
export function costRange(space: OfaSpace, resolutions: readonly number[], cost: (arch: SubnetArch) => number): CostRange {
  return { min: extreme(space, resolutions, cost, 1), max: extreme(space, resolutions, cost, -1) };
}

function extreme(space: OfaSpace, resolutions: readonly number[], cost: (arch: SubnetArch) => number, sign: 1 | -1): CostExtreme {
  const { slots } = ofaArchShape(space);
  const stageSlots = ofaSpaceLayout(space).stages.map((s) => s.slots);
  const deepest = Math.max(...space.depthList);
  const replace = (values: readonly number[], i: number, v: number) => values.map((x, j) => (j === i ? v : x));
  let winner: CostExtreme | undefined;
  for (const r of resolutions) {
    const base: SubnetArch = { ks: new Array(slots).fill(space.ksList[0]), e: new Array(slots).fill(space.expandList[0]), d: stageSlots.map(() => deepest), r };
    const baseCost = cost(base);
    // Each slot's best kernel/expand choice, as its cost difference from the base subnet (all slots active).
    const choice = Array.from({ length: slots }, (_, i) => {
      let best = { ks: base.ks[i], e: base.e[i], delta: 0 };
      for (const ks of space.ksList) {
        for (const e of space.expandList) {
          const delta = cost({ ...base, ks: replace(base.ks, i, ks), e: replace(base.e, i, e) }) - baseCost;
          if (sign * delta < sign * best.delta) best = { ks, e, delta };
        }
      }
      return best;
    });
    // Each stage's best depth: dropping the base's blocks past it, keeping the best choices up to it.
    const ks = [...base.ks];
    const e = [...base.e];
    const d: number[] = [];
    let first = 0;
    stageSlots.forEach((count, s) => {
      let pick = { depth: deepest, score: Infinity };
      for (const depth of space.depthList) {
        const active = Math.min(count, depth);
        let score = cost({ ...base, d: replace(base.d, s, depth) }) - baseCost;
        for (let p = 0; p < active; p++) score += choice[first + p].delta;
        if (pick.score === Infinity || sign * score < sign * pick.score) pick = { depth, score };
      }
      d.push(pick.depth);
      for (let p = 0; p < Math.min(count, pick.depth); p++) {
        ks[first + p] = choice[first + p].ks;
        e[first + p] = choice[first + p].e;
      }
      first += count;
    });
    const arch: SubnetArch = { ks, e, d, r };
    const c = cost(arch);
    if (!winner || sign * c < sign * winner.cost) winner = { arch, cost: c };
  }
  return winner!;
}

/** The middle of a range, to two significant digits when that stays strictly inside it. */
export function middleOf(range: CostRange): number {
  const mid = range.min.cost + (range.max.cost - range.min.cost) / 2;
  const rounded = Number(mid.toPrecision(2));
  return rounded > range.min.cost && rounded < range.max.cost ? rounded : mid;
}

function resolutionsOf(description: SupernetDescription): readonly number[] {
  return description.resolutions ?? [description.resolution ?? 224];
}

/** Which devices can price the supernet's subnets, what its cost ranges are, and the first search's defaults. */
export function supernetTargets(input: SupernetTargetsInput): SupernetTargets {
  const description = readSupernetSpace(input.text, input.file);
  if (!description) throw new SearchSetupError(`${input.file}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`);
  const { space, assets } = description;
  const resolutions = resolutionsOf(description);
  const macs = macsModel(space);
  const flops = costRange(space, resolutions, (a) => 2 * macs(a));
  const lutDirectory = input.lutDirectory ?? '';

  const devices = [...listTargetDevices().map((d) => ({ id: d.id, name: d.name, kind: d.kind as string })), ...(input.connected ?? []).map((d) => ({ ...d, kind: 'remote' }))];
  if (assets.latencyTables && !devices.some((d) => d.id === assets.latencyTables!.device)) {
    devices.unshift({ id: assets.latencyTables.device, name: `${assets.latencyTables.device} (the supernet's tables)`, kind: 'lut' });
  }
  const targets = devices.map((device): SupernetTarget => {
    const table = tableTarget(device, description, input.file, lutDirectory, resolutions);
    if (table) return table;
    const base = { id: device.id, name: device.name, searchable: false };
    if (device.kind === 'roofline') return { ...base, method: 'roofline', how: 'roofline from its published peaks, one subnet at a time (details, hints); a search on it limits FLOPs' };
    if (device.id === 'local-cpu' && input.calibrated) {
      return { ...base, method: 'calibrated-roofline', how: 'roofline from this machine’s calibrated rates, one subnet at a time; build a latency table (Greenprint: Build Latency Table…, or greenprint lut build) to search under a latency limit' };
    }
    return { ...base, method: 'none', how: noTableReason(device, space) };
  });
  return { resolutions, flops, targets, defaults: chooseDefaults(targets, flops, input.preferredDevice) };
}

/** A device whose table covers every block of the space, with its latency range; undefined when none does. */
function tableTarget(device: { id: string; name: string; kind: string }, description: SupernetDescription, file: string, lutDirectory: string, resolutions: readonly number[]): SupernetTarget | undefined {
  const own = description.assets.latencyTables?.device === device.id;
  if (!own && device.kind === 'roofline') return undefined;
  let latency: (arch: SubnetArch) => number;
  try {
    latency = latencyFor(description.space, device.id, lutDirectory, file, description.assets);
  } catch (e) {
    if (e instanceof SearchSetupError || e instanceof LutError) return undefined;
    throw e;
  }
  let latencyMs: CostRange;
  try {
    latencyMs = costRange(description.space, resolutions, latency);
  } catch (e) {
    if (e instanceof LutError) return { id: device.id, name: device.name, method: 'none', searchable: false, how: `its latency table does not cover this space: ${e.message}` };
    throw e;
  }
  const how = own ? `the supernet’s own latency tables (${description.assets.latencyTables!.path})` : tableSource(device, lutDirectory);
  return { id: device.id, name: device.name, method: 'table', searchable: true, how, latencyMs };
}

function tableSource(device: { id: string; kind: string }, lutDirectory: string): string {
  if (device.id === 'note10-ofa') return 'OFA’s published Note10 latency tables';
  const lut = findDeviceLut(lutDirectory, device.id.startsWith(REMOTE_PREFIX) ? remoteLutDeviceId(device.id.slice(REMOTE_PREFIX.length)) : device.id);
  const where = device.kind === 'remote' ? 'on the connected device' : 'on this machine';
  return lut ? `a latency table measured ${where} (${lut.backend}, ${lut.runtime}, ${lut.createdAt.slice(0, 10)})` : `a latency table measured ${where}`;
}

function noTableReason(device: { id: string; kind: string }, space: OfaSpace): string {
  if (device.id === 'note10-ofa') return `OFA’s Note10 tables price the MobileNetV3 w1.2 space with OFA’s strides and widths only (this is ${space.space} w${space.widthMult}); a search on it limits FLOPs`;
  if (device.kind === 'remote') return 'no latency table from this device yet: build one on it (Greenprint: Build Latency Table… with the device selected)';
  if (device.id === 'local-gpu') return 'no latency table for this machine’s GPU (greenprint lut build SUPERNET --device local-gpu with tfjs-node-gpu)';
  return 'no latency table or calibration for this machine yet: Greenprint: Calibrate This Machine prices single subnets, Greenprint: Build Latency Table… (or greenprint lut build) prices a search';
}

function chooseDefaults(targets: readonly SupernetTarget[], flops: CostRange, preferred: string | undefined): SearchDefaults {
  const searchable = targets.filter((t) => t.searchable);
  const pick = searchable.find((t) => t.id === preferred) ?? searchable.find((t) => t.id === 'local-cpu') ?? searchable[0];
  if (pick?.latencyMs) {
    const range = pick.latencyMs;
    return {
      device: pick.id,
      constraint: 'latency',
      max: middleOf(range),
      reason: `the middle of the subnets’ latency on ${pick.name} (${formatMs(range.min.cost)} to ${formatMs(range.max.cost)}, priced by ${pick.how})`,
    };
  }
  const device = targets.find((t) => t.id === preferred) ?? targets.find((t) => t.id === 'local-cpu') ?? targets[0];
  return {
    device: device.id,
    constraint: 'flops',
    max: middleOf(flops),
    reason: `the middle of the space’s FLOPs (${formatFlops(flops.min.cost)} for the smallest subnet to ${formatFlops(flops.max.cost)} for the largest); no device can price this supernet’s latency in a search yet`,
  };
}
