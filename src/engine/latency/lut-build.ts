/**
 * Builds a latency LUT by profiling blocks one at a time on a real runtime.
 *
 * `buildLut` is resumable: it loads the LUT file if there is one (it must be a valid LUT of the same device),
 * skips every key already in it, and saves the file atomically after each new entry, so an interrupted build
 * (AbortSignal, crash) loses at most the entry being measured. The fixed per-inference overhead is measured
 * once, when the file is created. Every measurement must come from the backend, runtime, threads and batch
 * the file was started with; a mismatch stops the build rather than mixing runtimes in one table.
 *
 * Measurement on a busy machine: each of `rounds` rounds is a sequence of short passes — `PASS_BLOCKS` (8)
 * blocks, then the calibration networks spread evenly over the round — so block and whole-network timings
 * interleave and a drift of the machine's speed hits both alike. Every pass is bracketed by a reference
 * kernel and timed again when it was disturbed (./lut-passes.ts). The calibration networks then fit the
 * table's overhead and scale and give its own error band (./lut-validate.ts).
 *
 * The blocks come from `enumerateSpaceBlocks` (every distinct block of an OFA space at one resolution, keyed
 * in OFA's grammar; for OFA-MobileNetV3 5 fixed ops + the first block + 5 stages × 2 positions × |ks| × |e|)
 * or `modelBlocks` (the distinct layers of any model, signature keys). The profiler is injected so the
 * builder is testable without a runtime; the TF.js one lives in src/engine/runtime/.
 */
import { existsSync } from 'node:fs';
import { evaluate } from '../cost';
import type { ModelIR, Shape } from '../ir';
import { buildOfaNet } from '../ofa/net-builder';
import { expandOfaArch } from '../ofa/expand';
import { createRng } from '../ofa/random';
import { ofaArchShape, type OfaSpace } from '../ofa/spaces';
import { DiagnosticSink } from '../diagnostics';
import { parseJsonDocument } from '../source/json';
import type { Measurement } from '../runtime/types';
import { layerSignatureKey, ofaLayerLutKeys } from './keys';
import { emptyLut, loadLut, LutError, saveLut, type LatencyLut, type LutDisturbance, type LutEntry } from './lut';
import { PassTimer } from './lut-passes';
import { fitCalibration, heldOutBand, validationBand } from './lut-validate';
import { predictFromLut, type LutEstimator } from './predict';
import { layerSubgraph } from './subgraph';

/** One thing to time: its LUT key and a standalone model that runs exactly it. */
export interface LutBlock {
  readonly key: string;
  readonly ir: ModelIR;
}

export interface LatencyProfiler {
  /** Times one standalone model (all its inputs fed, all outputs read back). */
  profile(ir: ModelIR): Promise<Measurement>;
  /** Times a call that does no work on an input of this shape: the fixed cost every inference pays. */
  overhead(inputShape: Shape): Promise<Measurement>;
}

export interface LutProgress {
  readonly done: number;
  readonly total: number;
  readonly key: string;
}

export interface BuildLutOptions {
  readonly blocks: readonly LutBlock[];
  readonly profiler: LatencyProfiler;
  readonly lutPath: string;
  readonly device: { readonly id: string; readonly name: string };
  readonly onProgress?: (progress: LutProgress) => void;
  readonly signal?: AbortSignal;
  /** Input of the overhead measurement; defaults to the first block's first input. */
  readonly overheadInputShape?: Shape;
  /**
   * Passes over the new blocks (default 1). Later passes re-time every block and keep its fastest run
   * and the median of its medians, so each entry samples the machine at several moments: on a machine
   * whose speed drifts over seconds (shared VMs, thermal limits) one pass can catch a block in a slow
   * spell that a whole-network run averages out.
   */
  readonly rounds?: number;
  /** Which figure predictions will sum; recorded in the table. Default `median`. */
  readonly estimator?: LutEstimator;
  /**
   * Whole networks to fit the overhead (and with ≥ 4 networks a scale) on, timed once per round between the
   * block passes (./lut-validate.ts); the overhead may be negative when isolated blocks pay more dispatch than
   * a network. They also give the table's error band. Without them the overhead is the time of an empty call
   * and the table has no band.
   */
  readonly calibration?: readonly ModelIR[];
  /**
   * Networks the table never uses, timed whole after it is complete (`rounds` times each, in turn) and
   * predicted by it: their errors give the table's band (./lut-validate.ts heldOutBand) in place of the
   * calibration networks' leave-one-out errors. At least 2; the space builds sample 12.
   */
  readonly validation?: readonly ModelIR[];
  /**
   * Time a reference kernel between passes and time a disturbed pass again (./lut-passes.ts); default true.
   * False times every pass once, unchecked.
   */
  readonly checkPasses?: boolean;
}

export interface BuildLutResult {
  readonly lut: LatencyLut;
  /** Keys measured by this call. */
  readonly measured: readonly string[];
  /** Keys already in the file. */
  readonly skipped: readonly string[];
  /** How disturbed this build's passes were (also in the table), when they were checked. */
  readonly disturbance?: LutDisturbance;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  if (reason instanceof Error) return reason;
  const e = new Error('LUT build aborted');
  e.name = 'AbortError';
  return e;
}

function checkSameRuntime(lut: LatencyLut, m: Measurement, file: string): void {
  const diffs: string[] = [];
  if (m.backend !== lut.backend) diffs.push(`backend ${m.backend} ≠ ${lut.backend}`);
  if (m.runtime !== lut.runtime) diffs.push(`runtime ${m.runtime} ≠ ${lut.runtime}`);
  if (m.threads !== lut.threads) diffs.push(`threads ${m.threads} ≠ ${lut.threads}`);
  if (m.batch !== lut.batch) diffs.push(`batch ${m.batch} ≠ ${lut.batch}`);
  if (diffs.length > 0) throw new LutError(`${file} was built on another runtime (${diffs.join(', ')}); use a new LUT file for this one.`);
}

function firstInputShape(ir: ModelIR): Shape {
  const input = ir.nodes.find((n) => n.op === 'input');
  if (!input) throw new LutError(`${ir.modelName}: no input node to measure the overhead with`);
  return input.attrs.shape as number[];
}

export async function buildLut(options: BuildLutOptions): Promise<BuildLutResult> {
  const { profiler, lutPath, device, signal } = options;
  const unique = new Map<string, LutBlock>();
  for (const b of options.blocks) if (!unique.has(b.key)) unique.set(b.key, b);

  let lut: LatencyLut | undefined;
  if (existsSync(lutPath)) {
    lut = loadLut(lutPath); // throws on anything that is not a LUT: such a file is never touched
    if (lut.device.id !== device.id) throw new LutError(`${lutPath} is a LUT of device "${lut.device.id}", not "${device.id}"; use a new file.`);
  }
  const skipped = [...unique.keys()].filter((k) => lut?.entries[k] !== undefined);
  const todo = [...unique.values()].filter((b) => lut?.entries[b.key] === undefined);
  const total = unique.size;
  let done = skipped.length;
  const measured: string[] = [];

  if (!lut) {
    if (todo.length === 0) throw new LutError('nothing to measure: no blocks given');
    signal?.throwIfAborted();
    const shape = options.overheadInputShape ?? firstInputShape(todo[0].ir);
    const m = await profiler.overhead(shape);
    lut = emptyLut({ device: { id: device.id, name: device.name }, backend: m.backend, runtime: m.runtime, threads: m.threads, batch: m.batch, overheadMs: m.medianMs });
    saveLut(lutPath, lut); // creates the file; fails if something appeared there meanwhile
  }

  const rounds = Math.max(1, Math.floor(options.rounds ?? 1));
  const calibration = options.calibration ?? [];
  const estimator = options.estimator ?? lut.estimator ?? 'median';
  if (options.estimator) lut = { ...lut, estimator };
  const figure = (m: Measurement) => (estimator === 'min' ? m.minMs : m.medianMs);

  // Each round is a sequence of passes: a chunk of blocks, then the calibration networks that fall to it.
  const chunks: LutBlock[][] = [];
  for (let i = 0; i < todo.length; i += PASS_BLOCKS) chunks.push(todo.slice(i, i + PASS_BLOCKS));
  const passCount = Math.max(1, chunks.length);
  const netsOfPass = (p: number) => calibration.map((_, i) => i).filter((i) => Math.floor((i * passCount) / calibration.length) === p);
  const reference = options.checkPasses === false ? undefined : referenceKernel(todo.length ? todo : [...unique.values()]);
  const timer = new PassTimer(profiler, reference, { signal, abortError, redoBudget: passCount * rounds });
  const medians = new Map<string, number[]>();
  const netTimes: Measurement[][] = calibration.map(() => []);
  const provisional = new Set<string>();
  for (let round = 1; round <= rounds; round++) {
    for (let p = 0; p < passCount; p++) {
      const chunk = chunks[p] ?? [];
      const nets = netsOfPass(p);
      if (chunk.length + nets.length === 0) continue;
      const kept = await timer.time([...chunk.map((b) => b.ir), ...nets.map((i) => calibration[i])], (index, m) => {
        // The first round saves each entry as soon as it is timed: an interrupted build loses at most one.
        if (round !== 1 || index >= chunk.length) return;
        checkSameRuntime(lut!, m, lutPath);
        const key = chunk[index].key;
        lut = { ...lut!, entries: { ...lut!.entries, [key]: entryOf(m) } };
        saveLut(lutPath, lut, { overwrite: true });
        if (provisional.has(key)) return;
        provisional.add(key);
        measured.push(key);
        done++;
        options.onProgress?.({ done, total, key });
      });
      const entries: Record<string, LutEntry> = { ...lut.entries };
      chunk.forEach((block, i) => {
        const m = kept[i];
        checkSameRuntime(lut!, m, lutPath);
        const seen = round === 1 ? [] : medians.get(block.key)!;
        seen.push(m.medianMs);
        medians.set(block.key, seen);
        entries[block.key] = round === 1 ? entryOf(m) : mergeEntry(entries[block.key], m, seen);
      });
      nets.forEach((net, i) => {
        checkSameRuntime(lut!, kept[chunk.length + i], lutPath);
        netTimes[net].push(kept[chunk.length + i]);
      });
      lut = { ...lut, entries };
      saveLut(lutPath, lut, { overwrite: true });
    }
    if (round > 1) options.onProgress?.({ done: total, total, key: `pass ${round} of ${rounds}` });
  }

  if (calibration.length) {
    const points = calibration.map((model, i) => {
      const sum = predictFromLut(model, evaluate(model, { batch: lut!.batch }), { ...lut!, overheadMs: 0, scale: 1 }, estimator);
      if (sum.missing.length) throw new LutError(`calibration network ${model.modelName} has layers the table lacks (${sum.missing[0]})`);
      const times = netTimes[i].map(figure).sort((a, b) => a - b);
      // The network's figure the way entries get theirs: its fastest run, or the median of its passes' medians.
      return { sumMs: sum.totalMs, measuredMs: estimator === 'min' ? times[0] : times[Math.floor((times.length - 1) / 2)], passes: netTimes[i] };
    });
    const fit = fitCalibration(points);
    const validation =
      points.length >= 2
        ? validationBand(points, 'leave-one-out')
        : validationBand(points[0].passes.map((m) => ({ sumMs: points[0].sumMs, measuredMs: figure(m) })), 're-timed');
    const { validation: _old, ...rest } = lut;
    lut = {
      ...rest,
      overheadMs: fit.overheadMs,
      scale: fit.scale,
      calibration: { models: points.length, residualsMs: points.map((pt) => pt.measuredMs - pt.sumMs) },
      ...(validation ? { validation } : {}),
    };
    options.onProgress?.({ done: total, total, key: `calibration on ${points.length} network(s)` });
  }
  const held = options.validation ?? [];
  if (held.length >= 2) {
    const fastest: Measurement[][] = held.map(() => []);
    // Round by round over all networks, not network by network: a slow spell then hits one round of many.
    for (let round = 0; round < rounds; round++) {
      for (const [i, model] of held.entries()) {
        signal?.throwIfAborted();
        const m = await profiler.profile(model);
        checkSameRuntime(lut, m, lutPath);
        fastest[i].push(m);
      }
      options.onProgress?.({ done: total, total, key: `validation round ${round + 1} of ${rounds} on ${held.length} networks` });
    }
    const validation = heldOutBand(held.map((model, i) => {
      const predicted = predictFromLut(model, evaluate(model, { batch: lut!.batch }), lut!, estimator);
      if (predicted.missing.length) throw new LutError(`validation network ${model.modelName} has layers the table lacks (${predicted.missing[0]})`);
      const times = fastest[i].map(figure).sort((a, b) => a - b);
      return { predictedMs: predicted.totalMs, measuredMs: estimator === 'min' ? times[0] : times[Math.floor((times.length - 1) / 2)] };
    }));
    if (validation) lut = { ...lut, validation };
  }
  const disturbance = timer.summary();
  if (disturbance.passes > 0 && reference) lut = { ...lut, disturbance };
  saveLut(lutPath, lut, { overwrite: true });
  return { lut, measured, skipped, ...(lut.disturbance ? { disturbance: lut.disturbance } : {}) };
}

/** Blocks per pass: short enough that a disturbance is caught near where it happened. */
export const PASS_BLOCKS = 8;

function entryOf(m: Measurement): LutEntry {
  return { minMs: m.minMs, medianMs: m.medianMs, p10Ms: m.p10Ms, p90Ms: m.p90Ms, runs: m.runs };
}

/** A later pass: fastest run over all passes, median of the passes' medians, widest p10…p90. */
function mergeEntry(before: LutEntry, m: Measurement, medians: readonly number[]): LutEntry {
  const sorted = [...medians].sort((a, b) => a - b);
  return {
    minMs: Math.min(before.minMs ?? before.medianMs, m.minMs),
    medianMs: sorted[Math.floor((sorted.length - 1) / 2)],
    p10Ms: Math.min(before.p10Ms, m.p10Ms),
    p90Ms: Math.max(before.p90Ms, m.p90Ms),
    runs: before.runs + m.runs,
  };
}

/** The block of median MACs: typical of the table, and cheap enough to time at every pass boundary. */
function referenceKernel(blocks: readonly LutBlock[]): ModelIR | undefined {
  if (blocks.length === 0) return undefined;
  const byMacs = blocks.map((b) => ({ b, macs: evaluate(b.ir, { batch: 1 }).totals.macs })).sort((x, y) => x.macs - y.macs);
  const ir = byMacs[Math.floor((byMacs.length - 1) / 2)].b.ir;
  return { ...ir, modelName: `${ir.modelName} (reference kernel)` };
}

/** Reads a net config object as an IR (the supernet reader's path: serialise, parse, build). */
function netIR(config: Record<string, unknown>, resolution: number, name: string): ModelIR {
  const sink = new DiagnosticSink();
  const ir = buildOfaNet(parseJsonDocument(JSON.stringify(config)).root!, sink, { format: 'ofa-supernet', imageSize: [resolution, resolution], modelName: name });
  const problems = sink.items.filter((d) => d.severity === 'error');
  if (problems.length > 0) throw new Error(`${name}: ${problems[0].message}`);
  return ir;
}

/**
 * Every distinct block of an OFA MobileNetV3 / ProxylessNAS space at one resolution, keyed in OFA's grammar.
 * One uniform subnet per (kernel, expand) pair at full depth contains, in every stage, the stage-first block
 * and an inner block with that pair; together with the fixed layers they cover the whole table. A layer with
 * two keys (MBv3's feature_mix_layer: pooling, then Conv_2) is split so each key times its own ops.
 */
export function enumerateSpaceBlocks(space: OfaSpace, resolution: number): LutBlock[] {
  const shape = ofaArchShape(space);
  const blocks = new Map<string, LutBlock>();
  const depth = Math.max(...space.depthList);
  for (const ks of space.ksList) {
    for (const e of space.expandList) {
      const arch = { ks: new Array<number>(shape.slots).fill(ks), e: new Array<number>(shape.slots).fill(e), d: new Array<number>(shape.stages).fill(depth) };
      const ir = netIR(expandOfaArch(space, arch), resolution, `${space.space} w${space.widthMult} k${ks} e${e} @${resolution}`);
      const { nodeShapes } = evaluate(ir, { batch: 1 });
      const layerKeys = ofaLayerLutKeys(ir, nodeShapes);
      ir.layers.forEach((_, index) => {
        const keys = layerKeys[index] ?? [];
        keys.forEach((key, k) => {
          if (blocks.has(key)) return;
          let keep: ((n: ModelIR['nodes'][number]) => boolean) | undefined;
          if (keys.length === 2) {
            // [AvgPool2D, Conv_2 | Logits]: the leading global pool is the first key, the rest the second.
            const pool = ir.nodes.find((n) => n.layer === index && n.op === 'globalPool');
            keep = k === 0 ? (n) => n === pool : (n) => n !== pool;
          }
          blocks.set(key, { key, ir: layerSubgraph(ir, nodeShapes, index, keep) });
        });
      });
    }
  }
  return [...blocks.values()];
}

/** Held-out networks a space build times for the table's band (BuildLutOptions.validation). */
export const VALIDATION_SUBNETS = 12;

/**
 * What a LUT build for a supernet space times: the distinct blocks at every resolution the search may pick
 * (a table missing one resolution stops the search), calibration subnets spread over them, and
 * `validationSubnets` other subnets (another seed) for the band.
 */
export function spaceLutWork(space: OfaSpace, resolutions: readonly number[], calibrationSubnets: number, seed: number, validationSubnets = VALIDATION_SUBNETS): { blocks: LutBlock[]; calibration: ModelIR[]; validation: ModelIR[] } {
  const byKey = new Map<string, LutBlock>();
  for (const r of resolutions) for (const block of enumerateSpaceBlocks(space, r)) if (!byKey.has(block.key)) byKey.set(block.key, block);
  const spread = (count: number, from: number) => {
    const perResolution = Math.max(1, Math.round(count / resolutions.length));
    return resolutions.flatMap((r) => sampleSpaceSubnets(space, r, perResolution, from));
  };
  return { blocks: [...byKey.values()], calibration: spread(calibrationSubnets, seed), validation: validationSubnets >= 2 ? spread(validationSubnets, seed + 1_000_003) : [] };
}

/** The distinct layers of any model (signature keys), each as a standalone model, in first-seen order. */
export function modelBlocks(ir: ModelIR): LutBlock[] {
  const { nodeShapes } = evaluate(ir, { batch: 1 });
  const blocks = new Map<string, LutBlock>();
  ir.layers.forEach((_, index) => {
    if (!ir.nodes.some((n) => n.layer === index)) return;
    const key = layerSignatureKey(ir, nodeShapes, index);
    if (!blocks.has(key)) blocks.set(key, { key, ir: layerSubgraph(ir, nodeShapes, index) });
  });
  return [...blocks.values()];
}

/**
 * Uniformly random subnets of a space at one resolution (OFA's `sample_active_subnet`), as models; the same
 * seed samples the same subnets on every machine. No resolution is drawn (`sampleArch` would draw one), so
 * the sequence stays that of the tables already built.
 */
export function sampleSpaceSubnets(space: OfaSpace, resolution: number, count: number, seed: number): ModelIR[] {
  const rng = createRng(seed);
  const shape = ofaArchShape(space);
  return Array.from({ length: count }, (_, i) => {
    const arch = {
      ks: Array.from({ length: shape.slots }, () => rng.pick(space.ksList)),
      e: Array.from({ length: shape.slots }, () => rng.pick(space.expandList)),
      d: Array.from({ length: shape.stages }, () => rng.pick(space.depthList)),
    };
    return netIR(expandOfaArch(space, arch), resolution, `${space.space} w${space.widthMult} subnet ${seed}/${i} @${resolution}`);
  });
}
