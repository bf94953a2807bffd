/**
 * A latency table for this machine, built in the background the first time the panel shows a supernet
 * whose space no table here covers, so a search can limit latency on "This machine" without a command.
 * It is the table `greenprint lut build SUPERNET --device local-cpu` builds (every block of the space at
 * every resolution, fastest of 3 passes, overhead fitted on 8 sampled subnets), measured in the
 * extension's measurement child process with a cancellable progress notification.
 *
 * Built, not shipped: a table holds one machine's timings (runtime, threads, CPU), and a table from the
 * machine that trained the sample would price the user's machine wrongly. Only a supernet that no device
 * prices gets one on its own (the w1.2 sample has OFA's Note10 tables); the Fashion-MNIST sample's space
 * has 118 blocks at its two resolutions (its earlier 32× space had 143, built in 51 s on the project's 2-core
 * development machine).
 *
 * While a search runs the build stops (both would time each other) and it resumes where it stopped when
 * asked again: the table file keeps every entry measured. Cancelling is remembered per supernet file;
 * `greenprint.calibrateOnOpen` off turns it off.
 */
import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Ctx } from '../context';
import { loadEngine } from '../analysis';
import { measurementWorker } from '../measure';
import { CALIBRATE_ON_OPEN_SETTING } from '../calibration';

const DECLINED_KEY = 'greenprint.panel.tableDeclined';
const LUT_ROUNDS = 3;
const CALIBRATION_SUBNETS = 8;

export class LocalTableBuilder implements vscode.Disposable {
  private controller: AbortController | undefined;
  private building: string | undefined;

  constructor(
    private readonly ctx: Ctx,
    /** Called when a table was written (the panel re-reads what each supernet can be priced on). */
    private readonly onBuilt: () => void,
  ) {}

  get busy(): boolean {
    return this.building !== undefined;
  }

  /** Starts a build for `file` when it has no table here and nothing stands against it; returns at once. */
  maybeBuild(file: string, text: string, needsTable: boolean): void {
    if (!needsTable || this.building) return;
    if (!vscode.workspace.getConfiguration('greenprint').get<boolean>(CALIBRATE_ON_OPEN_SETTING, true)) return;
    if (this.ctx.extension.globalState.get<string[]>(DECLINED_KEY, []).includes(file)) return;
    void this.build(file, text);
  }

  /** Stops a running build (it resumes from the saved entries the next time). */
  pause(): void {
    this.controller?.abort();
  }

  private async build(file: string, text: string): Promise<void> {
    const e = loadEngine();
    const description = e.readSupernetSpace(text, file);
    if (!description) return;
    const resolutions = description.resolutions ?? [description.resolution ?? 224];
    const { blocks, calibration, validation } = e.spaceLutWork(description.space, resolutions, CALIBRATION_SUBNETS, 7);
    const controller = new AbortController();
    this.controller = controller;
    this.building = file;
    let userCancelled = false;
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Greenprint: building this machine’s latency table for ${path.basename(file)} (${blocks.length} blocks)`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => {
            userCancelled = true;
            controller.abort();
          });
          const worker = measurementWorker(this.ctx);
          const probe = await worker.measureOverhead(blocks[0].ir, { signal: controller.signal });
          mkdirSync(this.ctx.analysis.lutDirectory, { recursive: true });
          let last = 0;
          await e.buildLut({
            blocks,
            profiler: e.workerProfiler(worker, controller.signal),
            lutPath: path.join(this.ctx.analysis.lutDirectory, e.lutFileName('local-cpu', probe.backend, probe.runtime)),
            device: { id: 'local-cpu', name: 'This machine (CPU)' },
            signal: controller.signal,
            rounds: LUT_ROUNDS,
            estimator: 'min',
            calibration,
            validation,
            onProgress: (p) => {
              const pct = (100 * p.done) / p.total;
              progress.report({ increment: Math.max(0, pct - last), message: `${p.done}/${p.total} ${p.key.startsWith('pass') || p.key.startsWith('calibration') || p.key.startsWith('validation') ? p.key : 'blocks'}` });
              last = pct;
            },
          });
        },
      );
      this.ctx.analysis.invalidateDeviceData();
      this.onBuilt();
      vscode.window.setStatusBarMessage(`Greenprint: latency table for ${path.basename(file)} saved; a search can now limit latency on This machine.`, 8000);
    } catch (err) {
      if ((err as Error)?.name !== 'AbortError') {
        void vscode.window.showWarningMessage(`Greenprint: building this machine’s latency table failed: ${(err as Error).message}`);
      } else if (userCancelled) {
        await this.ctx.extension.globalState.update(DECLINED_KEY, [...this.ctx.extension.globalState.get<string[]>(DECLINED_KEY, []), file]);
      }
    } finally {
      this.controller = undefined;
      this.building = undefined;
    }
  }

  dispose(): void {
    this.controller?.abort();
  }
}
