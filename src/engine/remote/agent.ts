/**
 * `greenprint agent`: a small WebSocket service that measures models and builds latency tables on the
 * machine it runs on (a board, a phone with Node, a server) for a Greenprint client elsewhere.
 *
 * Security. It binds loopback unless told otherwise. Every request carries a token (random, 32 bytes
 * base64url, unless the operator gives one), compared with `timingSafeEqual` over SHA-256 digests so
 * neither the content nor the length leaks through timing. Handshakes carrying an `Origin` header are
 * refused: browsers always send one and Node clients never do, so a web page the user visits cannot
 * reach a loopback agent (WebSockets are exempt from CORS). Requests carry model *text*, never paths:
 * the agent reads nothing from its disk on a client's behalf.
 *
 * Robustness. A frame that is not JSON, not a request, binary or over `maxMessageBytes` gets an error
 * reply naming the problem and the connection stays open; frames over twice the limit are cut off by
 * the WebSocket layer (close code 1009) before they are buffered. Measurements and table builds go
 * through one FIFO queue for all clients and run one at a time — two timings sharing the CPU would each
 * be wrong — and none is dropped; pings skip the queue so a busy agent still shows it is alive. A job
 * whose client disconnects (or cancels) is aborted, so a vanished laptop does not leave a table build
 * occupying the device; a server-side heartbeat finds connections whose peer died without closing.
 * Every reply to an accepted request carries the device description (OS, CPU × cores, memory, TF.js runtime).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as os from 'node:os';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { initBackend } from '../runtime/backend';
import { defaultAgentLutDirectory, localJobs, type JobContext, type LutJob, type MeasureJob } from './jobs';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  parseRequest,
  PROTOCOL_VERSION,
  ProtocolError,
  type AgentDeviceInfo,
  type AgentError,
  type AgentErrorCode,
  type AgentFrame,
  type AgentRequest,
  type LutRequest,
  type MeasureRequest,
  type PingResult,
} from './protocol';

export interface AgentOptions {
  /** Interface to bind; default loopback. `0.0.0.0` / `::` expose the agent to the network. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 7070. */
  readonly port?: number;
  /** Shared secret; default 32 random bytes, base64url. */
  readonly token?: string;
  /** Largest request accepted, in bytes (default 16 MiB). */
  readonly maxMessageBytes?: number;
  /** Runs a measure request; default: read the model and time it in a MeasurementWorker. */
  readonly measure?: MeasureJob;
  /** Runs a LUT request; default: `buildLut` into `lutDirectory`. */
  readonly buildLut?: LutJob;
  /** The device description sent with replies; default: this machine and the TF.js backend `initBackend` picks. */
  readonly describe?: () => Promise<AgentDeviceInfo>;
  /** Where the default LUT job keeps tables (default `~/.cache/greenprint/agent-luts`). */
  readonly lutDirectory?: string;
  /** Seconds between heartbeats that drop connections whose peer died silently (default 30). */
  readonly heartbeatSeconds?: number;
  readonly log?: (line: string) => void;
}

export interface RunningAgent {
  /** `ws://host:port`, with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly device: AgentDeviceInfo;
  /** Stops listening, aborts queued and running jobs, closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_AGENT_PORT = 7070;

/** Failed token checks on one connection before the agent hangs up on it. */
const MAX_UNAUTHORIZED_PER_CONNECTION = 5;

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time token check: equal-length digests, so neither content nor length shows in the timing. */
export function tokenChecker(expected: string): (given: string) => boolean {
  const want = digest(expected);
  return (given) => timingSafeEqual(digest(given), want);
}

/** This machine, with the TF.js runtime measurements will use (the same preference order as the worker). */
export async function describeThisDevice(): Promise<AgentDeviceInfo> {
  const cpus = os.cpus();
  const runtime = await initBackend();
  return {
    hostname: os.hostname(),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    cpu: { model: cpus[0]?.model.trim() || os.arch(), cores: cpus.length },
    memoryBytes: os.totalmem(),
    node: process.version,
    backend: runtime.backend,
    threads: runtime.threads,
    runtime: runtime.runtime,
    notes: runtime.notes,
  };
}

export function agentUrl(host: string, port: number): string {
  return `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

interface Connection {
  readonly socket: WebSocket;
  readonly peer: string;
  unauthorized: number;
  alive: boolean;
}

interface QueuedJob {
  readonly connection: Connection;
  readonly request: MeasureRequest | LutRequest;
  readonly controller: AbortController;
}

export class AgentStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentStartError';
  }
}

export async function startAgent(options: AgentOptions = {}): Promise<RunningAgent> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  if (!token) throw new AgentStartError('the token must not be empty');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const log = options.log ?? (() => undefined);
  const tokenMatches = tokenChecker(token);
  const local = options.measure && options.buildLut ? undefined : localJobs({ lutDirectory: options.lutDirectory ?? defaultAgentLutDirectory() });
  const measure = options.measure ?? local!.measure;
  const buildLut = options.buildLut ?? local!.buildLut;
  const device = await (options.describe ?? describeThisDevice)();

  const queue: QueuedJob[] = [];
  let running: QueuedJob | undefined;
  let closing = false;

  const server = new WebSocketServer({
    host,
    port: options.port ?? DEFAULT_AGENT_PORT,
    // Frames between the limit and twice it get a readable error reply; beyond that the WebSocket layer
    // closes the connection (1009) before buffering more of it.
    maxPayload: 2 * maxMessageBytes,
    perMessageDeflate: false,
    verifyClient: (info, done) => {
      if (info.req.headers.origin) {
        log(`refused a browser connection from origin ${info.req.headers.origin}`);
        done(false, 403, 'Browser origins may not use the Greenprint agent');
        return;
      }
      done(true);
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${host}:${options.port ?? DEFAULT_AGENT_PORT}`;
      if (e.code === 'EADDRINUSE') reject(new AgentStartError(`port ${options.port ?? DEFAULT_AGENT_PORT} is already in use on ${host}; choose another with --port (0 picks a free one)`));
      else if (e.code === 'EADDRNOTAVAIL') reject(new AgentStartError(`cannot bind ${where}: no interface of this machine has the address ${host}`));
      else if (e.code === 'EACCES') reject(new AgentStartError(`not allowed to bind ${where} (ports below 1024 need privileges)`));
      else reject(new AgentStartError(`cannot listen on ${where}: ${e.message}`));
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_AGENT_PORT);
  const url = agentUrl(host, port);

  const send = (connection: Connection, frame: AgentFrame) => {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(frame));
  };
  const fail = (connection: Connection, id: string | number | null, code: AgentErrorCode, message: string, withDevice: boolean) => {
    const error: AgentError = { code, message };
    send(connection, { protocol: PROTOCOL_VERSION, id, ok: false, error, ...(withDevice ? { device } : {}) });
  };

  const pump = async (): Promise<void> => {
    if (running || closing) return;
    const job = queue.shift();
    if (!job) return;
    running = job;
    const { connection, request, controller } = job;
    const started = performance.now();
    const context: JobContext = {
      signal: controller.signal,
      onProgress: (progress) => send(connection, { protocol: PROTOCOL_VERSION, id: request.id, progress }),
    };
    try {
      const result = request.type === 'measure' ? await measure(request, context) : await buildLut(request, context);
      controller.signal.throwIfAborted();
      send(connection, { protocol: PROTOCOL_VERSION, id: request.id, ok: true, result, device });
      log(`${request.type} ${request.fileName} for ${connection.peer}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      const aborted = controller.signal.aborted || (e as Error)?.name === 'AbortError';
      const message = aborted ? `${request.type} cancelled: ${String(controller.signal.reason?.message ?? controller.signal.reason ?? 'cancelled')}` : (e as Error)?.message ?? String(e);
      fail(connection, request.id, aborted ? 'cancelled' : 'failed', message, true);
      log(`${request.type} ${request.fileName} for ${connection.peer}: ${aborted ? 'cancelled' : `failed: ${message}`}`);
    } finally {
      running = undefined;
      void pump();
    }
  };

  const cancelJobs = (connection: Connection, why: string, target?: string | number): number => {
    let cancelled = 0;
    for (let i = queue.length - 1; i >= 0; i--) {
      const job = queue[i];
      if (job.connection !== connection || (target !== undefined && job.request.id !== target)) continue;
      queue.splice(i, 1);
      job.controller.abort(new Error(why));
      fail(connection, job.request.id, 'cancelled', `${job.request.type} cancelled before it started: ${why}`, true);
      cancelled++;
    }
    if (running && running.connection === connection && (target === undefined || running.request.id === target)) {
      running.controller.abort(new Error(why));
      cancelled++;
    }
    return cancelled;
  };

  const handle = (connection: Connection, data: RawData, isBinary: boolean) => {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
    if (isBinary) return fail(connection, null, 'binary-frame', 'binary frames are not accepted: send each request as one JSON text frame', false);
    if (bytes > maxMessageBytes) {
      return fail(connection, null, 'too-large', `message of ${bytes} bytes exceeds this agent's limit of ${maxMessageBytes} bytes`, false);
    }
    let request: AgentRequest;
    try {
      request = parseRequest(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'));
    } catch (e) {
      const p = e instanceof ProtocolError ? e : new ProtocolError('bad-request', String(e));
      return fail(connection, p.id, p.code, p.message, false);
    }
    if (!tokenMatches(request.token)) {
      connection.unauthorized++;
      log(`wrong token from ${connection.peer} (${connection.unauthorized}/${MAX_UNAUTHORIZED_PER_CONNECTION})`);
      fail(connection, request.id, 'unauthorized', 'wrong token: use the token the agent printed when it started', false);
      if (connection.unauthorized >= MAX_UNAUTHORIZED_PER_CONNECTION) connection.socket.close(1008, 'too many wrong tokens');
      return;
    }
    switch (request.type) {
      case 'ping': {
        const result: PingResult = { protocol: PROTOCOL_VERSION, queued: queue.length + (running ? 1 : 0), maxMessageBytes };
        return send(connection, { protocol: PROTOCOL_VERSION, id: request.id, ok: true, result, device });
      }
      case 'cancel': {
        const cancelled = cancelJobs(connection, 'cancelled by the client', request.target);
        return send(connection, { protocol: PROTOCOL_VERSION, id: request.id, ok: true, result: { cancelled }, device });
      }
      default:
        queue.push({ connection, request, controller: new AbortController() });
        log(`${request.type} ${request.fileName} from ${connection.peer} queued (${queue.length + (running ? 1 : 0)} in line)`);
        void pump();
    }
  };

  const connections = new Set<Connection>();
  server.on('connection', (socket, req) => {
    const connection: Connection = { socket, peer: `${req.socket.remoteAddress}:${req.socket.remotePort}`, unauthorized: 0, alive: true };
    connections.add(connection);
    log(`connection from ${connection.peer}`);
    socket.on('pong', () => (connection.alive = true));
    socket.on('message', (data, isBinary) => handle(connection, data, isBinary));
    socket.on('error', (e) => log(`connection ${connection.peer}: ${e.message}`));
    socket.on('close', (code) => {
      connections.delete(connection);
      const cancelled = cancelJobs(connection, 'the client disconnected');
      log(`${connection.peer} disconnected (${code})${cancelled ? `; ${cancelled} job(s) cancelled` : ''}`);
    });
  });

  const heartbeat = setInterval(() => {
    for (const c of connections) {
      if (!c.alive) {
        log(`${c.peer} stopped answering heartbeats; dropping it`);
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }, 1000 * (options.heartbeatSeconds ?? 30));
  heartbeat.unref();

  let closed: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    token,
    device,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        clearInterval(heartbeat);
        for (const c of connections) cancelJobs(c, 'the agent is shutting down');
        local?.dispose();
        for (const c of connections) c.socket.close(1001, 'agent shutting down');
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Sockets that do not finish the closing handshake promptly are cut.
          setTimeout(() => {
            for (const c of connections) c.socket.terminate();
          }, 1000).unref();
        });
      })()),
  };
}
