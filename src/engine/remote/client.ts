/**
 * Client side of the agent protocol (protocol.ts), used by `greenprint device …` and the extension.
 *
 * `DeviceClient.connect` opens the WebSocket and sends a ping, so a wrong token or something that is not
 * an agent fails right there with a message saying which. Each request has its own timeout (from sending
 * to the final reply, queueing on the agent included); a timed-out or aborted request also sends the agent
 * a `cancel` so the device is freed. Nothing waits forever: when the socket closes — the agent was
 * killed, the network went down — every pending request rejects at once naming the agent, the request
 * and the close code, and a client-side heartbeat (WebSocket ping/pong) turns a silently dead link into
 * such a close within two heartbeat periods. Errors are `DeviceClientError` with a `code` callers can
 * branch on (`unauthorized`, `unreachable`, `timeout`, `closed`, or the agent's own error code).
 */
import WebSocket from 'ws';
import {
  parseFrame,
  PROTOCOL_VERSION,
  type AgentDeviceInfo,
  type AgentErrorCode,
  type LutRequest,
  type MeasureRequest,
  type PingResult,
  type RemoteLutResult,
  type RemoteMeasureResult,
  type RemoteProgress,
  type RequestType,
} from './protocol';

export type DeviceClientErrorCode = AgentErrorCode | 'unreachable' | 'timeout' | 'closed' | 'protocol' | 'aborted';

export class DeviceClientError extends Error {
  constructor(
    readonly code: DeviceClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code === 'aborted' ? 'AbortError' : 'DeviceClientError';
  }
}

export interface ConnectOptions {
  /** Limit for opening the connection and the first ping, in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Interval of WebSocket pings that detect a dead link, in ms (default 10 000; 0 turns them off). */
  readonly heartbeatMs?: number;
}

export interface RequestOptions {
  /** From sending to the final reply, queueing on the agent included. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RemoteProgress) => void;
}

/** What to measure or tabulate: the file's text and name, as the agent reads no files itself. */
export type MeasureJobSpec = Pick<MeasureRequest, 'fileName' | 'text' | 'siblings' | 'options'>;
export type LutJobSpec = Pick<LutRequest, 'fileName' | 'text' | 'siblings' | 'options'>;

export interface WithDevice<T> {
  readonly result: T;
  /** The agent's description, sent with every reply. */
  readonly device: AgentDeviceInfo;
  /** From sending the request to its reply, in ms. */
  readonly roundTripMs: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_HEARTBEAT_MS = 10_000;
export const DEFAULT_PING_TIMEOUT_MS = 10_000;
export const DEFAULT_MEASURE_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_LUT_TIMEOUT_MS = 3 * 60 * 60_000;

interface Pending {
  readonly type: RequestType;
  readonly started: number;
  readonly resolve: (value: WithDevice<unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress?: (progress: RemoteProgress) => void;
  readonly cleanup: () => void;
}

/** Accepts `host:port` as shorthand for `ws://host:port`; anything but ws/wss is an error. */
export function normaliseAgentUrl(url: string): string {
  const trimmed = url.trim();
  const withScheme = /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `ws://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new DeviceClientError('unreachable', `"${url}" is not an agent address; expected ws://HOST:PORT`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new DeviceClientError('unreachable', `"${url}": an agent address starts with ws:// or wss://`);
  return withScheme.replace(/\/+$/, '');
}

function closeReason(code: number, reason: string): string {
  const known: Record<number, string> = {
    1000: 'closed normally',
    1001: 'the agent is shutting down',
    1006: 'connection lost without a close frame: the agent process died or the network dropped',
    1008: 'policy violation',
    1009: 'a message was larger than the agent accepts',
  };
  return `${known[code] ?? 'closed'} (code ${code}${reason ? `: ${reason}` : ''})`;
}

function connectError(url: string, e: Error & { code?: string }): DeviceClientError {
  const unexpected = e.message.match(/Unexpected server response: (\d+)/);
  if (unexpected) {
    if (unexpected[1] === '403') return new DeviceClientError('unreachable', `${url} refused the connection (HTTP 403); the agent refuses clients that send an Origin header`);
    if (unexpected[1] === '503') return new DeviceClientError('unreachable', `${url} refused the connection (HTTP 503): the agent is at its connection limit; try again shortly`);
    return new DeviceClientError('protocol', `${url} is not a Greenprint agent (HTTP ${unexpected[1]} instead of a WebSocket upgrade)`);
  }
  switch (e.code) {
    case 'ECONNREFUSED':
      return new DeviceClientError('unreachable', `nothing is listening at ${url} (connection refused); start \`greenprint agent\` there`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DeviceClientError('unreachable', `cannot resolve the host of ${url} (${e.code})`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new DeviceClientError('unreachable', `no route to ${url} (${e.code})`);
    default:
      return new DeviceClientError('unreachable', `cannot connect to ${url}: ${e.message}`);
  }
}

export class DeviceClient {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closedBecause: string | undefined;
  private readonly closeListeners = new Set<(reason: string) => void>();
  private heartbeat: NodeJS.Timeout | undefined;
  private maxMessageBytes = Infinity;
  /** The agent's description from its latest reply. */
  device: AgentDeviceInfo | undefined;

  private constructor(
    readonly url: string,
    private readonly token: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', (code, reason) => this.onClosed(closeReason(code, reason.toString('utf8'))));
    socket.on('error', () => undefined); // the close event that follows reports it
  }

  /** Opens a connection and checks the token with a ping; rejects with a DeviceClientError saying what failed. */
  static async connect(url: string, token: string, options: ConnectOptions = {}): Promise<DeviceClient> {
    const address = normaliseAgentUrl(url);
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const socket = new WebSocket(address, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new DeviceClientError('timeout', `no answer from ${address} within ${(timeoutMs / 1000).toFixed(1)} s`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(connectError(address, e as Error & { code?: string }));
      });
    });
    const client = new DeviceClient(address, token, socket);
    try {
      const pong = await client.ping({ timeoutMs });
      client.maxMessageBytes = pong.result.maxMessageBytes;
    } catch (e) {
      client.close();
      throw e;
    }
    client.startHeartbeat(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    return client;
  }

  get connected(): boolean {
    return this.closedBecause === undefined;
  }

  /** Listens for the connection ending (agent gone, network down, `close()`); returns an unsubscribe. */
  onClose(listener: (reason: string) => void): () => void {
    if (this.closedBecause !== undefined) {
      const reason = this.closedBecause;
      queueMicrotask(() => listener(reason));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  ping(options: RequestOptions = {}): Promise<WithDevice<PingResult>> {
    return this.request<PingResult>('ping', {}, { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS });
  }

  measure(job: MeasureJobSpec, options: RequestOptions = {}): Promise<WithDevice<RemoteMeasureResult>> {
    return this.request<RemoteMeasureResult>('measure', { ...job }, { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_MEASURE_TIMEOUT_MS });
  }

  buildLut(job: LutJobSpec, options: RequestOptions = {}): Promise<WithDevice<RemoteLutResult>> {
    return this.request<RemoteLutResult>('lut', { ...job }, { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_LUT_TIMEOUT_MS });
  }

  /** Closes the connection; pending requests reject. The agent cancels what this client had queued. */
  close(): void {
    if (this.closedBecause === undefined) this.onClosed('closed by this client');
    this.socket.close(1000);
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  private request<T>(type: Exclude<RequestType, 'cancel'>, body: Record<string, unknown>, options: RequestOptions): Promise<WithDevice<T>> {
    if (this.closedBecause !== undefined) {
      return Promise.reject(new DeviceClientError('closed', `the connection to the agent at ${this.url} is closed (${this.closedBecause}); cannot send ${type}`));
    }
    if (options.signal?.aborted) return Promise.reject(new DeviceClientError('aborted', `${type} cancelled`));
    const id = `c${this.nextId++}`;
    const text = JSON.stringify({ protocol: PROTOCOL_VERSION, id, token: this.token, type, ...body });
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxMessageBytes) {
      return Promise.reject(new DeviceClientError('too-large', `the ${type} request is ${bytes} bytes; the agent at ${this.url} accepts at most ${this.maxMessageBytes}`));
    }
    return new Promise<WithDevice<T>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs;
      const timer =
        timeoutMs !== undefined && Number.isFinite(timeoutMs)
          ? setTimeout(() => {
              this.settle(id, new DeviceClientError('timeout', `the agent at ${this.url} did not answer the ${type} request within ${(timeoutMs / 1000).toFixed(1)} s`));
              this.sendCancel(id);
            }, timeoutMs)
          : undefined;
      const onAbort = () => {
        this.settle(id, new DeviceClientError('aborted', `${type} cancelled`));
        this.sendCancel(id);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        type,
        started: performance.now(),
        resolve: resolve as (value: WithDevice<unknown>) => void,
        reject,
        onProgress: options.onProgress,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
        },
      });
      this.socket.send(text, (error) => {
        if (error) this.settle(id, new DeviceClientError('closed', `could not send ${type} to the agent at ${this.url}: ${error.message}`));
      });
    });
  }

  private sendCancel(target: string): void {
    if (this.closedBecause !== undefined) return;
    const id = `c${this.nextId++}`;
    this.socket.send(JSON.stringify({ protocol: PROTOCOL_VERSION, id, token: this.token, type: 'cancel', target }), () => undefined);
  }

  private settle(id: string, outcome: Error | WithDevice<unknown>): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cleanup();
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const frame = isBinary ? undefined : parseFrame(data.toString());
    if (!frame) {
      // An agent that speaks something else: nothing it says can be trusted, so fail what waits on it.
      this.failAll('protocol', (type) => `the agent at ${this.url} sent a frame that is not protocol ${PROTOCOL_VERSION} during ${type}`);
      this.socket.terminate();
      return;
    }
    const id = String(frame.id);
    const p = this.pending.get(id);
    if ('progress' in frame) {
      p?.onProgress?.(frame.progress);
      return;
    }
    if (frame.device) this.device = frame.device;
    if (!p) return; // a late reply to a request that timed out, or an error about a frame we never sent
    const roundTripMs = performance.now() - p.started;
    if (frame.ok) {
      this.settle(id, { result: frame.result, device: frame.device, roundTripMs });
      return;
    }
    const { code, message } = frame.error;
    const text =
      code === 'unauthorized' || code === 'locked-out'
        ? `the agent at ${this.url} refused the token: ${message}`
        : code === 'failed'
          ? `${p.type} failed on the device: ${message}`
          : `the agent at ${this.url} rejected the ${p.type} request (${code}): ${message}`;
    this.settle(id, new DeviceClientError(code, text));
  }

  private failAll(code: DeviceClientErrorCode, message: (type: RequestType) => string): void {
    for (const [id, p] of [...this.pending]) this.settle(id, new DeviceClientError(code, message(p.type)));
  }

  private onClosed(reason: string): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.closedBecause === undefined) this.closedBecause = reason;
    this.failAll('closed', (type) => `the agent at ${this.url} closed the connection during ${type}: ${reason}`);
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }

  private startHeartbeat(intervalMs: number): void {
    if (!(intervalMs > 0) || this.closedBecause !== undefined) return;
    let answered = true;
    this.socket.on('pong', () => (answered = true));
    this.heartbeat = setInterval(() => {
      if (!answered) {
        this.socket.terminate(); // emits close (1006), which fails the pending requests
        return;
      }
      answered = false;
      this.socket.ping();
    }, intervalMs);
    this.heartbeat.unref();
  }
}
