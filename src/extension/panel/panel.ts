/**
 * The Greenprint panel's host: a webview where the user picks a supernet, a device and a limit, runs the
 * architecture search, explores the results on a Pareto plot and a table, and extracts or measures a subnet.
 *
 * Design:
 *   - Long work never runs on the extension host's thread: the search and the extraction run in the
 *     engine's worker thread (search-client.ts), measurement in the measurement child process or in the
 *     webview itself (TF.js WebGPU/WebGL for this machine's GPU).
 *   - The host holds the truth (request, run state, results, extractions, measurements) and saves all but
 *     the running search in workspace storage, so the panel comes back the same after hiding, closing or a
 *     window reload (a serializer revives it). The webview renders snapshots (protocol.ts).
 *   - Nothing is overwritten silently: extracting into a folder with files asks first.
 *   - Tests drive the same message handler through a hidden command (`greenprint.panel.test`).
 */
import * as vscode from 'vscode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as Engine from '../../engine';
import type { Ctx } from '../context';
import { loadEngine } from '../analysis';
import { makeNonce, panelHtml } from './html';
import {
  PANEL_VIEW_TYPE,
  type DeviceChoice,
  type Extraction,
  type GpuMeasurement,
  type HostMessage,
  type PanelPoint,
  type PanelRequest,
  type PanelResults,
  type PanelSnapshot,
  type PointDetails,
  type RunState,
  type SupernetChoice,
  type TargetMeasurementView,
  type WebviewMessage,
} from './protocol';
import { PanelRequestError, planSearch, spaceSummary, subnetFolderName, toPanelPoint, toPanelResults, toSupernetLimits } from './results';
import { localCpuTarget, providedTargets, webviewGpuTarget, type MeasurementTarget } from './targets';
import { connectedDeviceChoices } from '../devices';
import { LocalTableBuilder } from './local-table';

const STATE_KEY = 'greenprint.panel.state';
/** Progress messages at most this often: a search reports every generation, the eye needs far fewer. */
const PROGRESS_INTERVAL_MS = 100;
const GPU_TIMEOUT_MS = 180_000;
const MEASUREMENTS_KEPT = 10;

interface PersistedState {
  readonly request?: PanelRequest;
  readonly results?: PanelResults;
  readonly extracted: Record<string, Extraction>;
  readonly measurements: Record<string, TargetMeasurementView[]>;
}

/** Choices the extract command would ask for; tests pass them to skip the dialogs. */
export interface ExtractChoices {
  readonly outDir: string;
  readonly weightsFile?: string;
  /** Replace files that exist (the dialog's "Replace"); false: fail instead. */
  readonly replace: boolean;
}

function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}

function supernetText(file: string): string {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  return open ? open.getText() : readFileSync(file, 'utf8');
}

export class GreenprintPanel implements vscode.Disposable {
  static current: GreenprintPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private state: PersistedState;
  private run: RunState = { status: 'idle' };
  private running: Engine.RunningSearch | undefined;
  private ready = false;
  private focus: string | undefined;
  private gpuSequence = 0;
  private readonly gpuPending = new Map<number, { resolve: (m: GpuMeasurement) => void; reject: (e: Error) => void }>();
  /** Everything posted to the webview, for tests (types only past the last 200). */
  readonly posted: HostMessage[] = [];
  private readonly readyWaiters: (() => void)[] = [];
  /** This machine's latency table for a supernet no device prices, built in the background (local-table.ts). */
  private readonly tables: LocalTableBuilder;

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
  ) {
    this.state = ctx.extension.workspaceState.get<PersistedState>(STATE_KEY) ?? { extracted: {}, measurements: {} };
    this.tables = new LocalTableBuilder(ctx, () => {
      if (this.ready) void this.sendInit();
    });
    this.disposables.push(this.tables);
    const root = ctx.extension.extensionUri;
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(root, 'dist', 'webview'), vscode.Uri.joinPath(root, 'media')] };
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'panel-icon.svg');
    const asUri = (...parts: string[]) => panel.webview.asWebviewUri(vscode.Uri.joinPath(root, ...parts)).toString();
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asUri('dist', 'webview', 'panel.js'),
      styleUri: asUri('media', 'panel.css'),
      gpuScriptUri: asUri('dist', 'webview', 'gpu-measure.js'),
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: WebviewMessage) => void this.handle(message).catch((e) => console.error('[greenprint] panel message failed', e))),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // A webview that was hidden lost its page; it says `ready` again when it is back.
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  /** Opens (or reveals) the panel, preselecting `focus` when given. */
  static show(ctx: Ctx, focus?: vscode.Uri): GreenprintPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (GreenprintPanel.current) {
      GreenprintPanel.current.panel.reveal(column);
    } else {
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Greenprint', column, {});
      GreenprintPanel.current = new GreenprintPanel(ctx, panel);
    }
    const current = GreenprintPanel.current;
    if (focus) {
      current.focus = focus.fsPath;
      if (current.ready) void current.sendInit();
    }
    return current;
  }

  /** A panel VS Code restores after a window reload. */
  static revive(ctx: Ctx, panel: vscode.WebviewPanel): GreenprintPanel {
    GreenprintPanel.current?.dispose();
    GreenprintPanel.current = new GreenprintPanel(ctx, panel);
    return GreenprintPanel.current;
  }

  get isReady(): boolean {
    return this.ready;
  }

  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  snapshot(): PanelSnapshot {
    return { request: this.state.request, run: this.run, results: this.state.results, extracted: this.state.extracted, measurements: this.state.measurements };
  }

  private post(message: HostMessage): void {
    this.posted.push(message);
    if (this.posted.length > 400) this.posted.splice(0, 200);
    void this.panel.webview.postMessage(message);
  }

  private async save(update: Partial<PersistedState>): Promise<void> {
    this.state = { ...this.state, ...update };
    await this.ctx.extension.workspaceState.update(STATE_KEY, this.state);
  }

  private setRun(run: RunState): void {
    this.run = run;
    this.post({ type: 'run', run });
  }

  /** Handles one message from the webview; resolves when its work is done (tests await this). */
  async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.sendInit();
        for (const resolve of this.readyWaiters.splice(0)) resolve();
        return;
      case 'draft':
        await this.save({ request: message.request });
        return;
      case 'run':
        return this.runSearch(message.request);
      case 'cancel':
        this.running?.cancel();
        return;
      case 'details':
        return this.sendDetails(message.key);
      case 'extract':
        await this.extract(message.key);
        return;
      case 'measure':
        return this.measure(message.key, message.target);
      case 'open':
        await this.openFile(message.path);
        return;
      case 'reveal':
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(message.path));
        return;
      case 'gpuMeasured': {
        const pending = this.gpuPending.get(message.id);
        if (!pending) return;
        this.gpuPending.delete(message.id);
        if (message.result) pending.resolve(message.result);
        else pending.reject(new Error(message.error ?? 'the webview did not measure'));
        return;
      }
    }
  }

  // ── init: what can be chosen ──────────────────────────────────────────────────────────────────────

  private async sendInit(): Promise<void> {
    const supernets = await this.supernetChoices();
    const e = loadEngine();
    const devices: DeviceChoice[] = [
      ...e.listTargetDevices().map((d) => ({ id: d.id, name: d.name, kind: d.kind })),
      ...connectedDeviceChoices().map((d) => ({ id: d.id, name: `${d.name} (connected device)`, kind: d.kind })),
    ];
    this.post({
      type: 'init',
      supernets,
      devices,
      targets: this.targets().map(({ id, label, predictsAs }) => ({ id, label, predictsAs })),
      snapshot: this.snapshot(),
      focus: this.focus,
    });
    const shown = supernets.find((c) => c.file === (this.focus ?? this.state.request?.supernet)) ?? supernets.find((c) => !c.error);
    this.focus = undefined;
    this.buildTableIfNeeded(shown);
  }

  /** No device can price the shown supernet's latency: build this machine's table, unless a search runs. */
  private buildTableIfNeeded(shown: SupernetChoice | undefined): void {
    if (!shown || shown.error || this.running || shown.latencyDevices.length > 0) return;
    try {
      this.tables.maybeBuild(shown.file, supernetText(shown.file), true);
    } catch (e) {
      console.error('[greenprint] latency table build not started', e);
    }
  }

  private async supernetChoices(): Promise<SupernetChoice[]> {
    const files = new Set<string>();
    for (const uri of await vscode.workspace.findFiles('**/*.supernet.json', '**/node_modules/**', 200)) files.add(uri.fsPath);
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === 'file' && (await this.ctx.analysis.analyze(doc))?.format === 'ofa-supernet') files.add(doc.uri.fsPath);
    }
    if (this.focus) files.add(this.focus);
    if (this.state.request?.supernet && existsSync(this.state.request.supernet)) files.add(this.state.request.supernet);
    return [...files].sort().map((file) => this.describeSupernet(file));
  }

  private describeSupernet(file: string): SupernetChoice {
    const label = vscode.workspace.asRelativePath(file);
    try {
      const description = loadEngine().readSupernetSpace(supernetText(file));
      if (!description) return { file, label, summary: 'not a Greenprint supernet file', error: `${label}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`, hasWeights: false, latencyDevices: [] };
      const weights = description.assets.weights ? path.resolve(path.dirname(file), description.assets.weights) : undefined;
      const targets = this.supernetTargets(file, supernetText(file));
      return {
        file,
        label,
        summary: spaceSummary(description.space, description.resolutions ?? (description.resolution ? [description.resolution] : undefined)),
        hasWeights: weights !== undefined && existsSync(weights),
        latencyDevices: targets.targets.filter((t) => t.searchable).map((t) => t.id),
        limits: toSupernetLimits(targets, loadEngine().middleOf),
      };
    } catch (e) {
      return { file, label, summary: 'cannot be read', error: `${label}: ${(e as Error).message}`, hasWeights: false, latencyDevices: [] };
    }
  }

  /**
   * The engine's answer for a supernet (supernet/targets.ts): which devices price it and how, its FLOPs and
   * latency ranges, and the first search's defaults (the user's device when it can price the space).
   */
  private supernetTargets(file: string, text: string): Engine.SupernetTargets {
    return loadEngine().supernetTargets({
      file,
      text,
      lutDirectory: this.ctx.analysis.lutDirectory,
      connected: connectedDeviceChoices().map((d) => ({ id: d.id, name: d.name })),
      calibrated: existsSync(this.ctx.analysis.calibrationFile),
      preferredDevice: this.ctx.config.device,
    });
  }

  private deviceName(id: string): string {
    return loadEngine().listTargetDevices().find((d) => d.id === id)?.name ?? connectedDeviceChoices().find((d) => d.id === id)?.name ?? id;
  }

  private targets(): MeasurementTarget[] {
    return [localCpuTarget(this.ctx), webviewGpuTarget((modelJson, shards, signal) => this.askWebviewGpu(modelJson, shards, signal)), ...providedTargets()];
  }

  // ── search ────────────────────────────────────────────────────────────────────────────────────────

  private async runSearch(request: PanelRequest): Promise<void> {
    if (this.running) {
      this.post({ type: 'run', run: this.run });
      return;
    }
    await this.save({ request });
    const e = loadEngine();
    let text: string;
    let plan: ReturnType<typeof planSearch>;
    try {
      text = supernetText(request.supernet);
      const description = e.readSupernetSpace(text);
      if (!description) throw new PanelRequestError(`${vscode.workspace.asRelativePath(request.supernet)}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`);
      const { region, pue, powerW } = this.ctx.config.carbon;
      const priced = this.supernetTargets(request.supernet, text).targets.filter((t) => t.searchable).map((t) => t.id);
      plan = planSearch(request, text, priced, this.deviceName(request.device), { lutDirectory: this.ctx.analysis.lutDirectory, carbon: { region, pue, powerW } });
    } catch (err) {
      this.setRun({ status: 'failed', message: (err as Error).message });
      return;
    }
    const keyOf = (arch: PanelPoint['arch']) => e.activeArchKey(arch);
    // A table being built would time the search's CPU load; it resumes from its saved entries afterwards.
    const tableWasBuilding = this.tables.busy;
    this.tables.pause();
    let lastPost = 0;
    let progress: RunState & { status: 'running' } = { status: 'running' };
    const publish = (force: boolean) => {
      const now = Date.now();
      if (!force && now - lastPost < PROGRESS_INTERVAL_MS) return;
      lastPost = now;
      this.setRun(progress);
    };
    this.setRun(progress);
    const running = e.startSearch(plan.job, {
      onProgress: (p) => {
        progress = { ...progress, progress: p };
        publish(p.generation === p.generations);
      },
      onFront: (points) => {
        progress = { ...progress, front: points.map((p) => toPanelPoint(p, keyOf)) };
        publish(true);
      },
    });
    this.running = running;
    try {
      const outcome = await running.result;
      const results = toPanelResults(outcome, request, keyOf, { deviceName: outcome.constraint.device ? this.deviceName(outcome.constraint.device) : undefined, notes: plan.notes });
      await this.save({ results });
      this.post({ type: 'results', results });
      this.setRun({ status: 'idle' });
    } catch (err) {
      this.setRun(isAbort(err) ? { status: 'cancelled' } : { status: 'failed', message: (err as Error).message });
    } finally {
      this.running = undefined;
      if (tableWasBuilding) this.buildTableIfNeeded(this.describeSupernet(request.supernet));
    }
  }

  private findPoint(key: string): PanelPoint | undefined {
    return this.state.results?.points.find((p) => p.key === key) ?? (this.run.status === 'running' ? this.run.front?.find((p) => p.key === key) : undefined);
  }

  /** The supernet and device the shown results were searched with (or the form's, during a first run). */
  private resultContext(): PanelRequest | undefined {
    return this.state.results?.request ?? this.state.request;
  }

  private efficiencyFor(device: string): Engine.EfficiencyOptions {
    const e = loadEngine();
    const { region, pue, powerW, powerUtilisation } = this.ctx.config.carbon;
    let localDevice: Engine.DeviceSpec | undefined;
    try {
      const calibration = e.loadCalibration(this.ctx.analysis.calibrationFile);
      localDevice = calibration ? e.localDeviceSpec(calibration, powerW) : undefined;
    } catch {
      localDevice = undefined;
    }
    return { device, lutDirectory: this.ctx.analysis.lutDirectory, localDevice, carbon: { region, pue, powerW, powerUtilisation } };
  }

  private async sendDetails(key: string): Promise<void> {
    const point = this.findPoint(key);
    const request = this.resultContext();
    if (!point || !request) {
      this.post({ type: 'detailsFailed', key, message: 'This subnet is no longer in the results.' });
      return;
    }
    try {
      const e = loadEngine();
      const description = e.readSupernetSpace(supernetText(request.supernet));
      if (!description) throw new Error(`${request.supernet} is no longer a supernet description.`);
      const breakdown = e.subnetBreakdown(description.space, point.arch);
      const config = e.expandOfaArch(description.space, point.arch);
      const report = e.analyzeText(JSON.stringify(config), { fileName: 'net.config', inputSize: [point.arch.r, point.arch.r], efficiency: this.efficiencyFor(request.device) });
      const details: PointDetails = {
        key,
        stages: breakdown.stages,
        stem: breakdown.stem,
        head: breakdown.head,
        totals: breakdown.totals,
        predicted: report.latency
          ? { device: report.latency.device.name, ms: report.latency.totalMs, source: report.latency.source, co2ePerMillionG: report.carbon?.perMillion.gCO2e }
          : undefined,
      };
      this.post({ type: 'details', details });
    } catch (err) {
      this.post({ type: 'detailsFailed', key, message: (err as Error).message });
    }
  }

  // ── extract ───────────────────────────────────────────────────────────────────────────────────────

  /** Extracts a result's subnet; asks for weights, folder and replacing unless `choices` says. */
  async extract(key: string, choices?: ExtractChoices): Promise<Extraction | undefined> {
    const point = this.findPoint(key);
    const request = this.resultContext();
    if (!point || !request) {
      this.post({ type: 'actionFailed', key, what: 'extract', message: 'This subnet is no longer in the results.' });
      return undefined;
    }
    const e = loadEngine();
    const supernet = request.supernet;
    const label = vscode.workspace.asRelativePath(supernet);
    try {
      const description = e.readSupernetSpace(supernetText(supernet));
      if (!description) throw new Error(`${label}: not a Greenprint supernet file.`);
      let weightsFile = choices?.weightsFile;
      if (!weightsFile && description.assets.weights) {
        weightsFile = path.resolve(path.dirname(supernet), description.assets.weights);
        if (!existsSync(weightsFile)) throw new Error(`${label} names the weights "${description.assets.weights}", but ${weightsFile} does not exist.`);
      }
      if (!weightsFile) {
        const picked = await vscode.window.showOpenDialog({
          title: `${path.basename(supernet)} names no "weights": choose the supernet's weights`,
          defaultUri: vscode.Uri.file(path.dirname(supernet)),
          canSelectMany: false,
          filters: { 'Supernet weights (safetensors, TF.js JSON)': ['safetensors', 'json'] },
          openLabel: 'Use these weights',
        });
        if (!picked?.length) return this.actionCancelled(key, 'extract');
        weightsFile = picked[0].fsPath;
      }
      const outDir = choices?.outDir ?? (await this.askOutputFolder(supernet, key));
      if (!outDir) return this.actionCancelled(key, 'extract');
      // The engine refuses a non-empty folder unless told to replace it (and, even then, a folder holding
      // anything but an earlier extraction, or the supernet's own files): ask first, pass force only on yes.
      // Caught here so the user is not asked to replace a folder the engine would refuse anyway.
      const covered = [path.dirname(supernet), weightsFile].find((input) => {
        const relative = path.relative(outDir, input);
        return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
      });
      if (covered) throw new Error(`${outDir} is or holds ${covered}; extraction never writes over its inputs. Choose a new folder, e.g. the suggested one next to the supernet.`);
      const held = extractFolderEntries(outDir, e.extractTargets(outDir));
      let force = false;
      if (held.length) {
        const list = held.length <= 6 ? held.join(', ') : `${held.slice(0, 6).join(', ')}, …`;
        if (choices) {
          if (!choices.replace) throw new Error(`${outDir} already holds ${list}; choose another folder or allow replacing.`);
        } else {
          const answer = await vscode.window.showWarningMessage(
            `${vscode.workspace.asRelativePath(outDir)} already holds ${held.length} entr${held.length === 1 ? 'y' : 'ies'} (${list}). Replace the whole folder with the new subnet?`,
            { modal: true, detail: 'Only the folder of an earlier extraction can be replaced; the old one is deleted once the new one is complete.' },
            'Replace',
          );
          if (answer !== 'Replace') return this.actionCancelled(key, 'extract');
        }
        force = true;
      }
      this.post({ type: 'busy', key, what: 'extract', message: `Extracting into ${vscode.workspace.asRelativePath(outDir)}…` });
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Greenprint: extracting the subnet into ${vscode.workspace.asRelativePath(outDir)}` },
        () => e.extractInWorker({ supernetFile: supernet, weightsFile, arch: { ks: [...point.arch.ks], e: [...point.arch.e], d: [...point.arch.d], r: point.arch.r }, outDir, force }),
      );
      const extraction: Extraction = { dir: outDir, files: [...outcome.files], params: outcome.params };
      await this.save({ extracted: { ...this.state.extracted, [key]: extraction } });
      this.post({ type: 'extracted', key, extraction });
      const netConfig = outcome.files.find((f) => path.basename(f) === 'net.config')!;
      await this.openFile(netConfig);
      void vscode.window
        .showInformationMessage(`Greenprint: wrote ${outcome.files.length} files (${vscode.workspace.asRelativePath(outDir)}): net.config, run.config, model.safetensors and a TF.js graph model in tfjs/.`, 'Reveal in Explorer')
        .then((choice) => choice && vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(netConfig)));
      return extraction;
    } catch (err) {
      const message = (err as Error).message;
      this.post({ type: 'actionFailed', key, what: 'extract', message });
      if (!choices) void vscode.window.showErrorMessage(`Greenprint: extraction failed: ${message}`);
      return undefined;
    }
  }

  private actionCancelled(key: string, what: 'extract' | 'measure'): undefined {
    this.post({ type: 'actionCancelled', key, what });
    return undefined;
  }

  /** The default folder next to the supernet, or one the user picks. */
  private async askOutputFolder(supernet: string, key: string): Promise<string | undefined> {
    const suggested = path.join(path.dirname(supernet), subnetFolderName(supernet, key));
    const choice = await vscode.window.showQuickPick(
      [
        { label: `$(folder) ${vscode.workspace.asRelativePath(suggested)}`, description: existsSync(suggested) ? 'exists: you will be asked before anything is replaced' : 'new folder next to the supernet', dir: suggested },
        { label: '$(folder-opened) Choose another folder…', dir: undefined },
      ],
      { title: 'Greenprint: where should the extracted subnet go?', placeHolder: 'net.config, run.config, model.safetensors, tfjs/model.json + shard' },
    );
    if (!choice) return undefined;
    if (choice.dir) return choice.dir;
    const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: vscode.Uri.file(path.dirname(supernet)), openLabel: 'Extract here' });
    return picked?.[0]?.fsPath;
  }

  private async openFile(file: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    // Beside the panel, so the results stay in view while the inline hints show on the config.
    const column = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    await vscode.window.showTextDocument(doc, { viewColumn: column, preview: false });
  }

  // ── measure ───────────────────────────────────────────────────────────────────────────────────────

  private async measure(key: string, targetId: string): Promise<void> {
    const point = this.findPoint(key);
    const request = this.resultContext();
    const target = this.targets().find((t) => t.id === targetId);
    if (!point || !request || !target) {
      this.post({ type: 'actionFailed', key, what: 'measure', message: !target ? `Unknown measurement target "${targetId}".` : 'This subnet is no longer in the results.' });
      return;
    }
    const e = loadEngine();
    const extraction = this.state.extracted[key];
    const dir = extraction && existsSync(path.join(extraction.dir, 'net.config')) ? extraction.dir : undefined;
    try {
      const description = e.readSupernetSpace(supernetText(request.supernet));
      if (!description) throw new Error(`${request.supernet} is no longer a supernet description.`);
      const netConfigText = dir ? readFileSync(path.join(dir, 'net.config'), 'utf8') : JSON.stringify(e.expandOfaArch(description.space, point.arch));
      const name = dir ? path.basename(dir) : subnetFolderName(request.supernet, key);
      this.post({ type: 'busy', key, what: 'measure', message: `Measuring on ${target.label}…` });
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Greenprint: measuring ${name} on ${target.label}`, cancellable: true },
        (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          return target.measure({ name, netConfigText, resolution: point.arch.r, dir }, { signal: controller.signal, onProgress: (message) => progress.report({ message }) });
        },
      );
      // Compare with what the plot shows when the search priced this device, else with the engine's estimate.
      let predictedMs: number | undefined;
      let predictedSource: string | undefined;
      if (this.state.results?.constraint.device === target.predictsAs && point.latencyMs !== undefined) {
        predictedMs = point.latencyMs;
        predictedSource = `the search's latency table for ${this.deviceName(target.predictsAs)}`;
      } else {
        const report = e.analyzeText(netConfigText, { fileName: 'net.config', inputSize: [point.arch.r, point.arch.r], efficiency: this.efficiencyFor(target.predictsAs) });
        if (report.latency) {
          predictedMs = report.latency.totalMs;
          predictedSource = report.latency.source;
        }
      }
      const view: TargetMeasurementView = {
        target: target.label,
        backend: result.backend,
        medianMs: result.medianMs,
        p10Ms: result.p10Ms,
        p90Ms: result.p90Ms,
        runs: result.runs,
        predictedMs,
        predictedSource,
        notes: [...result.notes, ...(dir ? [] : ['measured from the subnet’s config with random weights (timing does not depend on their values); extract it to measure the written model'])],
        at: new Date().toISOString(),
      };
      const kept = [view, ...(this.state.measurements[key] ?? [])].slice(0, MEASUREMENTS_KEPT);
      await this.save({ measurements: { ...this.state.measurements, [key]: kept } });
      this.post({ type: 'measured', key, measurement: view });
    } catch (err) {
      if (isAbort(err)) this.post({ type: 'actionCancelled', key, what: 'measure' });
      else this.post({ type: 'actionFailed', key, what: 'measure', message: (err as Error).message });
    }
  }

  /** Sends the graph model to the webview's TF.js and waits for its timings. */
  private async askWebviewGpu(modelJson: unknown, shards: Record<string, Uint8Array>, signal: AbortSignal): Promise<GpuMeasurement> {
    if (!this.panel.visible) this.panel.reveal(undefined, true);
    await this.whenReady();
    const id = ++this.gpuSequence;
    return new Promise<GpuMeasurement>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`the panel did not answer within ${GPU_TIMEOUT_MS / 1000} s (was it closed or hidden?)`)), GPU_TIMEOUT_MS);
      const onAbort = () => finish(new DOMException('Measurement cancelled', 'AbortError'));
      const finish = (outcome: Error | GpuMeasurement) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.gpuPending.delete(id);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.gpuPending.set(id, { resolve: (m) => finish(m), reject: (err) => finish(err) });
      this.post({ type: 'gpuMeasure', id, modelJson, shards, runs: 30, warmup: 5 });
    });
  }

  dispose(): void {
    if (GreenprintPanel.current === this) GreenprintPanel.current = undefined;
    this.running?.cancel();
    for (const pending of this.gpuPending.values()) pending.reject(new Error('the panel was closed'));
    this.gpuPending.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** `greenprint.panel.test` actions: the integration tests' handle on the panel (not in the palette). */
type TestAction =
  | { readonly action: 'open'; readonly focus?: string }
  | { readonly action: 'waitReady'; readonly timeoutMs?: number }
  | { readonly action: 'post'; readonly message: WebviewMessage }
  | { readonly action: 'snapshot' }
  | { readonly action: 'posted'; readonly type?: HostMessage['type'] }
  | { readonly action: 'extract'; readonly key: string; readonly choices: ExtractChoices }
  | { readonly action: 'close' };

async function testCommand(ctx: Ctx, request: TestAction): Promise<unknown> {
  const panel = () => {
    if (!GreenprintPanel.current) throw new Error('the Greenprint panel is not open');
    return GreenprintPanel.current;
  };
  switch (request.action) {
    case 'open':
      GreenprintPanel.show(ctx, request.focus ? vscode.Uri.file(request.focus) : undefined);
      return true;
    case 'waitReady': {
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), request.timeoutMs ?? 20000));
      return Promise.race([panel().whenReady().then(() => true), timeout]);
    }
    case 'post':
      await panel().handle(request.message);
      return panel().snapshot();
    case 'snapshot':
      return panel().snapshot();
    case 'posted':
      return request.type ? panel().posted.filter((m) => m.type === request.type) : panel().posted.map((m) => m.type);
    case 'extract':
      return panel().extract(request.key, request.choices);
    case 'close':
      GreenprintPanel.current?.dispose();
      return true;
  }
}

/** What `dir` holds (nothing when it does not exist), an extraction's own names first in `targets` order, so messages start with them. */
function extractFolderEntries(dir: string, targets: readonly string[]): string[] {
  if (!existsSync(dir)) return [];
  const order = [...new Set(targets.map((f) => path.relative(dir, f).split(path.sep)[0]))];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return readdirSync(dir).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function registerPanel(ctx: Ctx, selector: vscode.DocumentSelector): void {
  const lensesChanged = new vscode.EventEmitter<void>();
  ctx.push(
    lensesChanged,
    ctx.onDidChangeConfig(() => lensesChanged.fire()),
    vscode.commands.registerCommand('greenprint.openPanel', async (arg?: unknown) => {
      const focus = arg instanceof vscode.Uri ? arg : undefined;
      const active = vscode.window.activeTextEditor?.document;
      const activeSupernet = active && (await ctx.analysis.analyze(active))?.format === 'ofa-supernet' ? active.uri : undefined;
      GreenprintPanel.show(ctx, focus ?? activeSupernet);
    }),
    vscode.commands.registerCommand('greenprint.panel.test', (request: TestAction) => testCommand(ctx, request)),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel) {
        GreenprintPanel.revive(ctx, panel);
      },
    }),
    vscode.languages.registerCodeLensProvider(selector, {
      onDidChangeCodeLenses: lensesChanged.event,
      async provideCodeLenses(doc) {
        if (!ctx.config.codeLensEnabled || (await ctx.analysis.analyze(doc))?.format !== 'ofa-supernet') return [];
        return [
          new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
            title: 'Open in Greenprint panel',
            command: 'greenprint.openPanel',
            arguments: [doc.uri],
            tooltip: 'Search this supernet for subnets under a latency, FLOPs or CO₂e limit, then extract and measure them',
          }),
        ];
      },
    }),
    { dispose: () => GreenprintPanel.current?.dispose() },
  );
}
