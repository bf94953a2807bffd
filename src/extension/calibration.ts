/**
 * Latency from the first minute: the first time a model is analysed with this machine as the target and
 * the machine has no calibration, a short calibration runs in the background (two kernels, a few seconds,
 * in the measurement child process, never on the extension host) with a cancellable progress notification.
 * Its result is saved with the extension's data (`local-cpu.calibration.json`, the file "Greenprint:
 * Calibrate This Machine" writes), so it runs once per machine; hints and the status bar then show a
 * roofline latency from the measured rates until a latency table prices the model more closely.
 *
 * It does not run when `greenprint.calibrateOnOpen` is off, when a table or calibration already exists, or
 * after the user cancelled it once (remembered; the command still calibrates on demand).
 */
import * as vscode from 'vscode';
import { existsSync, mkdirSync } from 'node:fs';
import type { Ctx } from './context';
import { loadEngine } from './analysis';
import { measurementWorker } from './measure';

export const CALIBRATE_ON_OPEN_SETTING = 'calibrateOnOpen';
/** Set when the user cancelled the automatic calibration: it is not offered again on its own. */
const DECLINED_KEY = 'greenprint.calibration.declined';

/** Why no automatic calibration should run now, or undefined when it should. */
export function calibrationSkipReason(state: {
  readonly enabled: boolean;
  readonly device: string;
  readonly calibrated: boolean;
  readonly declined: boolean;
  /** A calibration ran or is running in this session already. */
  readonly running: boolean;
  readonly isModel: boolean;
}): string | undefined {
  if (!state.enabled) return 'greenprint.calibrateOnOpen is off';
  if (state.device !== 'local-cpu') return 'the target is not this machine';
  if (state.calibrated) return 'this machine is calibrated';
  if (state.declined) return 'the user cancelled it before';
  if (state.running) return 'it was tried in this session';
  if (!state.isModel) return 'not a model';
  return undefined;
}

export function registerFirstCalibration(ctx: Ctx): void {
  // One automatic try per session: a machine where it fails is not retried on every keystroke.
  let tried = false;
  ctx.onRefresh(async (doc) => {
    const enabled = vscode.workspace.getConfiguration('greenprint').get<boolean>(CALIBRATE_ON_OPEN_SETTING, true);
    // Cheap checks first: most refreshes happen after the machine is calibrated.
    const quick = { enabled, device: ctx.config.device, calibrated: existsSync(ctx.analysis.calibrationFile), declined: ctx.extension.globalState.get<boolean>(DECLINED_KEY, false), running: tried, isModel: true };
    if (calibrationSkipReason(quick)) return;
    const report = await ctx.analysis.analyze(doc);
    if (calibrationSkipReason({ ...quick, running: tried, isModel: !!report?.totals })) return;
    // A table that already prices this model leaves nothing to calibrate for.
    if (report?.latency) return;
    tried = true;
    await calibrateInBackground(ctx);
  });
}

async function calibrateInBackground(ctx: Ctx): Promise<void> {
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Greenprint: calibrating this machine so hints show latency (a few seconds, once)',
      cancellable: true,
    },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const e = loadEngine();
      try {
        progress.report({ message: 'timing a 3×3 convolution and a memory-bound add…' });
        const calibration = await e.calibrateLocalDevice(measurementWorker(ctx), controller.signal);
        mkdirSync(ctx.analysis.storageDir, { recursive: true });
        e.saveCalibration(ctx.analysis.calibrationFile, calibration);
        ctx.analysis.invalidateDeviceData();
        ctx.refreshVisible();
        vscode.window.setStatusBarMessage(
          `Greenprint: calibrated at ${(calibration.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s and ${(calibration.bytesPerSecond / 1e9).toFixed(1)} GB/s (${calibration.backend}); hints now show latency.`,
          8000,
        );
      } catch (err) {
        if ((err as Error)?.name === 'AbortError') {
          await ctx.extension.globalState.update(DECLINED_KEY, true);
          void vscode.window.showInformationMessage('Greenprint: calibration cancelled. Run "Greenprint: Calibrate This Machine" when you want latency for this machine.');
          return;
        }
        void vscode.window.showWarningMessage(`Greenprint: could not calibrate this machine (${(err as Error).message}). Hints show params and MACs; "Greenprint: Calibrate This Machine" tries again.`);
      }
    },
  );
}
