/**
 * This machine as a target device: a profiler over the measurement worker (for lookup tables) and a
 * calibration that measures the runtime's achievable compute and memory rates, so models without a
 * table still get a roofline estimate from real figures instead of a spec sheet.
 *
 * Calibration times two kernels on the same backend the measurements use: a 3×3 convolution that is
 * compute-bound on any CPU (64→64 channels at 56×56: 231 MFLOPs over 1.6 MB) and an element-wise add
 * of two 4 MB tensors that is memory-bound (0 FLOPs, 12 MB moved). The fixed per-call overhead is
 * subtracted from both. These are the rates a TF.js model reaches here, not the hardware's peak.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../fsutil/atomic-write';
import { GraphBuilder } from '../graph';
import type { ModelIR, Shape } from '../ir';
import type { MeasurementWorker } from '../runtime/client';
import type { DeviceSpec } from '../devices';
import type { LatencyProfiler } from './lut-build';
import type { Measurement } from '../runtime/types';
import { irToOnnx } from '../runtime/ir-onnx';
import { measureOnnxLatency } from '../runtime/ort';

/** Where the CLI keeps LUTs and calibration between sessions (`$XDG_CACHE_HOME/greenprint`). */
export function defaultDataDirectory(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'greenprint');
}

export function workerProfiler(worker: MeasurementWorker, signal?: AbortSignal): LatencyProfiler {
  return {
    profile: (ir) => worker.measure(ir, { signal }),
    overhead: (inputShape) => worker.measureOverhead(singleInputIr(inputShape), { signal }),
  };
}

/**
 * Times models in ONNX Runtime instead of TF.js (runtime/ort.ts): each IR model is exported with
 * `irToOnnx` (seeded weights) and timed with the same discipline; tables built with it record ONNX Runtime's
 * package, version and execution provider as their runtime, so they are never mixed with TF.js tables.
 */
export function ortProfiler(options: { signal?: AbortSignal; prefer?: 'web' } = {}): LatencyProfiler {
  const time = (ir: ModelIR) => {
    const model = irToOnnx(ir, { batch: 1 });
    return measureOnnxLatency(model.bytes, { inputDims: model.inputs, signal: options.signal, prefer: options.prefer });
  };
  return { profile: time, overhead: (inputShape) => time(singleInputIr(inputShape, true)) };
}

function singleInputIr(shape: Shape, passThrough = false): ModelIR {
  const g = new GraphBuilder();
  const input = g.add('input', { shape: [...shape] }, [], -1, 'input');
  // ONNX Runtime needs a node between input and output; an Identity is the empty call there.
  const out = passThrough ? g.add('identity', {}, [input], g.addLayer({ name: 'identity', type: 'identity', range: { start: 0, end: 0 } }), 'identity') : input;
  return irOf(g, [out], 'overhead probe', shape);
}

function irOf(g: GraphBuilder, outputs: number[], name: string, input: Shape): ModelIR {
  return {
    format: 'keras',
    modelName: name,
    layers: g.layers,
    nodes: g.nodes,
    outputs,
    convention: { id: 'ofa', includeAuxMacs: false, label: 'calibration kernel' },
    inputDescription: input.join('×'),
    dtype: 'float32',
  };
}

const CONV = { channels: 64, size: 56 };
const ADD = { channels: 256, size: 64 };

function convProbe(): { ir: ModelIR; flops: number } {
  const g = new GraphBuilder();
  const shape = [CONV.channels, CONV.size, CONV.size];
  const input = g.add('input', { shape }, [], -1, 'input');
  const layer = g.addLayer({ name: 'conv3x3', type: 'Conv', range: { start: 0, end: 0 } });
  const conv = g.add('conv2d', { filters: CONV.channels, kernel: [3, 3], padding: 'same' }, [input], layer);
  const flops = 2 * CONV.channels * CONV.channels * 9 * CONV.size * CONV.size;
  return { ir: irOf(g, [conv], 'calibration conv', shape), flops };
}

function addProbe(): { ir: ModelIR; bytes: number } {
  const g = new GraphBuilder();
  const shape = [ADD.channels, ADD.size, ADD.size];
  const a = g.add('input', { shape }, [], -1, 'a');
  const b = g.add('input', { shape }, [], -1, 'b');
  const layer = g.addLayer({ name: 'add', type: 'Add', range: { start: 0, end: 0 } });
  const sum = g.add('elementwise', { fn: 'add' }, [a, b], layer);
  const bytes = 3 * 4 * ADD.channels * ADD.size * ADD.size;
  return { ir: irOf(g, [sum], 'calibration add', shape), bytes };
}

export interface LocalCalibration {
  readonly format: 'greenprint.local-device';
  readonly version: 1;
  readonly createdAt: string;
  readonly backend: string;
  readonly runtime: string;
  readonly threads: number;
  readonly flopsPerSecond: number;
  readonly bytesPerSecond: number;
  readonly conv: Measurement;
  readonly add: Measurement;
}

export async function calibrateLocalDevice(worker: MeasurementWorker, signal?: AbortSignal): Promise<LocalCalibration> {
  const conv = convProbe();
  const add = addProbe();
  const convTime = await worker.measure(conv.ir, { signal });
  const addTime = await worker.measure(add.ir, { signal });
  const overhead = await worker.measureOverhead(add.ir, { signal });
  const seconds = (m: Measurement) => Math.max(m.medianMs - overhead.medianMs, 1e-3) / 1000;
  return {
    format: 'greenprint.local-device',
    version: 1,
    createdAt: new Date().toISOString(),
    backend: convTime.backend,
    runtime: convTime.runtime,
    threads: convTime.threads,
    flopsPerSecond: conv.flops / seconds(convTime),
    bytesPerSecond: add.bytes / seconds(addTime),
    conv: convTime,
    add: addTime,
  };
}

/** Laptop-class CPU package power, the catalogue's intel-i7-1260p figure, until the user gives theirs. */
export const DEFAULT_LOCAL_POWER_W = 28;

/** The calibrated machine as a catalogue-style device for the roofline and the energy estimate. */
export function localDeviceSpec(c: LocalCalibration, powerW = DEFAULT_LOCAL_POWER_W, id = 'local-cpu', name = 'This machine (CPU)'): DeviceSpec {
  return {
    id,
    name,
    class: 'cpu',
    peakFlops: { fp32: c.flopsPerSecond, fp16: c.flopsPerSecond },
    memoryBandwidth: c.bytesPerSecond,
    powerW,
    efficiency: {
      compute: 1,
      memory: 1,
      reason: `rates measured on this machine with ${c.backend} (${c.runtime}, ${c.threads} thread(s)) on ${c.createdAt.slice(0, 10)}: a 3×3 conv for compute, an element-wise add for memory`,
    },
    sources: [{ what: 'calibration run', where: 'greenprint calibrate', year: Number(c.createdAt.slice(0, 4)) }],
  } as DeviceSpec;
}

export function saveCalibration(file: string, c: LocalCalibration): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(c, null, 2) + '\n');
}

/** The saved calibration, or undefined when there is none; a file that is not one is an error. */
export function loadCalibration(file: string): LocalCalibration | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); run the calibration again.`);
  }
  const c = parsed as Partial<LocalCalibration>;
  if (c.format !== 'greenprint.local-device' || c.version !== 1 || !(Number(c.flopsPerSecond) > 0) || !(Number(c.bytesPerSecond) > 0)) {
    throw new Error(`${file}: not a Greenprint calibration (format greenprint.local-device, version 1).`);
  }
  return c as LocalCalibration;
}
