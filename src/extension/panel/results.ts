/**
 * The panel's host-side decisions that need neither VS Code nor the engine bundle, so unit tests run them
 * in Node: checking the form, turning it into a search job (and saying why a device cannot price latency),
 * turning the engine's outcome into the points the webview plots, and naming the folder a subnet is
 * extracted to. Engine functions come in as arguments (the extension loads the engine lazily).
 */
import * as path from 'node:path';
import type { SearchOutcome, SearchPoint, SearchRequest } from '../../engine/supernet/run-search';
import type { CostRange, SupernetTargets } from '../../engine/supernet/targets';
import type { PanelArch, PanelPoint, PanelRequest, PanelResults, SupernetLimits } from './protocol';
import { requestProblem } from './request';

/** The engine's search outcome and its points (type-only: the panel host never loads the engine statically). */
export type OutcomeLike = Omit<SearchOutcome, 'seed'>;
export type PointLike = SearchPoint;

/** What `runSearch` needs besides callbacks (src/engine/supernet/search-protocol.ts SearchJob). */
export type SearchJobLike = Omit<SearchRequest, 'onProgress' | 'signal'>;

export class PanelRequestError extends Error {}

export interface JobPlan {
  readonly job: SearchJobLike;
  /** Said above the results: what the search could not price and why. */
  readonly notes: string[];
}

/**
 * The search job for a request. Latency and CO2e limits need a latency table for the device (the supernet's
 * own, OFA's Note10 tables, or one built on this machine); without one a FLOPs search still runs, priced in
 * FLOPs only, and the notes say so.
 */
export function planSearch(
  request: PanelRequest,
  supernetText: string,
  latencyDevices: readonly string[],
  deviceName: string,
  settings: { readonly lutDirectory: string; readonly carbon: SearchJobLike['carbon'] },
): JobPlan {
  const problem = requestProblem(request);
  if (problem) throw new PanelRequestError(problem);
  const priced = latencyDevices.includes(request.device);
  const notes: string[] = [];
  if (!priced) {
    const how = request.device.startsWith('local-')
      ? `${request.device === 'local-cpu' ? 'the panel builds one in the background while greenprint.calibrateOnOpen is on, or ' : 'build one with '}\`greenprint lut build ${path.basename(request.supernet)} --device ${request.device}\``
      : request.device === 'note10-ofa'
        ? 'OFA’s Note10 tables cover the MobileNetV3 w1.2 space only'
        : 'catalogue devices are priced by a roofline per model, which is too slow for a search';
    if (request.constraint !== 'flops') {
      throw new PanelRequestError(`A ${request.constraint === 'latency' ? 'latency' : 'CO₂e'} limit needs a latency table for ${deviceName}, and this supernet has none (${how}). Limit FLOPs instead, or choose a device with a table.`);
    }
    notes.push(`No latency table for ${deviceName} (${how}): the search prices subnets in FLOPs only; the details of a subnet give the engine's estimate for ${deviceName}.`);
  }
  const limit = request.constraint === 'latency' ? { maxLatencyMs: request.max } : request.constraint === 'flops' ? { maxFlops: request.max } : { maxCo2G: request.max };
  return {
    job: {
      file: request.supernet,
      text: supernetText,
      ...limit,
      device: priced ? request.device : undefined,
      multi: request.multi,
      seed: request.seed,
      generations: request.generations,
      lutDirectory: settings.lutDirectory,
      carbon: settings.carbon,
    },
    notes,
  };
}

export function toPanelPoint(p: PointLike, keyOf: (arch: PanelArch) => string): PanelPoint {
  const arch = { ks: [...p.arch.ks], e: [...p.arch.e], d: [...p.arch.d], r: p.arch.r };
  return { key: keyOf(arch), arch, accuracy: p.accuracy, latencyMs: p.latencyMs, macs: p.macs, flops: 2 * p.macs, co2eG: p.co2eG };
}

/** The points to show: the whole front of a multi-objective search, the one best subnet otherwise. */
export function toPanelResults(outcome: OutcomeLike, request: PanelRequest, keyOf: (arch: PanelArch) => string, extra: { readonly deviceName?: string; readonly notes?: readonly string[] } = {}): PanelResults {
  const points = (outcome.front && outcome.front.length ? outcome.front : [outcome.best]).map((p) => toPanelPoint(p, keyOf));
  const best = toPanelPoint(outcome.best, keyOf);
  if (!points.some((p) => p.key === best.key)) points.push(best);
  return {
    request,
    constraint: outcome.constraint,
    deviceName: extra.deviceName,
    points,
    bestKey: best.key,
    evaluated: outcome.evaluated,
    seconds: outcome.seconds,
    accuracyError: outcome.accuracyError,
    notes: [...(extra.notes ?? [])],
  };
}

/** The engine's targets and ranges of a supernet, as the webview's chooser and form need them. */
export function toSupernetLimits(t: SupernetTargets, middleOf: (range: CostRange) => number): SupernetLimits {
  const range = (r: CostRange) => ({ min: r.min.cost, max: r.max.cost, middle: middleOf(r) });
  return {
    flops: range(t.flops),
    latencyMs: Object.fromEntries(t.targets.filter((d) => d.latencyMs).map((d) => [d.id, range(d.latencyMs!)])),
    how: Object.fromEntries(t.targets.map((d) => [d.id, d.how])),
    defaults: t.defaults,
  };
}

/** The default folder name of an extraction: one rule, in the engine (the CLI uses it too). */
export { subnetFolderName } from '../../engine/supernet/run-extract';

/** Human summary of a supernet's space for the chooser. */
export function spaceSummary(space: { readonly space: string; readonly widthMult: number; readonly nClasses: number }, resolutions: readonly number[] | undefined): string {
  const name = space.space === 'mobilenetv3' ? 'MobileNetV3' : 'ProxylessNAS';
  const rs = resolutions && resolutions.length ? (resolutions.length === 1 ? `r ${resolutions[0]}` : `r ${Math.min(...resolutions)}–${Math.max(...resolutions)}`) : 'r from arch';
  return `${name} w${space.widthMult} · ${space.nClasses} classes · ${rs}`;
}
