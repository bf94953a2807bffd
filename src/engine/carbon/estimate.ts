/**
 * Energy and CO2e of running or training a model on a catalogue device.
 *
 *   energy (kWh) = power (W) × power utilisation × time (s) × PUE / 3.6e6
 *   CO2e (g)     = energy (kWh) × grid intensity (gCO2e/kWh)
 *
 * The same form as ML CO2 Impact (Lacoste et al. 2019: TDP × hours × intensity), Green Algorithms
 * (Lannelongue et al. 2021: runtime × power × usage × PUE × intensity) and CodeCarbon (energy × PUE ×
 * intensity). Only the accelerator/SoC power in the device catalogue is counted: host CPU, RAM and
 * networking are not, embodied (manufacturing) carbon is not, and the intensity is an annual grid
 * average, not the marginal emissions of extra load.
 *
 * Training: FLOPs ≈ 3 × forward FLOPs per sample × samples × epochs (backward ≈ 2 × forward; Kaplan et
 * al. 2020 §2.1 "C ≈ 6N per token" = 3 × the 2N forward; the convention of OpenAI's "AI and Compute",
 * Amodei & Hernandez 2018). Time = training FLOPs / (peak[dtype] × sustained utilisation × devices),
 * with a default sustained utilisation of 0.33, the figure "AI and Compute" assumes for GPUs.
 *
 * Every result carries an `assumptions` record (value, unit, source) so the UI can show each input
 * next to the gCO2e it produced.
 */
import type { DType } from '../ir';
import { peakFor, type DeviceSpec } from '../devices';
import { defaultPueFor, resolveRegion, WORLD_REGION_ID, type CarbonRegion } from './regions';

export const JOULES_PER_KWH = 3.6e6;

/** Backward pass ≈ 2 × forward, so one training step ≈ 3 × forward FLOPs (Kaplan et al. 2020; AI and Compute 2018). */
export const TRAINING_FLOPS_PER_FORWARD_FLOP = 3;

/** Sustained fraction of peak FLOP/s during training assumed by OpenAI "AI and Compute" (Amodei & Hernandez 2018). */
export const DEFAULT_TRAINING_UTILISATION = 0.33;

/** Fraction of the device's typical power drawn while busy; Green Algorithms' default usage factor. */
export const DEFAULT_POWER_UTILISATION = 1.0;

export interface Assumption {
  readonly value: number | string;
  readonly unit: string;
  readonly source: string;
}
export type Assumptions = Readonly<Record<string, Assumption>>;

export interface EnergyInputs {
  readonly powerW: number;
  /** Fraction of powerW drawn, in (0, 1]. */
  readonly utilisation: number;
  readonly seconds: number;
  /** Power usage effectiveness, ≥ 1. */
  readonly pue: number;
}

function requireFinite(name: string, v: number, min: number, max = Infinity): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new RangeError(`${name} must be a number in [${min}, ${max === Infinity ? '∞' : max}], got ${v}`);
  }
}

export function energyKWh(i: EnergyInputs): number {
  requireFinite('power (W)', i.powerW, 0);
  requireFinite('power utilisation', i.utilisation, 0, 1);
  requireFinite('time (s)', i.seconds, 0);
  requireFinite('PUE', i.pue, 1);
  return (i.powerW * i.utilisation * i.seconds * i.pue) / JOULES_PER_KWH;
}

export function co2eGrams(kWh: number, gCO2ePerKWh: number): number {
  requireFinite('energy (kWh)', kWh, 0);
  requireFinite('grid intensity (gCO2e/kWh)', gCO2ePerKWh, 0);
  return kWh * gCO2ePerKWh;
}

/** Where and how the device runs. Everything is optional; defaults are recorded in `assumptions`. */
export interface CarbonSetting {
  /** Region id or name (`FR`, `France`, `gcp:europe-west9`); default the world average. */
  readonly region?: string;
  /** Overrides the region's grid intensity, e.g. from a live feed or a supplier contract. */
  readonly gCO2ePerKWh?: number;
  /** Default: the cloud provider's PUE, 1.56 for data-centre hardware elsewhere, 1.0 for personal devices. */
  readonly pue?: number;
  /** Fraction of the device's powerW drawn while busy; default 1.0. */
  readonly powerUtilisation?: number;
  /** Overrides the catalogue's powerW (e.g. a measured draw or a different power mode). */
  readonly powerW?: number;
}

export interface EnergyAndCarbon {
  readonly kWh: number;
  readonly gCO2e: number;
}

/** Server GPUs and server CPUs live in data centres; the rest (phones, laptops, boards, desktops) do not. */
export function runsInDataCentre(device: DeviceSpec): boolean {
  return device.class === 'server-gpu' || /\bserver\b/i.test(device.name);
}

interface ResolvedSetting {
  readonly region: CarbonRegion;
  readonly intensity: number;
  readonly pue: number;
  readonly powerW: number;
  readonly powerUtilisation: number;
  readonly assumptions: Record<string, Assumption>;
}

function resolveSetting(device: DeviceSpec, setting: CarbonSetting): ResolvedSetting {
  const region = resolveRegion(setting.region ?? WORLD_REGION_ID);
  const pueDefault = defaultPueFor(region, runsInDataCentre(device));
  const intensity = setting.gCO2ePerKWh ?? region.gCO2ePerKWh;
  const pue = setting.pue ?? pueDefault.value;
  const powerW = setting.powerW ?? device.powerW;
  const powerUtilisation = setting.powerUtilisation ?? DEFAULT_POWER_UTILISATION;
  requireFinite('PUE', pue, 1);
  requireFinite('grid intensity (gCO2e/kWh)', intensity, 0);
  const deviceSource = device.sources.map((s) => `${s.where} (${s.year})`).join('; ');
  return {
    region,
    intensity,
    pue,
    powerW,
    powerUtilisation,
    assumptions: {
      device: { value: device.name, unit: '', source: `device catalogue id ${device.id}` },
      powerW: {
        value: powerW,
        unit: 'W',
        source: setting.powerW !== undefined ? 'given by the user' : `typical board/TDP power of ${device.id}: ${deviceSource}`,
      },
      powerUtilisation: {
        value: powerUtilisation,
        unit: 'fraction of power',
        source: setting.powerUtilisation !== undefined ? 'given by the user' : 'Green Algorithms default usage factor 1.0 (device fully busy)',
      },
      pue: {
        value: pue,
        unit: '',
        source: setting.pue !== undefined ? 'given by the user' : `${pueDefault.id}: ${pueDefault.applies} — ${pueDefault.source}`,
      },
      gridIntensity: {
        value: intensity,
        unit: 'gCO2e/kWh',
        source:
          setting.gCO2ePerKWh !== undefined
            ? 'given by the user'
            : `${region.name}, ${region.year}: ${region.source}${region.stale ? ' (stale: older than the country table)' : ''}`,
      },
      scope: {
        value: 'device power only',
        unit: '',
        source: 'host CPU, RAM, networking and embodied (manufacturing) carbon are excluded; grid intensity is an annual average, not marginal',
      },
    },
  };
}

export interface InferenceCarbon {
  readonly secondsPerInference: number;
  readonly perInference: EnergyAndCarbon;
  readonly perMillion: EnergyAndCarbon;
  readonly region: CarbonRegion;
  readonly assumptions: Assumptions;
}

/**
 * Energy and CO2e of inference. `secondsPerInference` is the time for ONE sample (divide a batch time
 * by the batch first); `latencySource` says where it came from (roofline, measurement, LUT).
 */
export function inferenceCarbon(
  device: DeviceSpec,
  secondsPerInference: number,
  setting: CarbonSetting = {},
  latencySource = 'roofline estimate',
): InferenceCarbon {
  requireFinite('time per inference (s)', secondsPerInference, 0);
  const s = resolveSetting(device, setting);
  const kWh = energyKWh({ powerW: s.powerW, utilisation: s.powerUtilisation, seconds: secondsPerInference, pue: s.pue });
  const g = co2eGrams(kWh, s.intensity);
  return {
    secondsPerInference,
    perInference: { kWh, gCO2e: g },
    perMillion: { kWh: kWh * 1e6, gCO2e: g * 1e6 },
    region: s.region,
    assumptions: {
      ...s.assumptions,
      secondsPerInference: { value: secondsPerInference, unit: 's', source: latencySource },
    },
  };
}

export interface TrainingRun {
  /** Forward FLOPs for one sample (report totals.flops at batch 1, or flops ÷ batch). */
  readonly forwardFlopsPerSample: number;
  readonly samples: number;
  readonly epochs: number;
  /** Element type the training arithmetic runs at (bf16/fp16 mixed precision: `bfloat16`/`float16`). */
  readonly dtype: DType;
  /** Sustained fraction of peak FLOP/s; default 0.33 (AI and Compute). */
  readonly utilisation?: number;
  /** Devices training in parallel (perfect scaling assumed); default 1. */
  readonly devices?: number;
}

export interface TrainingCarbon extends EnergyAndCarbon {
  readonly trainingFlops: number;
  readonly seconds: number;
  readonly hours: number;
  readonly region: CarbonRegion;
  readonly assumptions: Assumptions;
}

export function trainingCarbon(device: DeviceSpec, run: TrainingRun, setting: CarbonSetting = {}): TrainingCarbon {
  requireFinite('forward FLOPs per sample', run.forwardFlopsPerSample, 0);
  requireFinite('samples', run.samples, 0);
  requireFinite('epochs', run.epochs, 0);
  const utilisation = run.utilisation ?? DEFAULT_TRAINING_UTILISATION;
  const devices = run.devices ?? 1;
  requireFinite('training utilisation', utilisation, Number.MIN_VALUE, 1);
  requireFinite('device count', devices, 1);
  const s = resolveSetting(device, setting);
  const peak = peakFor(device, run.dtype);
  const trainingFlops = TRAINING_FLOPS_PER_FORWARD_FLOP * run.forwardFlopsPerSample * run.samples * run.epochs;
  const seconds = trainingFlops / (peak * utilisation * devices);
  const kWh = energyKWh({ powerW: s.powerW * devices, utilisation: s.powerUtilisation, seconds, pue: s.pue });
  return {
    trainingFlops,
    seconds,
    hours: seconds / 3600,
    kWh,
    gCO2e: co2eGrams(kWh, s.intensity),
    region: s.region,
    assumptions: {
      ...s.assumptions,
      trainingFlops: {
        value: trainingFlops,
        unit: 'FLOPs',
        source: `3 × forward FLOPs × ${run.samples} samples × ${run.epochs} epochs (backward ≈ 2 × forward: Kaplan et al. 2020 §2.1; OpenAI "AI and Compute", Amodei & Hernandez 2018)`,
      },
      peakFlops: { value: peak, unit: 'FLOP/s', source: `${device.id} ${run.dtype} peak from the device catalogue` },
      trainingUtilisation: {
        value: utilisation,
        unit: 'fraction of peak',
        source: run.utilisation !== undefined ? 'given by the user' : 'OpenAI "AI and Compute" (2018) assumes 33% sustained GPU utilisation',
      },
      devices: { value: devices, unit: 'devices', source: run.devices !== undefined ? 'given by the user (perfect scaling assumed)' : 'default: one device' },
    },
  };
}
