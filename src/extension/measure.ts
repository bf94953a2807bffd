/**
 * Measurement commands: time the active model on this machine, calibrate this machine, build a latency
 * table. Everything runs in the engine's measurement worker (a child process), so the extension host
 * never blocks and a crashing runtime only costs that job; each command shows progress and can be cancelled.
 */
import * as vscode from 'vscode';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type * as Engine from '../engine';
import type { Ctx } from './context';
import { loadEngine } from './analysis';
import { setDevice } from './config';
import { shortDevice } from './present';
import { targetRuntimeDetail, type RuntimeContext } from './device-runtime';
import { activeModelViewUri, recordModelFileMeasurement } from './model-view/active';
import { buildLutOnConnectedDevice, connectedDeviceChoices, connectedDevices, isRemoteId, measureOnConnectedDevice } from './devices';

let worker: Engine.MeasurementWorker | undefined;

/** The one measurement child process of the extension (shared with the panel: two at once would time each other). */
export function measurementWorker(ctx: Ctx): Engine.MeasurementWorker {
  if (!worker) {
    worker = new (loadEngine().MeasurementWorker)();
    ctx.push({ dispose: () => worker?.dispose() });
  }
  return worker;
}

function signalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}

export interface MeasureResult {
  readonly measured: Engine.Measurement;
  readonly predictedMs?: number;
}

/** An ONNX file (argument, or the active Model View) is timed as it is in ONNX Runtime, in the measurement worker. */
async function measureOnnxFile(ctx: Ctx, uri: vscode.Uri): Promise<MeasureResult | undefined> {
  const name = path.basename(uri.fsPath);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Greenprint: measuring ${name} in ONNX Runtime on this machine`, cancellable: true },
    async (_progress, token) => {
      try {
        const measured = await measurementWorker(ctx).measureOnnxFile(uri.fsPath, { batch: ctx.config.batch, seqLen: ctx.config.seqLen, inputSize: ctx.config.inputSize, signal: signalOf(token) });
        recordModelFileMeasurement(uri, measured);
        const e = loadEngine();
        void vscode.window.showInformationMessage(
          `Greenprint: ${name} takes ${e.formatMs(measured.medianMs)} (median; p10 ${e.formatMs(measured.p10Ms)}, p90 ${e.formatMs(measured.p90Ms)}, ${measured.runs} runs) in ${measured.runtime}, ${measured.backend}, ${measured.threads} thread(s).`,
        );
        return { measured };
      } catch (err) {
        if (isAbort(err)) return undefined;
        void vscode.window.showErrorMessage(`Greenprint: measurement failed: ${(err as Error).message}`);
        return undefined;
      }
    },
  );
}

async function measureActive(ctx: Ctx, arg?: unknown): Promise<MeasureResult | undefined> {
  const onnx = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor ? undefined : activeModelViewUri();
  if (onnx && /\.onnx$/i.test(onnx.path)) return measureOnnxFile(ctx, onnx);
  const doc = arg instanceof vscode.Uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.toString()) : vscode.window.activeTextEditor?.document;
  const report = doc && (await ctx.analysis.analyze(doc));
  if (!doc || !report?.totals) {
    void vscode.window.showInformationMessage('Greenprint: open a model config to measure it.');
    return undefined;
  }
  const { ir } = loadEngine().analyzeModel(doc.getText(), {
    fileName: doc.fileName,
    inputSize: ctx.config.inputSize,
    batch: ctx.config.batch,
    scale: ctx.config.scale,
  });
  if (!ir) return undefined;
  if (isRemoteId(ctx.config.device)) return measureOnConnectedDevice(ctx, doc, report);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Greenprint: measuring ${report.model} on this machine`, cancellable: true },
    async (progress, token) => {
      try {
        const measured = await measurementWorker(ctx).measure(ir, {
          batch: ctx.config.batch,
          signal: signalOf(token),
          onProgress: (p) => progress.report({ message: `${p.phase} ${p.done}/${p.total}` }),
        });
        const e = loadEngine();
        const predicted = ctx.config.device === 'local-cpu' ? report.latency?.totalMs : undefined;
        const versus = predicted !== undefined ? `; predicted ${e.formatMs(predicted)}` : '';
        void vscode.window.showInformationMessage(
          `Greenprint: ${report.model} takes ${e.formatMs(measured.medianMs)} (median; p10 ${e.formatMs(measured.p10Ms)}, p90 ${e.formatMs(measured.p90Ms)}, ${measured.runs} runs) on ${measured.backend}, ${measured.threads} thread(s)${versus}.`,
        );
        return { measured, predictedMs: predicted };
      } catch (err) {
        if (isAbort(err)) return undefined;
        void vscode.window.showErrorMessage(`Greenprint: measurement failed: ${(err as Error).message}`);
        return undefined;
      }
    },
  );
}

async function calibrate(ctx: Ctx): Promise<Engine.LocalCalibration | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Greenprint: calibrating this machine (conv and memory kernels)', cancellable: true },
    async (_progress, token) => {
      try {
        const e = loadEngine();
        const calibration = await e.calibrateLocalDevice(measurementWorker(ctx), signalOf(token));
        mkdirSync(ctx.analysis.storageDir, { recursive: true });
        e.saveCalibration(ctx.analysis.calibrationFile, calibration);
        ctx.analysis.invalidateDeviceData();
        ctx.refreshVisible();
        void vscode.window.showInformationMessage(
          `Greenprint: this machine reaches ${(calibration.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s and ${(calibration.bytesPerSecond / 1e9).toFixed(1)} GB/s with ${calibration.backend}.`,
        );
        return calibration;
      } catch (err) {
        if (!isAbort(err)) void vscode.window.showErrorMessage(`Greenprint: calibration failed: ${(err as Error).message}`);
        return undefined;
      }
    },
  );
}

async function buildModelLut(ctx: Ctx): Promise<string | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  const e = loadEngine();
  const ir = doc && e.analyzeModel(doc.getText(), { fileName: doc.fileName, inputSize: ctx.config.inputSize, scale: ctx.config.scale }).ir;
  if (!ir) {
    void vscode.window.showInformationMessage('Greenprint: open a model config to build its latency table.');
    return undefined;
  }
  if (isRemoteId(ctx.config.device)) return buildLutOnConnectedDevice(ctx, doc);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Greenprint: building a latency table on this machine', cancellable: true },
    async (progress, token) => {
      const signal = signalOf(token);
      const w = measurementWorker(ctx);
      const blocks = e.modelBlocks(ir);
      try {
        // greenprint.latencyRuntime = onnx: the blocks are timed in ONNX Runtime (a table named by its runtime).
        const onnx = ctx.config.latencyRuntime === 'onnx';
        const profiler = onnx ? e.ortProfiler({ signal }) : e.workerProfiler(w, signal);
        const probe = onnx ? await profiler.profile(blocks[0].ir) : await w.measureOverhead(blocks[0].ir, { signal });
        mkdirSync(ctx.analysis.lutDirectory, { recursive: true });
        const lutPath = path.join(ctx.analysis.lutDirectory, e.lutFileName('local-cpu', probe.backend, probe.runtime));
        let last = 0;
        await e.buildLut({
          blocks,
          profiler,
          lutPath,
          device: { id: 'local-cpu', name: 'This machine (CPU)' },
          signal,
          rounds: 3,
          estimator: 'min',
          calibration: [ir],
          onProgress: (p) => {
            const pct = (100 * p.done) / p.total;
            progress.report({ increment: Math.max(0, pct - last), message: `${p.done}/${p.total} layers` });
            last = pct;
          },
        });
        await setDevice('local-cpu');
        ctx.analysis.invalidateDeviceData();
        ctx.refreshVisible();
        void vscode.window.showInformationMessage(`Greenprint: latency table saved (${blocks.length} layer types); predictions for this machine now use it.`);
        return lutPath;
      } catch (err) {
        if (isAbort(err)) {
          void vscode.window.showInformationMessage('Greenprint: stopped; the table keeps what was measured and the next build resumes.');
          return undefined;
        }
        void vscode.window.showErrorMessage(`Greenprint: building the table failed: ${(err as Error).message}`);
        return undefined;
      }
    },
  );
}

async function selectDevice(ctx: Ctx, id?: unknown): Promise<string | undefined> {
  const e = loadEngine();
  const devices = e.listTargetDevices();
  if (typeof id === 'string') {
    if (!devices.some((d) => d.id === id) && !connectedDevices()?.find(id)) {
      void vscode.window.showErrorMessage(`Greenprint: unknown device "${id}".`);
      return undefined;
    }
    await setDevice(id);
    return id;
  }
  const kinds: Record<string, string> = { 'local-cpu': 'this machine', 'local-gpu': 'this machine', lut: 'lookup table', roofline: 'catalogue (roofline)', remote: 'connected' };
  // Which runtime stands behind each target's figure: the engine's choice of table, put in words.
  const runtimes: RuntimeContext = {
    lutFor: (deviceId) => e.findDeviceLut(ctx.analysis.lutDirectory, deviceId, ctx.config.latencyRuntime),
    calibrated: existsSync(ctx.analysis.calibrationFile),
  };
  const connected = connectedDeviceChoices().map((d) => ({
    label: `$(plug) ${d.name}`,
    description: d.id === ctx.config.device ? `${d.id} · current` : d.id,
    detail: `${d.detail} · ${targetRuntimeDetail(d, runtimes, e.remoteLutDeviceId(d.id.slice(e.REMOTE_PREFIX.length)))}`,
    id: d.id,
  }));
  const connectNew = { label: '$(add) Connect a device…', description: 'greenprint agent on another machine', detail: undefined, id: '' };
  const picked = await vscode.window.showQuickPick(
    [...devices.map((d) => ({ label: shortDevice(d.name), description: d.id === ctx.config.device ? `${d.id} · current` : d.id, detail: `${kinds[d.kind]} · ${targetRuntimeDetail(d, runtimes)}`, id: d.id })), ...connected, connectNew],
    { title: 'Greenprint: target device for latency and CO2e', matchOnDescription: true },
  );
  if (!picked) return undefined;
  if (picked === connectNew) return ((await vscode.commands.executeCommand('greenprint.connectDevice')) as { id: string } | undefined)?.id;
  await setDevice(picked.id);
  return picked.id;
}

export function registerMeasureCommands(ctx: Ctx): void {
  ctx.push(
    vscode.commands.registerCommand('greenprint.selectDevice', (id?: unknown) => selectDevice(ctx, id)),
    vscode.commands.registerCommand('greenprint.measureLatency', (arg?: unknown) => measureActive(ctx, arg)),
    vscode.commands.registerCommand('greenprint.calibrate', () => calibrate(ctx)),
    vscode.commands.registerCommand('greenprint.buildLut', () => buildModelLut(ctx)),
  );
}
