/** A typed view over the `greenprint.*` settings; the only place that reads them. */
import * as vscode from 'vscode';
import type { DType, HintMetric, Units } from '../engine';

export interface GreenprintConfig {
  readonly hintsEnabled: boolean;
  readonly hintMetrics: readonly HintMetric[];
  readonly units: Units;
  readonly inputSize?: readonly [number, number];
  readonly seqLen?: number;
  /** Which runtime's tables price a device with tables of both (undefined: the newest). */
  readonly latencyRuntime?: 'tfjs' | 'onnx';
  readonly contextLength?: number;
  readonly batch: number;
  readonly dtype?: DType;
  readonly scale?: string;
  readonly includeGlobs: readonly string[];
  readonly codeLensEnabled: boolean;
  readonly statusBarEnabled: boolean;
  readonly mediumShare: number;
  readonly largeShare: number;
  readonly debounceMs: number;
  /** Limits of the isolated analysis (engine: DEFAULT_ANALYSIS_LIMITS). */
  readonly analysisLimits: { readonly memoryMb: number; readonly timeMs: number };
  readonly device: string;
  readonly carbon: { readonly region: string; readonly pue?: number; readonly powerW?: number; readonly powerUtilisation?: number };
  readonly training?: { readonly samples: number; readonly epochs: number };
}

const SECTION = 'greenprint';

function parseSize(value: string): [number, number] | undefined {
  const m = value.trim().match(/^(\d+)(?:\s*[x×]\s*(\d+))?$/);
  if (!m) return undefined;
  const h = Number(m[1]);
  return [h, m[2] ? Number(m[2]) : h];
}

export function readConfig(scope?: vscode.ConfigurationScope): GreenprintConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const positive = (v: number | undefined) => (typeof v === 'number' && v > 0 ? v : undefined);
  const dtype = c.get<string>('dtype', 'auto');
  return {
    hintsEnabled: c.get<boolean>('hints.enabled', true),
    hintMetrics: c.get<HintMetric[]>('hints.metrics', ['params', 'macs', 'latency']),
    units: c.get<Units>('units', 'si'),
    inputSize: parseSize(c.get<string>('inputSize', '')),
    seqLen: positive(c.get<number>('transformer.seqLen')),
    latencyRuntime: ((r) => (r === 'tfjs' || r === 'onnx' ? r : undefined))(c.get<string>('latencyRuntime', 'newest')),
    contextLength: positive(c.get<number>('transformer.contextLength')),
    batch: positive(c.get<number>('batch')) ?? 1,
    dtype: dtype === 'auto' ? undefined : (dtype as DType),
    scale: c.get<string>('yolo.scale', '') || undefined,
    includeGlobs: c.get<string[]>('files.include', []),
    codeLensEnabled: c.get<boolean>('codeLens.enabled', true),
    statusBarEnabled: c.get<boolean>('statusBar.enabled', true),
    mediumShare: c.get<number>('thresholds.medium', 0.05),
    largeShare: c.get<number>('thresholds.large', 0.15),
    debounceMs: c.get<number>('debounceMs', 150),
    analysisLimits: {
      memoryMb: clamp(c.get<number>('analysis.memoryLimitMb'), 32, 8192, 512),
      timeMs: clamp(c.get<number>('analysis.timeLimitSeconds'), 1, 300, 10) * 1000,
    },
    device: c.get<string>('device', 'local-cpu') || 'local-cpu',
    carbon: {
      region: c.get<string>('carbon.region', 'world') || 'world',
      pue: positive(c.get<number>('carbon.pue')),
      powerW: positive(c.get<number>('carbon.powerW')),
      powerUtilisation: positive(c.get<number>('carbon.utilisation')),
    },
    training: trainingRun(positive(c.get<number>('carbon.trainingSamples')), positive(c.get<number>('carbon.trainingEpochs'))),
  };
}

/** Settings edited by hand can hold anything; the manifest's bounds are enforced here too. */
function clamp(value: number | undefined, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function trainingRun(samples: number | undefined, epochs: number | undefined): GreenprintConfig['training'] {
  return samples && epochs ? { samples, epochs } : undefined;
}

export function affectsGreenprint(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}

export async function setHintsEnabled(enabled: boolean): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update('hints.enabled', enabled, vscode.ConfigurationTarget.Global);
}

export async function setDevice(device: string): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update('device', device, vscode.ConfigurationTarget.Global);
}
