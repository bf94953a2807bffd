/**
 * Connected devices: machines running `greenprint agent`, usable as the target device (`remote:<name>`).
 *
 * Endpoints live in the `greenprint.devices` setting (name and URL, safe to sync and share); tokens live
 * in the editor's SecretStorage under the device's name, never in settings. The engine's DeviceClient does
 * the protocol work; this file only keeps one connection per device, reports its state to the status bar,
 * and reconnects when it drops: a lost connection is announced once (warning), then retried in the
 * background after 1, 2, 4 … 60 s until it comes back (announced too) or the device is disconnected.
 * Pending requests never wait on a dead connection: the client rejects them as soon as the socket closes.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Engine from '../engine';
import type { Ctx } from './context';
import { loadEngine } from './analysis';
import { setDevice } from './config';
import { escapeMarkdown } from './markdown';
import { registerMeasurementTargets, type MeasurementTarget } from './panel/targets';

export const REMOTE_PREFIX = 'remote:';
const SETTING = 'devices';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const RETRY_DELAYS_S = [1, 2, 4, 8, 16, 30, 60];

export interface DeviceEndpoint {
  readonly name: string;
  readonly url: string;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'lost';

export interface ConnectedDeviceView {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly state: ConnectionState;
  /** The agent's description, once it has answered. */
  readonly info?: Engine.AgentDeviceInfo;
  /** Why the last attempt failed or the connection dropped. */
  readonly problem?: string;
}

export const remoteId = (name: string) => `${REMOTE_PREFIX}${name}`;
export const isRemoteId = (id: string) => id.startsWith(REMOTE_PREFIX);
const tokenKey = (name: string) => `greenprint.device-token.${name}`;

/** The `greenprint.devices` setting, ignoring malformed entries (the settings schema flags them). */
export function readDeviceEndpoints(): DeviceEndpoint[] {
  const raw = vscode.workspace.getConfiguration('greenprint').get<unknown[]>(SETTING, []);
  const seen = new Set<string>();
  const out: DeviceEndpoint[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    const e = entry as Partial<DeviceEndpoint>;
    if (typeof e?.name !== 'string' || !NAME_PATTERN.test(e.name) || typeof e.url !== 'string' || seen.has(e.name)) continue;
    seen.add(e.name);
    out.push({ name: e.name, url: e.url });
  }
  return out;
}

async function writeDeviceEndpoints(endpoints: readonly DeviceEndpoint[]): Promise<void> {
  await vscode.workspace.getConfiguration('greenprint').update(SETTING, endpoints.length ? endpoints : undefined, vscode.ConfigurationTarget.Global);
}

interface Link {
  endpoint: DeviceEndpoint;
  state: ConnectionState;
  client?: Engine.DeviceClient;
  connecting?: Promise<Engine.DeviceClient>;
  info?: Engine.AgentDeviceInfo;
  problem?: string;
  attempt: number;
  retry?: NodeJS.Timeout;
  /** Set once connected in this session: only such devices are retried after a drop. */
  wanted: boolean;
}

export class ConnectedDevices implements vscode.Disposable {
  private readonly links = new Map<string, Link>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when a device is added, removed, connects or drops. */
  readonly onDidChange = this.emitter.event;
  private disposed = false;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Every configured device with its connection state, in settings order. */
  list(): ConnectedDeviceView[] {
    return readDeviceEndpoints().map((endpoint) => {
      const link = this.links.get(endpoint.name);
      return { id: remoteId(endpoint.name), name: endpoint.name, url: endpoint.url, state: link?.state ?? 'disconnected', info: link?.info, problem: link?.problem };
    });
  }

  find(id: string): ConnectedDeviceView | undefined {
    return this.list().find((d) => d.id === id || d.name === id);
  }

  /** An open client for a configured device, connecting (with the stored token) when needed. */
  async client(idOrName: string): Promise<Engine.DeviceClient> {
    const name = isRemoteId(idOrName) ? idOrName.slice(REMOTE_PREFIX.length) : idOrName;
    const endpoint = readDeviceEndpoints().find((e) => e.name === name);
    if (!endpoint) throw new Error(`no connected device named "${name}" (Greenprint: Connect Device adds one)`);
    const link = this.linkFor(endpoint);
    if (link.client?.connected) return link.client;
    return this.connect(link);
  }

  /** Opens a connection to a new endpoint and, once the agent accepted the token, stores both. */
  async add(endpoint: DeviceEndpoint, token: string): Promise<Engine.AgentDeviceInfo> {
    const client = await loadEngine().DeviceClient.connect(endpoint.url, token);
    const others = readDeviceEndpoints().filter((e) => e.name !== endpoint.name);
    await this.secrets.store(tokenKey(endpoint.name), token);
    await writeDeviceEndpoints([...others, endpoint]);
    this.forget(endpoint.name);
    const link = this.linkFor(endpoint);
    this.adopt(link, client);
    return client.device!;
  }

  /** Closes the connection and removes the endpoint and its token. */
  async remove(name: string): Promise<boolean> {
    const known = readDeviceEndpoints();
    if (!known.some((e) => e.name === name)) return false;
    this.forget(name);
    await writeDeviceEndpoints(known.filter((e) => e.name !== name));
    await this.secrets.delete(tokenKey(name));
    this.emitter.fire();
    return true;
  }

  /** Drops links whose endpoint left the settings or changed address. */
  syncWithSettings(): void {
    const endpoints = new Map(readDeviceEndpoints().map((e) => [e.name, e]));
    for (const [name, link] of this.links) {
      const now = endpoints.get(name);
      if (!now || now.url !== link.endpoint.url) this.forget(name);
    }
    this.emitter.fire();
  }

  dispose(): void {
    this.disposed = true;
    for (const name of [...this.links.keys()]) this.forget(name);
    this.emitter.dispose();
  }

  private linkFor(endpoint: DeviceEndpoint): Link {
    let link = this.links.get(endpoint.name);
    if (!link) {
      link = { endpoint, state: 'disconnected', attempt: 0, wanted: false };
      this.links.set(endpoint.name, link);
    }
    return link;
  }

  private forget(name: string): void {
    const link = this.links.get(name);
    if (!link) return;
    this.links.delete(name);
    if (link.retry) clearTimeout(link.retry);
    link.client?.close();
  }

  private connect(link: Link): Promise<Engine.DeviceClient> {
    if (link.connecting) return link.connecting;
    const { name, url } = link.endpoint;
    link.state = link.state === 'lost' ? 'lost' : 'connecting';
    this.emitter.fire();
    link.connecting = (async () => {
      const token = await this.secrets.get(tokenKey(name));
      if (!token) throw new Error(`no token stored for device "${name}"; run Greenprint: Connect Device again`);
      const client = await loadEngine().DeviceClient.connect(url, token);
      if (this.links.get(name) !== link) {
        client.close(); // disconnected or re-added meanwhile
        throw new Error(`device "${name}" was disconnected`);
      }
      this.adopt(link, client);
      return client;
    })();
    link.connecting.then(
      () => (link.connecting = undefined),
      (e: Error) => {
        link.connecting = undefined;
        link.problem = e.message;
        if (link.state === 'connecting') link.state = 'disconnected';
        this.emitter.fire();
      },
    );
    return link.connecting;
  }

  private adopt(link: Link, client: Engine.DeviceClient): void {
    const recovered = link.state === 'lost';
    link.client = client;
    link.info = client.device;
    link.state = 'connected';
    link.problem = undefined;
    link.attempt = 0;
    link.wanted = true;
    if (link.retry) clearTimeout(link.retry);
    link.retry = undefined;
    client.onClose((reason) => this.onLost(link, client, reason));
    if (recovered) void vscode.window.showInformationMessage(`Greenprint: reconnected to device "${link.endpoint.name}" (${link.endpoint.url}).`);
    this.emitter.fire();
  }

  private onLost(link: Link, client: Engine.DeviceClient, reason: string): void {
    if (this.disposed || this.links.get(link.endpoint.name) !== link || link.client !== client) return; // closed on purpose
    link.client = undefined;
    link.state = 'lost';
    link.problem = reason;
    this.emitter.fire();
    void vscode.window
      .showWarningMessage(`Greenprint: lost the connection to device "${link.endpoint.name}" (${link.endpoint.url}): ${reason}. Retrying in the background.`, 'Disconnect Device')
      .then((choice) => choice && this.remove(link.endpoint.name));
    this.scheduleRetry(link);
  }

  private scheduleRetry(link: Link): void {
    if (this.disposed || !link.wanted || this.links.get(link.endpoint.name) !== link) return;
    const delayS = RETRY_DELAYS_S[Math.min(link.attempt, RETRY_DELAYS_S.length - 1)];
    link.attempt++;
    link.retry = setTimeout(() => {
      link.retry = undefined;
      this.connect(link).catch((e: Error) => {
        link.state = 'lost';
        link.problem = `${e.message}; next try in ${RETRY_DELAYS_S[Math.min(link.attempt, RETRY_DELAYS_S.length - 1)]} s`;
        this.emitter.fire();
        this.scheduleRetry(link);
      });
    }, delayS * 1000);
  }
}

let devices: ConnectedDevices | undefined;

/** The extension's connected devices (created by registerDevices). */
export function connectedDevices(): ConnectedDevices | undefined {
  return devices;
}

/** Picker entries for connected devices, for the status-bar picker and the panel. */
export function connectedDeviceChoices(): { id: string; name: string; kind: 'remote'; detail: string }[] {
  return (devices?.list() ?? []).map((d) => ({
    id: d.id,
    name: d.name,
    kind: 'remote' as const,
    detail: `connected device · ${d.url} · ${d.state}${d.info ? ` · ${d.info.cpu.model} × ${d.info.cpu.cores}, ${d.info.backend}` : ''}`,
  }));
}

/** Status-bar text and tooltip line for a `remote:` target. */
export function remoteStatus(id: string): { text: string; tooltip: string } | undefined {
  if (!isRemoteId(id)) return undefined;
  const d = devices?.find(id);
  if (!d) return { text: `$(warning) ${id.slice(REMOTE_PREFIX.length)}`, tooltip: `**${escapeMarkdown(id)}** is not in greenprint.devices: connect it again or pick another device.` };
  const icon = d.state === 'connected' ? '$(plug)' : d.state === 'lost' ? '$(debug-disconnect)' : d.state === 'connecting' ? '$(sync~spin)' : '$(plug)';
  const state = d.state === 'lost' ? `connection lost, reconnecting${d.problem ? ` (${d.problem})` : ''}` : d.state === 'disconnected' && d.problem ? `not connected: ${d.problem}` : d.state;
  const hardware = d.info ? `\n\n${escapeMarkdown(loadEngine().formatAgentDevice(d.info))}` : '';
  return { text: `${icon} ${d.name}`, tooltip: `**Connected device ${escapeMarkdown(d.name)}** (${escapeMarkdown(d.url)}): ${escapeMarkdown(state)}${hardware}` };
}

interface ConnectArgs {
  readonly url?: string;
  readonly token?: string;
  readonly name?: string;
  /** Make it the target device without asking. */
  readonly select?: boolean;
}

function suggestedName(info: Engine.AgentDeviceInfo | undefined, url: string): string {
  const base = (info?.hostname || new URL(url).hostname).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return NAME_PATTERN.test(base) ? base : 'device';
}

/** Greenprint: Connect Device — URL and token (arguments or prompts), checked with a ping before anything is stored. */
async function connectDevice(ctx: Ctx, args: ConnectArgs = {}): Promise<{ id: string; info: Engine.AgentDeviceInfo } | undefined> {
  const e = loadEngine();
  const url =
    args.url ??
    (await vscode.window.showInputBox({
      title: 'Greenprint: connect a device (1/3)',
      prompt: 'Address `greenprint agent` printed on the device',
      placeHolder: 'ws://192.168.1.20:7070',
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          e.normaliseAgentUrl(v);
          return undefined;
        } catch (err) {
          return (err as Error).message;
        }
      },
    }));
  if (!url) return undefined;
  const token =
    args.token ??
    (await vscode.window.showInputBox({ title: 'Greenprint: connect a device (2/3)', prompt: 'Token the agent printed (kept in the editor\'s secret storage)', password: true, ignoreFocusOut: true }));
  if (!token) return undefined;
  const address = e.normaliseAgentUrl(url);
  let client: Engine.DeviceClient;
  try {
    client = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Greenprint: connecting to ${address}` }, () => e.DeviceClient.connect(address, token));
  } catch (err) {
    void vscode.window.showErrorMessage(`Greenprint: could not connect: ${(err as Error).message}`);
    return undefined;
  }
  const info = client.device!;
  client.close();
  const taken = new Set(readDeviceEndpoints().map((d) => d.name));
  const name =
    args.name ??
    (await vscode.window.showInputBox({
      title: 'Greenprint: connect a device (3/3)',
      prompt: `Name for ${e.formatAgentDevice(info)}`,
      value: suggestedName(info, address),
      ignoreFocusOut: true,
      validateInput: (v) => (!NAME_PATTERN.test(v) ? 'Letters, digits, dots, dashes and underscores' : taken.has(v) ? `"${v}" is taken; it will be replaced` : undefined),
    }));
  if (!name) return undefined;
  if (!NAME_PATTERN.test(name)) {
    void vscode.window.showErrorMessage(`Greenprint: "${name}" is not a device name (letters, digits, dots, dashes and underscores).`);
    return undefined;
  }
  const manager = devices!;
  let described: Engine.AgentDeviceInfo;
  try {
    described = await manager.add({ name, url: address }, token);
  } catch (err) {
    void vscode.window.showErrorMessage(`Greenprint: could not connect to ${address}: ${(err as Error).message}`);
    return undefined;
  }
  const id = remoteId(name);
  if (args.select) {
    await setDevice(id);
  } else if (args.url === undefined) {
    const choice = await vscode.window.showInformationMessage(`Greenprint: connected to "${name}": ${e.formatAgentDevice(described)}.`, 'Use as Target Device');
    if (choice) await setDevice(id);
  }
  ctx.refreshVisible();
  return { id, info: described };
}

/** Greenprint: Disconnect Device — closes it and forgets its address and token. */
async function disconnectDevice(ctx: Ctx, arg?: unknown): Promise<boolean> {
  const manager = devices!;
  let name = typeof arg === 'string' ? (isRemoteId(arg) ? arg.slice(REMOTE_PREFIX.length) : arg) : undefined;
  if (!name) {
    const list = manager.list();
    if (!list.length) {
      void vscode.window.showInformationMessage('Greenprint: no connected devices.');
      return false;
    }
    const picked = await vscode.window.showQuickPick(
      list.map((d) => ({ label: d.name, description: `${d.url} · ${d.state}`, name: d.name })),
      { title: 'Greenprint: disconnect which device?' },
    );
    name = picked?.name;
  }
  if (!name) return false;
  const removed = await manager.remove(name);
  if (removed && ctx.config.device === remoteId(name)) await setDevice('local-cpu');
  return removed;
}

function signalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

/** The files a reader may consult next to the model (OFA's run.config), sent along since the agent reads no disk. */
function siblingsOf(doc: vscode.TextDocument): Record<string, string> | undefined {
  if (doc.uri.scheme !== 'file') return undefined;
  const runConfig = path.join(path.dirname(doc.uri.fsPath), 'run.config');
  return fs.existsSync(runConfig) ? { 'run.config': fs.readFileSync(runConfig, 'utf8') } : undefined;
}

/** Times the document's model on a connected device; errors (including a dropped connection) are shown, never thrown. */
export async function measureOnConnectedDevice(
  ctx: Ctx,
  doc: vscode.TextDocument,
  report: Engine.AnalysisReport,
): Promise<{ measured: Engine.Measurement; predictedMs?: number } | undefined> {
  const id = ctx.config.device;
  const name = id.slice(REMOTE_PREFIX.length);
  const e = loadEngine();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Greenprint: measuring ${report.model} on device "${name}"`, cancellable: true },
    async (progress, token) => {
      try {
        const client = await devices!.client(id);
        const reply = await client.measure(
          {
            fileName: path.basename(doc.fileName),
            text: doc.getText(),
            siblings: siblingsOf(doc),
            options: { inputSize: ctx.config.inputSize ? [ctx.config.inputSize[0], ctx.config.inputSize[1]] : undefined, batch: ctx.config.batch, scale: ctx.config.scale },
          },
          { signal: signalOf(token), onProgress: (p) => progress.report({ message: `${p.phase} ${p.done}/${p.total}` }) },
        );
        const m = reply.result.measurement;
        const predicted = report.latency?.device.id === id ? report.latency.totalMs : undefined;
        const versus = predicted !== undefined ? `; predicted ${e.formatMs(predicted)}` : '';
        void vscode.window.showInformationMessage(
          `Greenprint: ${report.model} takes ${e.formatMs(m.medianMs)} on "${name}" (median; p10 ${e.formatMs(m.p10Ms)}, p90 ${e.formatMs(m.p90Ms)}, ${m.runs} runs; ${m.backend}, ${m.threads} thread(s) on ${reply.device.cpu.model} × ${reply.device.cpu.cores})${versus}.`,
        );
        return { measured: m, predictedMs: predicted };
      } catch (err) {
        if ((err as Error).name === 'AbortError') return undefined;
        void vscode.window.showErrorMessage(`Greenprint: measuring on device "${name}" failed: ${(err as Error).message}`);
        return undefined;
      }
    },
  );
}

/**
 * Builds the document's latency table on a connected device and saves it with this machine's tables
 * (`<storage>/luts/remote_<name>__…lut.json`), where predictions for that device can find it.
 */
export async function buildLutOnConnectedDevice(ctx: Ctx, doc: vscode.TextDocument): Promise<string | undefined> {
  const id = ctx.config.device;
  const name = id.slice(REMOTE_PREFIX.length);
  const e = loadEngine();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Greenprint: building a latency table on device "${name}"`, cancellable: true },
    async (progress, token) => {
      try {
        const client = await devices!.client(id);
        const reply = await client.buildLut(
          { fileName: path.basename(doc.fileName), text: doc.getText(), siblings: siblingsOf(doc), options: { deviceId: id, deviceName: name, runtime: ctx.config.latencyRuntime === 'onnx' ? 'onnx' : undefined } },
          { signal: signalOf(token), onProgress: (p) => progress.report({ message: `${p.phase} ${p.done}/${p.total}` }) },
        );
        const lut = reply.result.lut;
        fs.mkdirSync(ctx.analysis.lutDirectory, { recursive: true });
        const file = path.join(ctx.analysis.lutDirectory, e.lutFileName(id, lut.backend, lut.runtime));
        fs.writeFileSync(file, JSON.stringify(lut, null, 2) + '\n');
        ctx.analysis.invalidateDeviceData();
        ctx.refreshVisible();
        void vscode.window.showInformationMessage(`Greenprint: latency table from "${name}" saved (${reply.result.entries} entries, ${reply.result.measured} measured now).`);
        return file;
      } catch (err) {
        if ((err as Error).name === 'AbortError') return undefined;
        void vscode.window.showErrorMessage(`Greenprint: building the table on device "${name}" failed: ${(err as Error).message}`);
        return undefined;
      }
    },
  );
}

export function registerDevices(ctx: Ctx): void {
  devices = new ConnectedDevices(ctx.extension.secrets);
  const manager = devices;
  ctx.push(
    manager,
    { dispose: () => (devices = devices === manager ? undefined : devices) },
    vscode.commands.registerCommand('greenprint.connectDevice', (args?: ConnectArgs) => connectDevice(ctx, args && typeof args === 'object' ? args : {})),
    vscode.commands.registerCommand('greenprint.disconnectDevice', (arg?: unknown) => disconnectDevice(ctx, arg)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`greenprint.${SETTING}`)) manager.syncWithSettings();
    }),
  );
  // The target device is connected: connect now so the status bar shows whether it is reachable.
  const connectTarget = () => {
    if (isRemoteId(ctx.config.device) && manager.find(ctx.config.device)?.state === 'disconnected') manager.client(ctx.config.device).catch(() => undefined);
  };
  ctx.push(ctx.onDidChangeConfig(connectTarget));
  connectTarget();
  ctx.push(registerMeasurementTargets({ targets: () => manager.list().map((d) => connectedDeviceTarget(d.id, d.name)) }));
}

/** The panel's Measure on a connected device: the subnet's net.config goes to the agent, which times it there. */
function connectedDeviceTarget(id: string, name: string): MeasurementTarget {
  return {
    id,
    label: `Connected device: ${name}`,
    predictsAs: id,
    async measure(model, options) {
      const client = await devices!.client(id);
      const reply = await client.measure(
        { fileName: 'net.config', text: model.netConfigText, options: { inputSize: [model.resolution, model.resolution], batch: 1 } },
        { signal: options.signal, onProgress: (p) => options.onProgress?.(`${p.phase} ${p.done}/${p.total}`) },
      );
      const m = reply.result.measurement;
      return {
        backend: `${m.backend}, ${m.threads} thread${m.threads === 1 ? '' : 's'} on ${reply.device.cpu.model} × ${reply.device.cpu.cores} (${name})`,
        medianMs: m.medianMs,
        p10Ms: m.p10Ms,
        p90Ms: m.p90Ms,
        runs: m.runs,
        notes: [`round trip ${reply.roundTripMs.toFixed(0)} ms, not included`],
      };
    },
  };
}
