/**
 * Latency and carbon for a report on a chosen target device. Which method prices the model depends on
 * what Greenprint knows about the device:
 *   - `note10-ofa`: OFA's published Samsung Note10 lookup tables (OFA MobileNetV3 w1.2 nets only);
 *   - `local-cpu` / `local-gpu`: a lookup table measured on this machine when one covers the model,
 *     else a roofline over the machine's calibrated compute and memory rates, else nothing (measure it);
 *   - catalogue devices (`resources/devices.json`): a roofline from their published peaks.
 * Carbon follows from the per-inference time (see `carbon/estimate.ts` for the formula and sources).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { AnalysisReport, CarbonReport, LatencyReport } from './report-types';
import type { CostResult } from './cost';
import type { ModelIR } from './ir';
import { CarbonDataError, inferenceCarbon, trainingCarbon, type CarbonSetting } from './carbon';
import { DeviceCatalogueError, getDevice, listDevices, peakFor, type DeviceSpec } from './devices';
import { loadLut, LutError, type LatencyLut } from './latency/lut';
import { loadOfaLutSet, NOTE10_DEVICE, predictOfaLatency, type OfaLutSet } from './latency/ofa-lut';
import { predictFromLut } from './latency/predict';
import { describeValidation } from './latency/lut-validate';
import { cnnRoofline, reportTransformerRoofline } from './latency/roofline';
import { DEFAULT_LOCAL_POWER_W } from './latency/local';
import type { DeviceDescription } from './latency/types';

export const LOCAL_CPU: DeviceDescription = { id: 'local-cpu', name: 'This machine (CPU)', kind: 'local-cpu' };
export const LOCAL_GPU: DeviceDescription = { id: 'local-gpu', name: 'This machine (GPU, tfjs-node-gpu)', kind: 'local-gpu' };
export const NOTE10: DeviceDescription = { id: NOTE10_DEVICE.id, name: NOTE10_DEVICE.name, kind: 'lut' };

/**
 * Power assumed for OFA's Note10 when estimating energy: phones sustain about 5 W under load, the same
 * figure the catalogue uses for a current flagship SoC (snapdragon-8-gen3-cpu).
 */
const NOTE10_POWER: Pick<DeviceSpec, 'powerW' | 'class' | 'sources'> = {
  powerW: 5,
  class: 'mobile-soc',
  sources: [{ what: 'sustained SoC power under load, assumed equal to the catalogue flagship phone', where: 'resources/devices.json snapdragon-8-gen3-cpu', year: 2023 }],
};

export interface EfficiencyOptions {
  readonly device: string;
  readonly carbon?: CarbonSetting;
  /** Folder with LUTs measured on this machine (`<device>__<backend>__<runtime>.lut.json`). */
  readonly lutDirectory?: string;
  /** Where a device has tables from both TF.js and ONNX Runtime, which to price with (default: the newest). */
  readonly latencyRuntime?: 'tfjs' | 'onnx';
  /** This machine's calibrated rates (from `calibrateLocalDevice`), for the local roofline. */
  readonly localDevice?: DeviceSpec;
  /** Also estimate one training run of this many samples × epochs on the device. */
  readonly training?: { readonly samples: number; readonly epochs: number };
}

// The report shapes live with the other report types; re-exported for existing importers.
export type { CarbonReport, LatencyReport } from './report-types';

export interface EfficiencyResult {
  readonly latency?: LatencyReport;
  readonly carbon?: CarbonReport;
  /** Why a figure is missing, for the user. */
  readonly problems: readonly string[];
}

/** Every device a user can target, in picker order. */
export function listTargetDevices(): DeviceDescription[] {
  return [LOCAL_CPU, LOCAL_GPU, NOTE10, ...listDevices().map((d) => ({ id: d.id, name: d.name, kind: 'roofline' as const }))];
}

export function describeDevice(id: string): DeviceDescription {
  const found = listTargetDevices().find((d) => d.id === id);
  if (found) return found;
  getDevice(id); // throws DeviceCatalogueError listing the known ids
  throw new DeviceCatalogueError(`unknown device "${id}"`);
}

let note10Tables: OfaLutSet | undefined;

function note10(): OfaLutSet {
  note10Tables ??= loadOfaLutSet();
  return note10Tables;
}

/** Target ids of connected devices (`greenprint agent`): `remote:<name>`. */
export const REMOTE_PREFIX = 'remote:';

/** The device id their lookup tables are filed under (`remote_<name>__…lut.json`). */
export function remoteLutDeviceId(name: string): string {
  return `remote_${name}`;
}

/** Parsed tables by file, reused while the file is unchanged: editors analyse on every keystroke. */
const lutCache = new Map<string, { mtimeMs: number; lut: LatencyLut }>();

/** Which runtime a table was measured with, from its file name's backend (`ort-…` for ONNX Runtime). */
export function lutRuntimeKind(fileName: string): 'onnx' | 'tfjs' {
  return path.basename(fileName).split('__')[1]?.startsWith('ort-') ? 'onnx' : 'tfjs';
}

/**
 * The LUT of a device in a folder, or undefined: the newest measured with `runtime` when one is asked for and
 * exists, else the newest of any runtime. A corrupt file is an error, never deleted.
 */
export function findDeviceLut(directory: string | undefined, deviceId: string, runtime?: 'tfjs' | 'onnx'): LatencyLut | undefined {
  if (!directory || !existsSync(directory)) return undefined;
  const all = readdirSync(directory)
    .filter((f) => f.startsWith(`${deviceId}__`) && f.endsWith('.lut.json'))
    .map((f) => ({ file: path.join(directory, f), mtimeMs: statSync(path.join(directory, f)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  const preferred = runtime ? all.filter((f) => lutRuntimeKind(f.file) === runtime) : [];
  const files = preferred.length ? preferred : all;
  if (!files.length) return undefined;
  const { file, mtimeMs } = files[0];
  const cached = lutCache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.lut;
  const lut = loadLut(file);
  lutCache.set(file, { mtimeMs, lut });
  return lut;
}

function lutLatency(report: AnalysisReport, ir: ModelIR, evaluated: CostResult, lut: LatencyLut, source: string): LatencyReport {
  const prediction = predictFromLut(ir, evaluated, lut);
  // Tables are measured at their own batch; scale linearly to the report's (an approximation, stated below).
  const scale = report.batch / lut.batch;
  return {
    device: lut.device,
    method: 'lut',
    estimator: lut.estimator ?? 'median',
    source,
    backend: lut.backend,
    totalMs: prediction.totalMs * scale,
    perSampleMs: (prediction.totalMs * scale) / report.batch,
    layerMs: prediction.layers.map((l) => l.ms * scale),
    missing: prediction.missing,
    assumptions: [
      `${lut.scale !== undefined && lut.scale !== 1 ? `${lut.scale.toFixed(3)} × ` : ''}sum of ${lut.estimator === 'min' ? 'fastest-run' : 'median'} entries of the ${lut.device.name} table (${lut.backend}, ${lut.runtime}, ${lut.threads} thread(s), batch ${lut.batch}) + ${lut.overheadMs.toFixed(3)} ms overhead${lut.calibration ? ` fitted on ${lut.calibration.models} whole network(s)` : ''}`,
      ...(scale !== 1 ? [`scaled linearly from the table's batch ${lut.batch} to ${report.batch}`] : []),
      ...(lut.validation ? [] : ['no error band: the table was built without whole networks to check it against']),
      ...(lut.disturbance?.disturbedPasses ? [`${lut.disturbance.disturbedPasses} of ${lut.disturbance.passes} measurement passes were disturbed by other work (${lut.disturbance.redonePasses} timed again)`] : []),
    ],
    ...(lut.validation ? { band: { pct: lut.validation.bandPct, how: describeValidation(lut.validation) } } : {}),
  };
}

function rooflineLatency(report: AnalysisReport, device: DeviceSpec, name: string): LatencyReport {
  if (report.transformer) {
    const t = reportTransformerRoofline(report, device);
    return {
      device: { id: device.id, name },
      method: 'roofline',
      source: `roofline of ${name}`,
      totalMs: t.prefillSeconds * 1000,
      perSampleMs: (t.prefillSeconds * 1000) / report.batch,
      layerMs: report.layers.map(() => undefined),
      missing: [],
      transformer: { prefillMs: t.prefillSeconds * 1000, decodeMsPerToken: t.decodeSecondsPerToken * 1000, tokensPerSecond: t.decodeTokensPerSecond },
      assumptions: t.assumptions,
    };
  }
  const r = cnnRoofline(report, device);
  const layerMs: (number | undefined)[] = report.layers.map(() => undefined);
  for (const l of r.layers) {
    const [first, ...rest] = l.reportLayers ?? [];
    if (first === undefined) continue;
    layerMs[first] = l.seconds * 1000;
    for (const i of rest) layerMs[i] = 0;
  }
  return {
    device: { id: device.id, name },
    method: 'roofline',
    source: `roofline of ${name} (${r.computeBoundLayers} compute-bound, ${r.memoryBoundLayers} memory-bound layers)`,
    totalMs: r.seconds * 1000,
    perSampleMs: (r.seconds * 1000) / report.batch,
    layerMs,
    missing: [],
    assumptions: r.assumptions,
  };
}

function carbonFor(latency: LatencyReport, device: DeviceSpec, setting: CarbonSetting | undefined): CarbonReport {
  const c = inferenceCarbon(device, latency.perSampleMs / 1000, setting ?? {}, latency.source);
  return { region: c.region.name, perInference: c.perInference, perMillion: c.perMillion, assumptions: c.assumptions };
}

/** A stand-in spec for devices known only by a table, so energy can still be estimated. */
function powerOnlySpec(id: string, name: string, power: Pick<DeviceSpec, 'powerW' | 'class' | 'sources'>): DeviceSpec {
  return {
    id,
    name,
    class: power.class,
    peakFlops: { fp32: 0 },
    memoryBandwidth: 0,
    powerW: power.powerW,
    efficiency: { compute: 1, memory: 1, reason: 'not used: latency comes from a lookup table' },
    sources: power.sources,
  } as DeviceSpec;
}

/**
 * The spec whose power prices a device's energy: a catalogue entry, the calibrated machine, or a power-only
 * stand-in (Note10's assumed 5 W; this machine at the power the user gives, else the documented 28 W).
 */
function energySpecFor(deviceId: string, powerW: number | undefined, localDevice?: DeviceSpec): DeviceSpec {
  if (deviceId === NOTE10.id) return powerOnlySpec(NOTE10.id, NOTE10.name, NOTE10_POWER);
  if (deviceId.startsWith(REMOTE_PREFIX)) {
    return powerOnlySpec(deviceId, `connected device "${deviceId.slice(REMOTE_PREFIX.length)}"`, {
      powerW: powerW ?? DEFAULT_LOCAL_POWER_W,
      class: 'cpu',
      sources: [{ what: 'assumed laptop-class package power (the agent does not report power)', where: 'set greenprint.carbon.powerW or --power to the device’s figure', year: 2022 }],
    });
  }
  if (deviceId === LOCAL_CPU.id || deviceId === LOCAL_GPU.id) {
    const name = deviceId === LOCAL_CPU.id ? LOCAL_CPU.name : LOCAL_GPU.name;
    return (
      localDevice ??
      powerOnlySpec(deviceId, name, {
        powerW: powerW ?? DEFAULT_LOCAL_POWER_W,
        class: 'cpu',
        sources: [{ what: 'assumed laptop-class package power', where: 'the intel-i7-1260p figure in resources/devices.json until you set greenprint.carbon.powerW or --power', year: 2022 }],
      })
    );
  }
  return getDevice(deviceId);
}

export function estimateEfficiency(report: AnalysisReport, ir: ModelIR, evaluated: CostResult, options: EfficiencyOptions): EfficiencyResult {
  const problems: string[] = [];
  let latency: LatencyReport | undefined;
  try {
    if (options.device === NOTE10.id) {
      const prediction = predictOfaLatency(ir, evaluated, note10());
      latency = {
        device: NOTE10_DEVICE,
        method: 'lut',
        source: `OFA's published Note10 lookup table`,
        backend: 'tflite (OFA measurement)',
        totalMs: prediction.totalMs * report.batch,
        perSampleMs: prediction.totalMs,
        layerMs: prediction.layers.map((l) => l.ms * report.batch),
        missing: prediction.missing,
        assumptions: ['sum of the mean latencies in OFA\'s Note10 table for the model\'s image size (batch 1; scaled linearly with the batch)'],
      };
    } else if (options.device === LOCAL_CPU.id || options.device === LOCAL_GPU.id) {
      const name = options.device === LOCAL_CPU.id ? LOCAL_CPU.name : LOCAL_GPU.name;
      const lut = findDeviceLut(options.lutDirectory, options.device, options.latencyRuntime);
      const fromLut = lut ? lutLatency(report, ir, evaluated, lut, `lookup table measured on this machine`) : undefined;
      if (fromLut && fromLut.missing.length === 0) latency = fromLut;
      else if (options.localDevice) latency = rooflineLatency(report, options.localDevice, `${name}, calibrated`);
      else if (fromLut) latency = fromLut;
      else problems.push(`No latency model for ${name} yet: calibrate this machine or build a latency table (in the editor: Greenprint: Calibrate This Machine, Greenprint: Build Latency Table for This Model; on the command line: greenprint calibrate, greenprint lut build), or measure the model.`);
    } else if (options.device.startsWith(REMOTE_PREFIX)) {
      // A connected device is priced only by a table measured on it (its agent builds them); no guessing.
      const name = options.device.slice(REMOTE_PREFIX.length);
      const lut = findDeviceLut(options.lutDirectory, remoteLutDeviceId(name), options.latencyRuntime);
      if (lut) latency = lutLatency(report, ir, evaluated, lut, `lookup table measured on the connected device "${name}"`);
      else problems.push(`No latency table for the connected device "${name}" yet: run Greenprint: Build Latency Table for This Model with it selected, or measure the model on it.`);
    } else {
      if (!listDevices().some((d) => d.id === options.device)) {
        throw new DeviceCatalogueError(`Unknown device "${options.device}". Known devices: ${listTargetDevices().map((d) => d.id).join(', ')}.`);
      }
      const spec = getDevice(options.device);
      latency = rooflineLatency(report, spec, spec.name);
    }
  } catch (e) {
    if (e instanceof LutError || e instanceof RangeError || e instanceof DeviceCatalogueError) problems.push(e.message);
    else throw e;
  }
  if (latency?.missing.length) problems.push(`${latency.missing.length} layer type(s) are not in the lookup table; the latency is an underestimate.`);

  let carbon: CarbonReport | undefined;
  if (latency) {
    try {
      const spec = energySpecFor(options.device, options.carbon?.powerW, options.localDevice);
      carbon = carbonFor(latency, spec, options.carbon);
      if (options.training && report.totals) {
        if (!(peakFor(spec, report.dtype) > 0)) {
          problems.push(`No peak FLOP/s for ${spec.name}: a training estimate needs a catalogue device or a calibrated machine.`);
        } else {
          const t = trainingCarbon(
            spec,
            { forwardFlopsPerSample: report.totals.flops / report.batch, samples: options.training.samples, epochs: options.training.epochs, dtype: report.dtype },
            options.carbon ?? {},
          );
          carbon = { ...carbon, training: { samples: options.training.samples, epochs: options.training.epochs, trainingFlops: t.trainingFlops, hours: t.hours, kWh: t.kWh, gCO2e: t.gCO2e, assumptions: t.assumptions } };
        }
      }
    } catch (e) {
      if (e instanceof CarbonDataError || e instanceof RangeError) problems.push(e.message);
      else throw e;
    }
  }
  return { latency, carbon, problems };
}

/**
 * gCO2e of one inference as a function of its time in ms on a device: what a search needs to constrain
 * or minimise carbon without re-running the whole estimate for every candidate.
 */
export function carbonPerInference(deviceId: string, carbon: CarbonSetting = {}, localDevice?: DeviceSpec): (ms: number) => number {
  const perSecond = inferenceCarbon(energySpecFor(deviceId, carbon.powerW, localDevice), 1, carbon).perInference.gCO2e;
  return (ms) => (perSecond * ms) / 1000;
}
