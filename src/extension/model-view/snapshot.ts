/**
 * Turns an engine report into what the Model View page draws: totals, latency and CO2e on the target,
 * per-layer rows with their cells formatted by the engine's own formatters (the page formats nothing), notes
 * and diagnostics. No vscode import: the unit tests build snapshots from real reports.
 */
import type * as Engine from '../../engine';
import type { ModelViewFigure, ModelViewSnapshot } from './protocol';
import type { ModelRow } from './table-model';

type Formatters = Pick<typeof Engine, 'formatFigure' | 'formatBytes' | 'formatMs' | 'formatGrams' | 'figureMark'>;

export interface SnapshotOptions {
  readonly file: string;
  readonly deviceName: string;
  readonly units: Engine.Units;
  readonly busy?: boolean;
}

export function modelViewSnapshot(report: Engine.AnalysisReport | undefined, fmt: Formatters, options: SnapshotOptions): ModelViewSnapshot {
  const base = { file: options.file, busy: options.busy ?? false, device: options.deviceName };
  if (!report) return { ...base, title: 'Reading…', totals: [], efficiency: [], notes: [], diagnostics: [], rows: [] };
  const mark = fmt.figureMark(report);
  const count = (n: number, kind: Engine.CountKind) => mark + fmt.formatFigure(n, kind, options.units);
  const t = report.totals;
  const totals: ModelViewFigure[] = t
    ? [
        { label: 'Params', value: count(t.params, 'params') },
        { label: 'MACs', value: count(t.macs, 'macs'), title: report.convention },
        { label: 'FLOPs', value: count(t.flops, 'flops'), title: report.convention },
        { label: 'Weights', value: mark + fmt.formatBytes(report.serving?.weights.totalBytes ?? t.weightBytes), title: 'Bytes the file stores for its weights (quantisation included)' },
        report.transformer
          ? { label: 'KV cache', value: mark + fmt.formatBytes(report.transformer.kvCacheBytes), title: 'At the configured context length' }
          : { label: 'Peak activations', value: mark + fmt.formatBytes(t.peakActivationBytes), title: `Batch ${report.batch}` },
      ]
    : [];
  if (report.transformer) totals.push({ label: 'Decode FLOPs/token', value: count(report.transformer.decodeFlopsPerToken, 'flops') });

  const efficiency: ModelViewFigure[] = [];
  const lat = report.latency;
  if (lat) {
    const runtime = lat.backend ? `${lat.source} (${lat.backend})` : lat.source;
    efficiency.push({ label: `Latency on ${lat.device.name}`, value: fmt.formatMs(lat.totalMs), title: `${lat.method === 'lut' ? 'Lookup table' : 'Roofline'}: ${runtime}` });
    if (lat.transformer) efficiency.push({ label: 'Decode', value: `${fmt.formatMs(lat.transformer.decodeMsPerToken)}/token`, title: `${lat.transformer.tokensPerSecond.toFixed(1)} tokens/s` });
    efficiency.push({ label: 'Method', value: lat.method === 'lut' ? 'lookup table' : 'roofline', title: runtime });
  }
  if (report.carbon) {
    efficiency.push({ label: `CO2e (${report.carbon.region})`, value: `${fmt.formatGrams(report.carbon.perInference.gCO2e)} / inference`, title: `${fmt.formatGrams(report.carbon.perMillion.gCO2e)} per million inferences` });
  }

  const rows: ModelRow[] = report.layers.map((layer, index) => {
    const latencyMs = layer.latencyMs ?? lat?.layerMs[index];
    return {
      index,
      name: layer.name,
      type: layer.type,
      // A repeated layer's figures cover every repeat; the row's tooltip (detail) says so.
      detail: layer.repeat > 1 ? `${layer.detail ? `${layer.detail}; ` : ''}×${layer.repeat} layers, figures for all ${layer.repeat}` : layer.detail,
      shape: layer.outputShape ? `[${layer.outputShape.join(', ')}]` : '',
      params: layer.params,
      macs: layer.macs,
      flops: layer.flops,
      activationBytes: layer.activationBytes,
      latencyMs,
      cells: {
        params: count(layer.params, 'params'),
        macs: count(layer.macs, 'macs'),
        flops: count(layer.flops, 'flops'),
        activation: mark + fmt.formatBytes(layer.activationBytes),
        latency: latencyMs === undefined ? '' : fmt.formatMs(latencyMs),
      },
    };
  });

  const title = [report.formatLabel ?? report.format ?? 'Not a model file Greenprint reads', report.model, report.variant].filter(Boolean).join(' · ');
  return {
    ...base,
    title,
    totals,
    efficiency,
    notes: [...(report.unverified ? [`Unverified: ${report.unverified.reason}`] : []), ...report.notes, ...(report.efficiencyProblems ?? [])],
    diagnostics: report.diagnostics.map((d) => ({ severity: d.severity, message: d.message })),
    rows,
  };
}
