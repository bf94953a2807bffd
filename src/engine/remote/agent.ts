/**
 * `greenprint agent`: a small WebSocket service that measures models and builds latency tables on the
 * machine it runs on (a board, a phone with Node, a server) for a Greenprint client elsewhere.
 *
 * The agent authenticates first. Until a connection has sent a request with the right token it may send
 * at most `PRE_AUTH_MAX_BYTES` (4 KiB, all frames together; the handshake is bounded by an 8 KiB header
 * limit), must authenticate within `authTimeoutMs` (5 s) and gets at most 5 wrong tokens before the agent
 * hangs up. Connections are capped in total, unauthenticated, and unauthenticated per address; excess TCP
 * connections get a one-line HTTP 503 and are closed before any WebSocket state exists for them. Wrong
 * tokens are counted for the whole agent with a growing lockout and summarised in one log line per burst
 * (auth.ts). Tokens must be strong (auth.ts `tokenWeakness`); the default is 32 random bytes, base64url,
 * compared in constant time. Handshakes carrying an `Origin` header are refused: browsers always send one
 * and Node clients never do, so a web page cannot reach a loopback agent (WebSockets are exempt from CORS).
 * Requests carry model *text*, never paths: the agent reads nothing from its disk on a client's behalf.
 * Text from clients goes into the log escaped and cut (log-text.ts).
 *
 * Robustness. After authentication, a frame that is not JSON, not a request, binary or over
 * `maxMessageBytes` gets an error reply naming the problem and the connection stays open; frames over
 * twice the limit are cut off by the WebSocket layer (close code 1009) before they are buffered. Request
 * options beyond the ceilings of protocol.ts `REQUEST_LIMITS` are refused (`over-limit`) with the ceiling
 * and its reason. Measurements and table builds run one at a time — two timings sharing the CPU would
 * each be wrong — from per-client queues served round-robin (fair-queue.ts), each job within a time budget
 * (`maxJobSeconds`) after which it is stopped, so one client cannot hold the device from the others
 * indefinitely; pings skip the queue so a busy agent still shows it is alive. A job whose client
 * disconnects (or cancels) is aborted; a server-side heartbeat finds connections whose peer died without
 * closing. Every reply to an authenticated request carries the device description.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import * as os from 'node:os';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { initBackend } from '../runtime/backend';
import { AuthBackoff, BurstLog, generateToken, tokenChecker, tokenWeakness, type AuthBackoffOptions } from './auth';
import { FairQueue } from './fair-queue';
import { defaultAgentLutDirectory, localJobs, type JobContext, type LutJob, type MeasureJob } from './jobs';
import { logField } from './log-text';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  parseRequest,
  PRE_AUTH_MAX_BYTES,
  PROTOCOL_VERSION,
  ProtocolError,
  REQUEST_LIMITS,
  type AgentDeviceInfo,
  type AgentError,
  type AgentErrorCode,
  type AgentFrame,
  type AgentRequest,
  type LutRequest,
  type MeasureRequest,
  type PingResult,
} from './protocol';

export { generateToken, tokenChecker, tokenWeakness } from './auth';

export interface AgentLimits {
  /** Open connections of every kind (default 32). */
  readonly maxConnections?: number;
  /** Connections that have not authenticated yet (default 16). */
  readonly maxUnauthenticated?: number;
  /** Unauthenticated connections from one address (default 8). */
  readonly maxUnauthenticatedPerAddress?: number;
  /** A connection that has not authenticated within this is closed (default 5000 ms). */
  readonly authTimeoutMs?: number;
  /** Jobs one connection may have waiting or running (default 8). */
  readonly maxJobsPerClient?: number;
  /** Jobs waiting or running, all clients (default 64). */
  readonly maxJobs?: number;
  /** Longest one job may hold the device, in seconds (default: measure 300, lut 1800). */
  readonly maxJobSeconds?: { readonly measure?: number; readonly lut?: number };
  /** Length of the window one summary line about refused connections covers (default 10 s). */
  readonly summaryMs?: number;
}

export interface AgentOptions {
  /** Interface to bind; default loopback. `0.0.0.0` / `::` expose the agent to the network. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 7070. */
  readonly port?: number;
  /** Shared secret; default 32 random bytes, base64url. A weak one (see `tokenWeakness`) is refused. */
  readonly token?: string;
  /** Largest request accepted from an authenticated connection, in bytes (default 16 MiB). */
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
  /** Connection caps, authentication timeout and job budgets. */
  readonly limits?: AgentLimits;
  /** Global wrong-token backoff (auth.ts). */
  readonly backoff?: AuthBackoffOptions;
  readonly log?: (line: string) => void;
}

export interface RunningAgent {
  /** `ws://host:port`, with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Whether the token was generated here (and so must be shown to the operator once). */
  readonly tokenGenerated: boolean;
  readonly device: AgentDeviceInfo;
  /** Open TCP connections, and how many of them have authenticated. */
  connections(): { readonly open: number; readonly authenticated: number };
  /** Stops listening, aborts queued and running jobs, closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_AGENT_PORT = 7070;

/** Failed token checks (or unreadable frames before authentication) on one connection before the agent hangs up. */
const MAX_UNAUTHORIZED_PER_CONNECTION = 5;

/** Largest HTTP handshake accepted: a WebSocket upgrade request is a few hundred bytes. */
const MAX_HANDSHAKE_BYTES = 8 * 1024;

const DEFAULT_LIMITS = {
  maxConnections: 32,
  maxUnauthenticated: 16,
  maxUnauthenticatedPerAddress: 8,
  authTimeoutMs: 5000,
  maxJobsPerClient: 8,
  maxJobs: 64,
  summaryMs: 10_000,
};

/** Default time budgets per job: a measurement is seconds to a minute; a table build resumes where it stopped. */
const DEFAULT_MAX_JOB_SECONDS = { measure: 300, lut: 1800 };

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

/** One TCP connection, from accept to close; `socket` once the WebSocket handshake is done. */
interface Connection {
  readonly tcp: net.Socket;
  readonly address: string;
  /** `address:port`, for the log. */
  readonly peer: string;
  socket?: WebSocket;
  authenticated: boolean;
  /** Bytes received since the upgrade while not authenticated. */
  preAuthBytes: number;
  unauthorized: number;
  alive: boolean;
  authTimer?: NodeJS.Timeout;
  /** Closed for sending too much before authenticating. */
  cutOff?: boolean;
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

/** Why a job was stopped by the agent's time budget (the AbortSignal's reason). */
class JobTimeLimit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobTimeLimit';
  }
}

function frameBytes(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function frameText(data: RawData): string {
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
}

const REFUSAL_BODY = 'This Greenprint agent is at its connection limit; try again shortly.\n';
const REFUSAL = `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${REFUSAL_BODY.length}\r\n\r\n${REFUSAL_BODY}`;

export async function startAgent(options: AgentOptions = {}): Promise<RunningAgent> {
  const host = options.host ?? '127.0.0.1';
  const tokenGenerated = options.token === undefined;
  const token = options.token ?? generateToken();
  const weakness = tokenWeakness(token);
  if (weakness) throw new AgentStartError(`weak token refused: ${weakness}`);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxJobSeconds = { ...DEFAULT_MAX_JOB_SECONDS, ...options.limits?.maxJobSeconds };
  const log = options.log ?? (() => undefined);
  const tokenMatches = tokenChecker(token);
  const backoff = new AuthBackoff(log, { summaryMs: limits.summaryMs, ...options.backoff });
  // Events any stranger can cause are logged as one line per burst, never one line each.
  const refusals = new BurstLog(limits.summaryMs, log, (n, m, s) => `refused ${n} connection(s) over the connection limits from ${m} address(es) in the last ${s} s`);
  const timeouts = new BurstLog(limits.summaryMs, log, (n, m, s) => `closed ${n} connection(s) from ${m} address(es) that did not authenticate within ${(limits.authTimeoutMs / 1000).toFixed(1)} s, in the last ${s} s`);
  const oversized = new BurstLog(limits.summaryMs, log, (n, m, s) => `closed ${n} connection(s) from ${m} address(es) that sent more than ${PRE_AUTH_MAX_BYTES} bytes before authenticating, in the last ${s} s`);
  const local = options.measure && options.buildLut ? undefined : localJobs({ lutDirectory: options.lutDirectory ?? defaultAgentLutDirectory() });
  const measure = options.measure ?? local!.measure;
  const buildLut = options.buildLut ?? local!.buildLut;
  const device = await (options.describe ?? describeThisDevice)();

  const queue = new FairQueue<Connection, QueuedJob>();
  let running: QueuedJob | undefined;
  let closing = false;
  const connections = new Set<Connection>();
  const byTcp = new WeakMap<net.Socket, Connection>();
  const unauthenticatedFrom = new Map<string, number>();
  let unauthenticated = 0;

  /** Frees the unauthenticated slot `c` held (once: on authentication or on close). */
  const releaseUnauthenticatedSlot = (c: Connection) => {
    unauthenticated--;
    const n = (unauthenticatedFrom.get(c.address) ?? 1) - 1;
    if (n > 0) unauthenticatedFrom.set(c.address, n);
    else unauthenticatedFrom.delete(c.address);
  };
  const markAuthenticated = (c: Connection) => {
    if (c.authenticated) return;
    c.authenticated = true;
    clearTimeout(c.authTimer);
    releaseUnauthenticatedSlot(c);
  };

  /** Closes with a close frame when there is a WebSocket, and cuts the TCP connection shortly after either way. */
  const hangUp = (c: Connection, code: number, reason: string, graceMs = 200) => {
    if (c.socket) {
      c.socket.close(code, reason);
      setTimeout(() => c.socket!.terminate(), graceMs).unref();
    } else {
      c.tcp.destroy();
    }
  };

  // Plain HTTP (no upgrade) gets a short explanation; the WebSocket server takes the upgrades.
  const httpServer = http.createServer({ maxHeaderSize: MAX_HANDSHAKE_BYTES }, (_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end('This is a Greenprint agent: connect with a WebSocket client (greenprint device ping URL).\n');
  });
  httpServer.headersTimeout = limits.authTimeoutMs;
  httpServer.requestTimeout = limits.authTimeoutMs;

  // Admission happens here, on the raw TCP connection, before HTTP parsing or any WebSocket state: a
  // connection over a cap costs one write and a close.
  httpServer.on('connection', (tcp: net.Socket) => {
    const address = tcp.remoteAddress ?? 'unknown';
    const fromAddress = unauthenticatedFrom.get(address) ?? 0;
    if (closing || connections.size >= limits.maxConnections || unauthenticated >= limits.maxUnauthenticated || fromAddress >= limits.maxUnauthenticatedPerAddress) {
      refusals.add(address);
      tcp.on('error', () => undefined);
      tcp.end(REFUSAL, () => tcp.destroy());
      return;
    }
    const c: Connection = { tcp, address, peer: `${address}:${tcp.remotePort}`, authenticated: false, preAuthBytes: 0, unauthorized: 0, alive: true };
    connections.add(c);
    byTcp.set(tcp, c);
    unauthenticated++;
    unauthenticatedFrom.set(address, fromAddress + 1);
    c.authTimer = setTimeout(() => {
      if (c.authenticated) return;
      timeouts.add(c.address);
      hangUp(c, 1008, 'not authenticated in time');
    }, limits.authTimeoutMs);
    c.authTimer.unref();
    tcp.on('error', () => undefined); // the close that follows is handled
    tcp.once('close', () => {
      clearTimeout(c.authTimer);
      if (!c.authenticated) releaseUnauthenticatedSlot(c);
      connections.delete(c);
      const cancelled = cancelJobs(c, 'the client disconnected');
      queue.forget(c);
      if (c.authenticated) log(`${c.peer} disconnected${cancelled ? `; ${cancelled} job(s) cancelled` : ''}`);
    });
  });

  const server = new WebSocketServer({
    server: httpServer,
    // Frames between the limit and twice it get a readable error reply; beyond that the WebSocket layer
    // closes the connection (1009) before buffering more of it. Before authentication the byte count
    // below cuts a connection off far earlier.
    maxPayload: 2 * maxMessageBytes,
    perMessageDeflate: false,
    verifyClient: (info, done) => {
      if (info.req.headers.origin) {
        log(`refused a browser connection from origin ${logField(info.req.headers.origin)}`);
        done(false, 403, 'Browser origins may not use the Greenprint agent');
        return;
      }
      if (!byTcp.has(info.req.socket)) return done(false, 503, 'Connection limit reached');
      done(true);
    },
  });
  server.on('error', () => undefined); // listening errors are reported from the HTTP server below

  await new Promise<void>((resolve, reject) => {
    httpServer.once('listening', resolve);
    httpServer.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${host}:${options.port ?? DEFAULT_AGENT_PORT}`;
      if (e.code === 'EADDRINUSE') reject(new AgentStartError(`port ${options.port ?? DEFAULT_AGENT_PORT} is already in use on ${host}; choose another with --port (0 picks a free one)`));
      else if (e.code === 'EADDRNOTAVAIL') reject(new AgentStartError(`cannot bind ${where}: no interface of this machine has the address ${host}`));
      else if (e.code === 'EACCES') reject(new AgentStartError(`not allowed to bind ${where} (ports below 1024 need privileges)`));
      else reject(new AgentStartError(`cannot listen on ${where}: ${e.message}`));
    });
    httpServer.listen(options.port ?? DEFAULT_AGENT_PORT, host);
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_AGENT_PORT);
  const url = agentUrl(host, port);

  const send = (connection: Connection, frame: AgentFrame) => {
    const socket = connection.socket;
    if (socket && socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  const fail = (connection: Connection, id: string | number | null, code: AgentErrorCode, message: string, withDevice: boolean) => {
    const error: AgentError = { code, message };
    send(connection, { protocol: PROTOCOL_VERSION, id, ok: false, error, ...(withDevice ? { device } : {}) });
  };

  const pump = async (): Promise<void> => {
    if (running || closing) return;
    const job = queue.next();
    if (!job) return;
    running = job;
    const { connection, request, controller } = job;
    const started = performance.now();
    const budgetS = request.type === 'measure' ? maxJobSeconds.measure : maxJobSeconds.lut;
    const what = `${request.type} ${logField(request.fileName)} for ${connection.peer}`;
    const budget = setTimeout(() => {
      const resume = request.type === 'lut' ? '; the table built so far is kept on the agent: send the request again to continue' : '; ask for fewer runs or a smaller input';
      controller.abort(new JobTimeLimit(`${request.type} stopped after this agent's limit of ${budgetS} s per job, so that other clients get their turn${resume}`));
    }, budgetS * 1000);
    const context: JobContext = {
      signal: controller.signal,
      onProgress: (progress) => send(connection, { protocol: PROTOCOL_VERSION, id: request.id, progress }),
    };
    try {
      const result = request.type === 'measure' ? await measure(request, context) : await buildLut(request, context);
      controller.signal.throwIfAborted();
      send(connection, { protocol: PROTOCOL_VERSION, id: request.id, ok: true, result, device });
      log(`${what}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      const reason: unknown = controller.signal.reason;
      const aborted = controller.signal.aborted || (e as Error)?.name === 'AbortError';
      if (reason instanceof JobTimeLimit) {
        fail(connection, request.id, 'time-limit', reason.message, true);
        log(`${what}: stopped at the ${budgetS} s job limit`);
      } else {
        const message = aborted ? `${request.type} cancelled: ${String((reason as Error)?.message ?? reason ?? 'cancelled')}` : ((e as Error)?.message ?? String(e));
        const overLimit = !aborted && (e as { agentCode?: string })?.agentCode === 'over-limit';
        fail(connection, request.id, aborted ? 'cancelled' : overLimit ? 'over-limit' : 'failed', message, true);
        log(`${what}: ${aborted ? 'cancelled' : `failed: ${logField(message, 300)}`}`);
      }
    } finally {
      clearTimeout(budget);
      running = undefined;
      void pump();
    }
  };

  const cancelJobs = (connection: Connection, why: string, target?: string | number): number => {
    let cancelled = 0;
    for (const job of queue.remove(connection, (j) => target === undefined || j.request.id === target)) {
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

  /** Closes a connection that sent more than it may before authenticating; its data is not read further. */
  const overPreAuthLimit = (c: Connection) => {
    if (c.cutOff) return;
    c.cutOff = true;
    c.tcp.pause();
    oversized.add(c.address);
    hangUp(c, 1009, `authenticate first: at most ${PRE_AUTH_MAX_BYTES} bytes before the token is accepted`, 100);
  };

  /** A frame that did not authenticate an unauthenticated connection: after a few, it is closed. */
  const strike = (c: Connection, why: string) => {
    c.unauthorized++;
    if (c.unauthorized >= MAX_UNAUTHORIZED_PER_CONNECTION) hangUp(c, 1008, why);
  };

  const handle = (connection: Connection, data: RawData, isBinary: boolean) => {
    const bytes = frameBytes(data);
    const authenticated = connection.authenticated;
    if (!authenticated && bytes > PRE_AUTH_MAX_BYTES) return overPreAuthLimit(connection);
    if (isBinary) {
      fail(connection, null, 'binary-frame', 'binary frames are not accepted: send each request as one JSON text frame', false);
      return authenticated ? undefined : strike(connection, 'not authenticated');
    }
    if (bytes > maxMessageBytes) {
      return fail(connection, null, 'too-large', `message of ${bytes} bytes exceeds this agent's limit of ${maxMessageBytes} bytes`, false);
    }
    let request: AgentRequest;
    try {
      request = parseRequest(frameText(data));
    } catch (e) {
      const p = e instanceof ProtocolError ? e : new ProtocolError('bad-request', String(e));
      fail(connection, p.id, p.code, p.message, false);
      return authenticated ? undefined : strike(connection, 'not authenticated');
    }
    if (!authenticated) {
      const lockedMs = backoff.lockedForMs();
      if (lockedMs > 0) {
        backoff.recordRefused(connection.address);
        fail(connection, request.id, 'locked-out', `too many wrong tokens were sent to this agent recently; no token is checked for another ${Math.ceil(lockedMs / 1000)} s`, false);
        return strike(connection, 'too many wrong tokens');
      }
    }
    if (!tokenMatches(request.token)) {
      backoff.recordFailure(connection.address);
      fail(connection, request.id, 'unauthorized', 'wrong token: use the token the agent printed when it started', false);
      connection.unauthorized++;
      if (connection.unauthorized >= MAX_UNAUTHORIZED_PER_CONNECTION) hangUp(connection, 1008, 'too many wrong tokens');
      return;
    }
    if (!authenticated) {
      markAuthenticated(connection);
      log(`connection from ${connection.peer} authenticated`);
    }
    switch (request.type) {
      case 'ping': {
        const result: PingResult = {
          protocol: PROTOCOL_VERSION,
          queued: queue.size + (running ? 1 : 0),
          maxMessageBytes,
          limits: REQUEST_LIMITS,
          maxJobSeconds,
        };
        return send(connection, { protocol: PROTOCOL_VERSION, id: request.id, ok: true, result, device });
      }
      case 'cancel': {
        const cancelled = cancelJobs(connection, 'cancelled by the client', request.target);
        return send(connection, { protocol: PROTOCOL_VERSION, id: request.id, ok: true, result: { cancelled }, device });
      }
      default: {
        const mine = queue.countFor(connection) + (running?.connection === connection ? 1 : 0);
        if (mine >= limits.maxJobsPerClient) {
          return fail(connection, request.id, 'queue-full', `this connection already has ${mine} job(s) waiting or running; the agent takes at most ${limits.maxJobsPerClient} per client (wait for one to finish)`, true);
        }
        if (queue.size >= limits.maxJobs) {
          return fail(connection, request.id, 'queue-full', `the agent already has ${queue.size} job(s) waiting from all clients, its limit; try again later`, true);
        }
        queue.push(connection, { connection, request, controller: new AbortController() });
        log(`${request.type} ${logField(request.fileName)} from ${connection.peer} queued (${queue.size + (running ? 1 : 0)} in line)`);
        void pump();
      }
    }
  };

  server.on('connection', (socket, req) => {
    const connection = byTcp.get(req.socket);
    if (!connection) {
      socket.terminate();
      return;
    }
    connection.socket = socket; // logged once it authenticates: strangers' connections are only counted
    // Everything a connection sends before it authenticates is counted as it arrives, so a large frame is
    // cut off after a few KiB instead of being buffered whole (up to twice the message limit) first.
    const countPreAuth = (chunk: Buffer) => {
      if (connection.authenticated) {
        req.socket.off('data', countPreAuth);
        return;
      }
      connection.preAuthBytes += chunk.length;
      // Frame headers add up to 14 bytes per frame: a little slack so a frame of exactly the limit passes.
      if (connection.preAuthBytes > PRE_AUTH_MAX_BYTES + 64) {
        req.socket.off('data', countPreAuth);
        overPreAuthLimit(connection);
      }
    };
    req.socket.on('data', countPreAuth);
    socket.on('pong', () => (connection.alive = true));
    socket.on('message', (data, isBinary) => handle(connection, data, isBinary));
    socket.on('error', (e) => connection.authenticated && log(`connection ${connection.peer}: ${logField(e.message)}`));
  });

  const heartbeat = setInterval(() => {
    for (const c of connections) {
      if (!c.socket) continue;
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
    tokenGenerated,
    device,
    connections: () => ({ open: connections.size, authenticated: [...connections].filter((c) => c.authenticated).length }),
    close: () =>
      (closed ??= (async () => {
        closing = true;
        clearInterval(heartbeat);
        for (const c of connections) cancelJobs(c, 'the agent is shutting down');
        local?.dispose();
        for (const burst of [backoff, refusals, timeouts, oversized]) burst.flush();
        for (const c of connections) {
          if (c.socket) c.socket.close(1001, 'agent shutting down');
          else c.tcp.destroy();
        }
        await new Promise<void>((resolve) => {
          server.close();
          httpServer.close(() => resolve());
          // Sockets that do not finish the closing handshake promptly are cut.
          setTimeout(() => {
            for (const c of connections) c.tcp.destroy();
          }, 1000).unref();
        });
      })()),
  };
}
