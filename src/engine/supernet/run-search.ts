/**
 * A whole search as the CLI (`greenprint search`) and the editor's panel run it: OFA's evolutionary
 * search (or NSGA-II for the Pareto front) over the space a supernet description gives, under one
 * constraint (latency on a device, FLOPs, or CO2e per inference), with the accuracy predictor and latency
 * tables the description points at.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { carbonPerInference, findDeviceLut, REMOTE_PREFIX, remoteLutDeviceId } from '../efficiency';
import { readSupernetSpace, type SupernetAssets } from '../formats/ofa-supernet';
import { isPublishedOfaSkeleton, ofaSpaceLayout, type OfaSpace, type SubnetArch } from '../ofa/spaces';
import { loadOfaLutSet } from '../latency/ofa-lut';
import { lutLatencyModel, macsModel, note10LatencyModel } from './efficiency-model';
import { loadMlpPredictor } from './mlp-predictor';
import { nsga2Search } from './nsga2';
import { loadOfaMbv3AccuracyPredictor } from './predictor';
import { evolutionarySearch, memoizeAccuracy, type AccuracyModel, type EfficiencyFn } from './search';
import type { PredictionError } from './accuracy-cache';

export interface SearchRequest {
  readonly file: string;
  readonly text: string;
  readonly maxLatencyMs?: number;
  readonly maxFlops?: number;
  readonly maxCo2G?: number;
  readonly device?: string;
  readonly multi: boolean;
  readonly seed: number;
  readonly generations?: number;
  readonly lutDirectory: string;
  readonly carbon: { region?: string; pue?: number; powerW?: number };
  readonly onProgress?: (generation: number, generations: number, best: number, details: SearchProgressDetails) => void;
  readonly signal?: AbortSignal;
}

/** What a progress report adds for live views (the editor's panel plots the front while NSGA-II runs). */
export interface SearchProgressDetails {
  readonly evaluated: number;
  /** Multi-objective only: this generation's distinct front with its costs, built on demand. */
  readonly currentFront?: () => SearchPoint[];
}

export class SearchSetupError extends Error {}

/** OFA's published predictor covers exactly this space. */
function isOfaW12(space: OfaSpace): boolean {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return space.space === 'mobilenetv3' && space.widthMult === 1.2 && same(space.ksList, [3, 5, 7]) && same(space.expandList, [3, 4, 6]) && same(space.depthList, [2, 3, 4]) && isPublishedOfaSkeleton(space);
}

/** An asset path of the description, resolved against its folder; missing files are a setup error naming both. */
function assetPath(file: string, relative: string, what: string): string {
  const resolved = path.resolve(path.dirname(file), relative);
  if (!existsSync(resolved)) throw new SearchSetupError(`${file}: ${what} "${relative}" not found (looked for ${resolved}).`);
  return resolved;
}

/** Same elastic choices and the same skeleton (strides and widths, OFA's when a space names none). */
const sameSpace = (a: OfaSpace, b: OfaSpace) => {
  const key = (s: OfaSpace) => {
    const layout = ofaSpaceLayout(s);
    return JSON.stringify([s.space, s.widthMult, s.ksList, s.expandList, s.depthList, s.nClasses, s.inChannels ?? 3, layout.firstConv.stride, layout.stages.map((st) => [st.stride, st.width])]);
  };
  return key(a) === key(b);
};

/**
 * The description's `accuracy_predictor` (OFA's `.pth` or a Greenprint `model.json`), else OFA's bundled
 * predictor for the one space it covers.
 */
function accuracyFor(space: OfaSpace, file: string, assets: SupernetAssets): AccuracyModel {
  if (assets.accuracyPredictor) {
    const predictorFile = assetPath(file, assets.accuracyPredictor, 'accuracy_predictor');
    if (predictorFile.endsWith('.pth')) {
      if (!isOfaW12(space)) throw new SearchSetupError(`${file}: ${assets.accuracyPredictor} is an OFA predictor, which encodes the MobileNetV3 w1.2 space only (ks 3/5/7, e 3/4/6, d 2/3/4).`);
      return memoizeAccuracy(loadOfaMbv3AccuracyPredictor(predictorFile));
    }
    const predictor = loadMlpPredictor(predictorFile);
    if (!sameSpace(predictor.metadata.space, space)) throw new SearchSetupError(`${file}: ${assets.accuracyPredictor} was trained for another space (${JSON.stringify(predictor.metadata.space)}).`);
    return memoizeAccuracy(predictor);
  }
  if (!isOfaW12(space)) {
    throw new SearchSetupError(
      `${file}: no accuracy predictor for this space: add "accuracy_predictor" (train one with \`greenprint predictor train DATA --supernet ${path.basename(file)} --out DIR\`); OFA's bundled predictor covers the MobileNetV3 w1.2 space only.`,
    );
  }
  return memoizeAccuracy(loadOfaMbv3AccuracyPredictor());
}

/** The latency model a search uses for a device (also asked by ./targets.ts, which devices can price a space). */
export function latencyFor(space: OfaSpace, device: string, lutDirectory: string, file: string, assets: SupernetAssets): EfficiencyFn {
  if (assets.latencyTables && assets.latencyTables.device === device) {
    const dir = assetPath(file, assets.latencyTables.path, 'latency_tables');
    return lutLatencyModel(space, loadOfaLutSet(dir, { id: device, name: `${device} (${assets.latencyTables.path})` }));
  }
  if (device === 'note10-ofa') {
    if (!isOfaW12(space)) {
      throw new SearchSetupError(
        `${file}: OFA's Note10 tables price the MobileNetV3 w1.2 space only. For this supernet build a table on this machine (\`greenprint lut build ${path.basename(file)} --device local-cpu\`) and pass --device local-cpu, or limit FLOPs instead (--max-flops).`,
      );
    }
    return note10LatencyModel(space);
  }
  if (device.startsWith(REMOTE_PREFIX)) {
    const name = device.slice(REMOTE_PREFIX.length);
    const lut = findDeviceLut(lutDirectory, remoteLutDeviceId(name));
    if (!lut) throw new SearchSetupError(`no latency table for the connected device "${name}" in ${lutDirectory}: build one on it first (Greenprint: Build Latency Table with the device selected).`);
    return lutLatencyModel(space, lut, { estimator: lut.estimator });
  }
  if (device === 'local-cpu' || device === 'local-gpu') {
    const lut = findDeviceLut(lutDirectory, device);
    if (!lut) throw new SearchSetupError(`no latency table for ${device} in ${lutDirectory}: run \`greenprint lut build SUPERNET --device ${device}\` first.`);
    return lutLatencyModel(space, lut, { estimator: lut.estimator });
  }
  throw new SearchSetupError(`searching under a latency limit needs a lookup table: --device note10-ofa or a local device with a built table, not "${device}".`);
}

/** One subnet found by the search with what it costs (latency and CO2e when the search had a device). */
export interface SearchPoint {
  readonly arch: SubnetArch;
  readonly accuracy: number;
  readonly latencyMs?: number;
  readonly macs: number;
  /** 2 × macs, the project's FLOPs (what a --max-flops limit bounds). */
  readonly flops: number;
  readonly co2eG?: number;
}

export interface SearchOutcome {
  readonly constraint: { readonly kind: 'latency' | 'flops' | 'co2'; readonly max: number; readonly unit: string; readonly device?: string };
  readonly best: SearchPoint;
  readonly front?: readonly SearchPoint[];
  readonly evaluated: number;
  readonly seconds: number;
  readonly seed: number;
  /** The accuracy predictor's measured error (its held-out RMSE), when it records one. */
  readonly accuracyError?: PredictionError;
}

export function runSearch(req: SearchRequest): SearchOutcome {
  const read = readSupernetSpace(req.text, req.file);
  if (!read) throw new SearchSetupError(`${req.file}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`);
  const limits = [req.maxLatencyMs, req.maxFlops, req.maxCo2G].filter((x) => x !== undefined);
  if (limits.length !== 1) throw new SearchSetupError('give exactly one of --max-latency MS, --max-flops N, --max-co2 G.');
  const space = read.space;
  const resolutions = read.resolutions ?? [read.resolution ?? 224];
  const accuracy = accuracyFor(space, req.file, read.assets);
  const macs = macsModel(space);
  const device = req.device ?? (req.maxFlops !== undefined ? undefined : 'note10-ofa');
  const latency = device ? latencyFor(space, device, req.lutDirectory, req.file, read.assets) : undefined;
  const co2 = latency && device ? carbonPerInference(device, req.carbon) : undefined;

  let kind: SearchOutcome['constraint']['kind'];
  let efficiency: EfficiencyFn;
  let max: number;
  let unit: string;
  if (req.maxLatencyMs !== undefined) {
    [kind, efficiency, max, unit] = ['latency', latency!, req.maxLatencyMs, 'ms'];
  } else if (req.maxFlops !== undefined) {
    // OFA's "FLOPs" are MACs; Greenprint's FLOPs are 2 × MACs, so the limit is halved for the MAC model.
    [kind, efficiency, max, unit] = ['flops', (a) => 2 * macs(a), req.maxFlops, 'FLOPs'];
  } else {
    [kind, efficiency, max, unit] = ['co2', (a) => co2!(latency!(a)), req.maxCo2G!, 'gCO2e per inference'];
  }

  const describe = (arch: SubnetArch, acc: number): SearchPoint => {
    const m = macs(arch);
    return { arch, accuracy: acc, latencyMs: latency?.(arch), macs: m, flops: 2 * m, co2eG: latency && co2 ? co2(latency(arch)) : undefined };
  };
  const t0 = performance.now();
  if (req.multi) {
    const result = nsga2Search({
      space,
      resolutions,
      accuracy,
      costs: [{ name: kind, cost: efficiency }],
      constraint: { efficiency, max, name: kind },
      seed: req.seed,
      generations: req.generations,
      signal: req.signal,
      onProgress: (p) =>
        req.onProgress?.(p.generation, p.generations, p.bestAccuracy, { evaluated: p.evaluated, currentFront: () => p.currentFront().map((q) => describe(q.arch, q.accuracy)) }),
    });
    const front = result.front.map((p) => describe(p.arch, p.accuracy));
    const best = front.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
    return { constraint: { kind, max, unit, device }, best, front, evaluated: result.evaluated, seconds: (performance.now() - t0) / 1000, seed: req.seed, accuracyError: accuracy.error };
  }
  const result = evolutionarySearch({
    space,
    resolutions,
    accuracy,
    efficiency,
    constraint: max,
    seed: req.seed,
    generations: req.generations,
    signal: req.signal,
    onProgress: (p) => req.onProgress?.(p.generation, p.generations, p.bestAccuracy, { evaluated: p.evaluated }),
  });
  return {
    constraint: { kind, max, unit, device },
    best: describe(result.best.arch, result.best.accuracy),
    evaluated: result.evaluated,
    seconds: (performance.now() - t0) / 1000,
    seed: req.seed,
    accuracyError: accuracy.error,
  };
}


