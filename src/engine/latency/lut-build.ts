/**
 * Builds a latency LUT by profiling blocks one at a time on a real runtime.
 *
 * `buildLut` is resumable: it loads the LUT file if there is one (it must be a valid LUT of the same device),
 * skips every key already in it, and saves the file atomically after each new entry, so an interrupted build
 * (AbortSignal, crash) loses at most the entry being measured. The fixed per-inference overhead is measured
 * once, when the file is created. Every measurement must come from the backend, runtime, threads and batch
 * the file was started with; a mismatch stops the build rather than mixing runtimes in one table.
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
import { emptyLut, loadLut, LutError, saveLut, type LatencyLut, type LutEntry } from './lut';
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
   * Whole networks to fit the fixed overhead on: each is timed and the overhead becomes the median of
   * (measured − sum of its entries), negative when isolated blocks pay more dispatch than a network. Captures what isolated blocks miss (per-call dispatch,
   * caches cold between layers). Without them the overhead is the time of an empty call.
   */
  readonly calibration?: readonly ModelIR[];
}

export interface BuildLutResult {
  readonly lut: LatencyLut;
  /** Keys measured by this call. */
  readonly measured: readonly string[];
  /** Keys already in the file. */
  readonly skipped: readonly string[];
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

  for (const block of todo) {
    if (signal?.aborted) throw abortError(signal);
    const m = await profiler.profile(block.ir);
    checkSameRuntime(lut, m, lutPath);
    lut = { ...lut, entries: { ...lut.entries, [block.key]: { minMs: m.minMs, medianMs: m.medianMs, p10Ms: m.p10Ms, p90Ms: m.p90Ms, runs: m.runs } } };
    // The file is a validated LUT of this device that this build extends: replacing it is its purpose.
    saveLut(lutPath, lut, { overwrite: true });
    measured.push(block.key);
    done++;
    options.onProgress?.({ done, total, key: block.key });
  }
  const rounds = Math.max(1, Math.floor(options.rounds ?? 1));
  for (let round = 2; round <= rounds; round++) {
    const medians = new Map<string, number[]>();
    for (const block of todo) {
      if (signal?.aborted) throw abortError(signal);
      const m = await profiler.profile(block.ir);
      checkSameRuntime(lut, m, lutPath);
      const before: LutEntry = lut.entries[block.key];
      const seen = medians.get(block.key) ?? [before.medianMs];
      seen.push(m.medianMs);
      medians.set(block.key, seen);
      const sorted = [...seen].sort((a, b) => a - b);
      lut = {
        ...lut,
        entries: {
          ...lut.entries,
          [block.key]: {
            minMs: Math.min(before.minMs ?? before.medianMs, m.minMs),
            medianMs: sorted[Math.floor((sorted.length - 1) / 2)],
            p10Ms: Math.min(before.p10Ms, m.p10Ms),
            p90Ms: Math.max(before.p90Ms, m.p90Ms),
            runs: before.runs + m.runs,
          },
        },
      };
    }
    saveLut(lutPath, lut, { overwrite: true });
    options.onProgress?.({ done: total, total, key: `pass ${round} of ${rounds}` });
  }
  const estimator = options.estimator ?? lut.estimator ?? 'median';
  if (options.estimator) lut = { ...lut, estimator };
  if (options.calibration?.length) {
    const residualsMs: number[] = [];
    for (const [i, model] of options.calibration.entries()) {
      if (signal?.aborted) throw abortError(signal);
      let best: Measurement | undefined;
      for (let r = 0; r < rounds; r++) {
        const m = await profiler.profile(model);
        checkSameRuntime(lut, m, lutPath);
        if (!best || m.minMs < best.minMs) best = { ...m, medianMs: Math.min(m.medianMs, best?.medianMs ?? Infinity) };
      }
      const sum = predictFromLut(model, evaluate(model, { batch: lut.batch }), { ...lut, overheadMs: 0 }, estimator);
      if (sum.missing.length) throw new LutError(`calibration network ${model.modelName} has layers the table lacks (${sum.missing[0]})`);
      residualsMs.push((estimator === 'min' ? best!.minMs : best!.medianMs) - sum.totalMs);
      options.onProgress?.({ done: total, total, key: `calibration ${i + 1} of ${options.calibration.length}` });
    }
    const sorted = [...residualsMs].sort((a, b) => a - b);
    lut = { ...lut, overheadMs: sorted[Math.floor((sorted.length - 1) / 2)], calibration: { models: residualsMs.length, residualsMs } };
    saveLut(lutPath, lut, { overwrite: true });
  } else if (options.estimator) {
    saveLut(lutPath, lut, { overwrite: true });
  }
  return { lut, measured, skipped };
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

/**
 * What a LUT build for a supernet space times: the distinct blocks at every resolution the search may pick
 * (a table missing one resolution stops the search), and calibration subnets spread over them.
 */
export function spaceLutWork(space: OfaSpace, resolutions: readonly number[], calibrationSubnets: number, seed: number): { blocks: LutBlock[]; calibration: ModelIR[] } {
  const byKey = new Map<string, LutBlock>();
  for (const r of resolutions) for (const block of enumerateSpaceBlocks(space, r)) if (!byKey.has(block.key)) byKey.set(block.key, block);
  const perResolution = Math.max(1, Math.round(calibrationSubnets / resolutions.length));
  return { blocks: [...byKey.values()], calibration: resolutions.flatMap((r) => sampleSpaceSubnets(space, r, perResolution, seed)) };
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
