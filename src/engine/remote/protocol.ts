/**
 * Wire protocol between a Greenprint client (CLI, extension) and `greenprint agent` on a remote device.
 *
 * One JSON object per WebSocket text frame; binary frames are refused. Every request names the protocol
 * version, an id chosen by the client, the agent's token and a type; the agent answers each request with
 * exactly one final reply `{protocol, id, ok, result | error, device}` and, for long jobs, any number of
 * `{protocol, id, progress}` frames before it. Replies to frames the agent could not read carry `id: null`.
 *
 * The request carries the model's *text* (and the few sibling files a reader may consult, such as OFA's
 * run.config), never a path: the agent reads nothing from its own disk on a client's behalf, so a token
 * holder can make it compute but not disclose files. Validation here is strict and names the field, so a
 * client of another version gets a precise error instead of a crash on the device; options beyond the
 * agent's ceilings (`REQUEST_LIMITS`, each with its reason) are refused with the code `over-limit`, and
 * error messages quote at most about 100 characters of what the client sent.
 */
import type { Measurement, RuntimeBackend } from '../runtime/types';
import type { LatencyLut } from '../latency/lut';

export const PROTOCOL_VERSION = 1;

/** Default cap on one incoming frame: a model config plus siblings is kilobytes; 16 MiB leaves room for big Keras JSON. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * What a connection may send before its token is accepted, all frames together. An authenticating
 * request (a ping) is about 150 bytes; without this bound the WebSocket layer buffered up to twice the
 * message limit (32 MiB) for anyone who could open a TCP connection, so 40 strangers took the agent to 1.3 GB.
 */
export const PRE_AUTH_MAX_BYTES = 4 * 1024;

/**
 * Ceilings on what one request may ask of the device. Each bounds a resource a client could otherwise
 * exhaust for everyone; the error a client gets quotes the ceiling and its reason (`LIMIT_REASONS`).
 */
export const REQUEST_LIMITS = {
  /** Pixels per side: detection and segmentation models use ≤ 2048; activations grow with height × width (an 8192×8192 request took the worker to 3.6 GB). */
  inputSide: 2048,
  /** Batch: edge latency is measured at batch 1–32; activations grow linearly with it. */
  batch: 64,
  /** Sequence length: the longest context of the transformer configs Greenprint reads; attention memory grows with its square. */
  seqLen: 16_384,
  /** Timed runs: the median settles within a few dozen; `runs: 1e8` occupied the device for everyone. */
  runs: 1000,
  /** Untimed warm-up runs: a handful suffices for the JIT and caches. */
  warmupRuns: 100,
  /** Time budget that picks the number of runs, in ms. */
  budgetMs: 60_000,
  /** Passes over the blocks of a table build (default 3). */
  lutRounds: 10,
  /** Image size of a supernet table, as for inputSide. */
  resolution: 2048,
  /** Weights plus peak activations of the model as read, in bytes (also at most half the device's memory). */
  modelBytes: 2 * 2 ** 30,
  /** Length of a file name: the longest most file systems allow. */
  fileName: 255,
  /** Sibling files in one request (readers consult one or two, e.g. run.config). */
  siblings: 16,
  /** Short free-text options (scale, backend, device id and name). */
  shortText: 128,
} as const;

export type RequestLimit = keyof typeof REQUEST_LIMITS;

export const LIMIT_REASONS: Record<RequestLimit, string> = {
  inputSide: 'activation memory grows with height × width',
  batch: 'activation memory grows with the batch',
  seqLen: 'attention memory grows with its square',
  runs: 'the device is shared: more runs hold it from other clients without changing the median',
  warmupRuns: 'a handful of warm-up runs suffices',
  budgetMs: 'the device is shared between clients',
  lutRounds: 'the table keeps the fastest of a few passes; more only hold the device',
  resolution: 'activation memory grows with the image size',
  modelBytes: 'the measurement worker must fit in the device’s memory',
  fileName: 'longer than file systems allow',
  siblings: 'readers consult one or two sibling files',
  shortText: 'a short label is expected',
};

/** `options.batch is 512; this agent accepts at most 64 (activation memory grows with the batch)`. */
export function overLimitMessage(field: string, value: number | string, limit: RequestLimit): string {
  return `${field} is ${value}; this agent accepts at most ${REQUEST_LIMITS[limit]} (${LIMIT_REASONS[limit]})`;
}

/** A JSON rendering of a client's value, cut so an error message quotes at most ~100 characters of it. */
export function quote(value: unknown, max = 100): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

export type RequestType = 'ping' | 'measure' | 'lut' | 'cancel';

export type AgentErrorCode =
  /** The frame is not JSON. */
  | 'bad-json'
  /** JSON, but not a request of this protocol (missing or mistyped field). */
  | 'bad-request'
  /** A binary frame: the protocol is text only. */
  | 'binary-frame'
  /** Larger than the agent's message limit. */
  | 'too-large'
  | 'unsupported-protocol'
  | 'unauthorized'
  /** The request was read but the job failed (bad model, runtime error). */
  | 'failed'
  /** The job was cancelled (client asked, client went away, agent shutting down). */
  | 'cancelled'
  /** An option beyond the agent's ceiling (`REQUEST_LIMITS`); the message names the field, the ceiling and why. */
  | 'over-limit'
  /** This connection already has as many jobs waiting as the agent queues per client. */
  | 'queue-full'
  /** Too many wrong tokens recently, from anyone: no token is checked until the backoff ends. */
  | 'locked-out'
  /** The job ran past the agent's time budget per job and was stopped, so other clients get their turn. */
  | 'time-limit';

interface RequestBase {
  readonly protocol: number;
  readonly id: string | number;
  readonly token: string;
}

export interface PingRequest extends RequestBase {
  readonly type: 'ping';
}

/** What the agent feeds the model reader and the timer; all optional, the file's own defaults otherwise. */
export interface RemoteMeasureOptions {
  readonly inputSize?: readonly [number, number];
  readonly seqLen?: number;
  readonly batch?: number;
  readonly scale?: string;
  readonly warmupRuns?: number;
  readonly runs?: number;
  readonly budgetMs?: number;
  readonly backend?: RuntimeBackend;
}

export interface MeasureRequest extends RequestBase {
  readonly type: 'measure';
  /** Display name; its extension picks the reader as it does locally (e.g. `net.config`, `model.json`). */
  readonly fileName: string;
  readonly text: string;
  /** Files next to the model that readers consult, by bare name (e.g. `{"run.config": "…"}`). */
  readonly siblings?: Readonly<Record<string, string>>;
  readonly options?: RemoteMeasureOptions;
}

export interface RemoteLutOptions {
  /** Image size of a supernet space's table; default: the file's. */
  readonly resolution?: number;
  /** Passes over the blocks (default 3, as `greenprint lut build`). */
  readonly rounds?: number;
  /** Device id and name written into the table, e.g. `remote:pi5` (default `local-cpu`, the agent's own machine). */
  readonly deviceId?: string;
  readonly deviceName?: string;
  /** Which runtime times the blocks: TF.js (default) or ONNX Runtime (onnxruntime-node where installed, else -web). */
  readonly runtime?: 'tfjs' | 'onnx';
}

export interface LutRequest extends RequestBase {
  readonly type: 'lut';
  readonly fileName: string;
  /** A supernet description (its space) or a model config (its distinct layers). */
  readonly text: string;
  readonly siblings?: Readonly<Record<string, string>>;
  readonly options?: RemoteLutOptions;
}

/** Stops a queued or running request of the same connection; answered at once, the target gets `cancelled`. */
export interface CancelRequest extends RequestBase {
  readonly type: 'cancel';
  readonly target: string | number;
}

export type AgentRequest = PingRequest | MeasureRequest | LutRequest | CancelRequest;

/** The machine the agent runs on and the TF.js runtime it measures with. */
export interface AgentDeviceInfo {
  readonly hostname: string;
  /** e.g. `Linux 6.8.0 (x64)`. */
  readonly os: string;
  readonly cpu: { readonly model: string; readonly cores: number };
  readonly memoryBytes: number;
  /** Node.js version, e.g. `v20.20.2`. */
  readonly node: string;
  readonly backend: RuntimeBackend;
  readonly threads: number;
  readonly runtime: string;
  /** Why faster backends were skipped (e.g. tfjs-node not installed). */
  readonly notes: readonly string[];
}

export interface PingResult {
  readonly protocol: number;
  /** Requests waiting or running on the agent, all clients together. */
  readonly queued: number;
  readonly maxMessageBytes: number;
  /** The agent's ceilings on request options (absent from agents before they had them). */
  readonly limits?: typeof REQUEST_LIMITS;
  /** Longest a job may hold the device before the agent stops it, in seconds. */
  readonly maxJobSeconds?: { readonly measure: number; readonly lut: number };
}

export interface RemoteMeasureResult {
  readonly model: string;
  readonly input: string;
  readonly batch: number;
  readonly measurement: Measurement;
  /** Wall time on the agent, queueing excluded. */
  readonly seconds: number;
}

export interface RemoteLutResult {
  readonly lut: LatencyLut;
  /** Blocks timed by this request; the others came from the agent's cached table. */
  readonly measured: number;
  readonly entries: number;
  readonly seconds: number;
}

export interface RemoteProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export interface AgentError {
  readonly code: AgentErrorCode;
  readonly message: string;
}

export type AgentReply =
  | { readonly protocol: number; readonly id: string | number; readonly ok: true; readonly result: unknown; readonly device: AgentDeviceInfo }
  | { readonly protocol: number; readonly id: string | number | null; readonly ok: false; readonly error: AgentError; readonly device?: AgentDeviceInfo };

export interface AgentProgressFrame {
  readonly protocol: number;
  readonly id: string | number;
  readonly progress: RemoteProgress;
}

export type AgentFrame = AgentReply | AgentProgressFrame;

/** A request the agent cannot accept; `id` is the request's when it could be read. */
export class ProtocolError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly id: string | number | null = null,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string | number => (typeof v === 'string' && v.length > 0 && v.length <= 128) || (typeof v === 'number' && Number.isFinite(v));
const SIBLING_NAME = /^[A-Za-z0-9._-]+$/;

function optionalNumber(o: Record<string, unknown>, key: string, where: string, id: string | number, limit: RequestLimit, integer = true): void {
  const v = o[key];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new ProtocolError('bad-request', `${where}.${key} must be a positive ${integer ? 'whole ' : ''}number, got ${quote(v)}`, id);
  }
  if (v > REQUEST_LIMITS[limit]) throw new ProtocolError('over-limit', overLimitMessage(`${where}.${key}`, v, limit), id);
}

function optionalShortText(o: Record<string, unknown>, key: string, id: string | number, nonEmpty: boolean): void {
  const v = o[key];
  if (v === undefined) return;
  if (typeof v !== 'string' || (nonEmpty && !v)) throw new ProtocolError('bad-request', `options.${key} must be a ${nonEmpty ? 'non-empty ' : ''}string`, id);
  if (v.length > REQUEST_LIMITS.shortText) throw new ProtocolError('over-limit', overLimitMessage(`options.${key}`, `${v.length} characters long`, 'shortText'), id);
}

function checkModelFields(r: Record<string, unknown>, id: string | number): void {
  if (typeof r.fileName !== 'string' || !r.fileName) throw new ProtocolError('bad-request', '"fileName" must be a non-empty string', id);
  if (r.fileName.length > REQUEST_LIMITS.fileName) throw new ProtocolError('over-limit', overLimitMessage('"fileName"', `${r.fileName.length} characters long`, 'fileName'), id);
  if (typeof r.text !== 'string') throw new ProtocolError('bad-request', '"text" must be the model file\'s text', id);
  if (r.siblings !== undefined) {
    if (!isObject(r.siblings)) throw new ProtocolError('bad-request', '"siblings" must map file names to their text', id);
    const names = Object.keys(r.siblings);
    if (names.length > REQUEST_LIMITS.siblings) throw new ProtocolError('over-limit', overLimitMessage('"siblings"', `${names.length} files`, 'siblings'), id);
    for (const [name, text] of Object.entries(r.siblings)) {
      if (!SIBLING_NAME.test(name) || name === '.' || name === '..' || name.length > REQUEST_LIMITS.fileName) throw new ProtocolError('bad-request', `sibling ${quote(name)} must be a bare file name`, id);
      if (typeof text !== 'string') throw new ProtocolError('bad-request', `sibling "${name}" must be text`, id);
    }
  }
  if (r.options !== undefined && !isObject(r.options)) throw new ProtocolError('bad-request', '"options" must be an object', id);
}

function checkMeasureOptions(o: Record<string, unknown>, id: string | number): void {
  if (o.inputSize !== undefined) {
    const s = o.inputSize;
    if (!Array.isArray(s) || s.length !== 2 || !s.every((x) => Number.isInteger(x) && (x as number) > 0)) {
      throw new ProtocolError('bad-request', `options.inputSize must be [height, width], got ${quote(s)}`, id);
    }
    const side = Math.max(s[0] as number, s[1] as number);
    if (side > REQUEST_LIMITS.inputSide) throw new ProtocolError('over-limit', overLimitMessage('options.inputSize', `${s[0]}×${s[1]}`, 'inputSide').replace('at most', 'at most a side of'), id);
  }
  optionalNumber(o, 'seqLen', 'options', id, 'seqLen');
  optionalNumber(o, 'batch', 'options', id, 'batch');
  optionalNumber(o, 'runs', 'options', id, 'runs');
  optionalNumber(o, 'budgetMs', 'options', id, 'budgetMs', false);
  if (o.warmupRuns !== undefined && !(Number.isInteger(o.warmupRuns) && (o.warmupRuns as number) >= 0)) {
    throw new ProtocolError('bad-request', `options.warmupRuns must be a whole number ≥ 0, got ${quote(o.warmupRuns)}`, id);
  }
  if ((o.warmupRuns as number) > REQUEST_LIMITS.warmupRuns) throw new ProtocolError('over-limit', overLimitMessage('options.warmupRuns', o.warmupRuns as number, 'warmupRuns'), id);
  optionalShortText(o, 'scale', id, false);
  optionalShortText(o, 'backend', id, false);
}

function checkLutOptions(o: Record<string, unknown>, id: string | number): void {
  optionalNumber(o, 'resolution', 'options', id, 'resolution');
  optionalNumber(o, 'rounds', 'options', id, 'lutRounds');
  optionalShortText(o, 'deviceId', id, true);
  optionalShortText(o, 'deviceName', id, true);
  if (o.runtime !== undefined && o.runtime !== 'tfjs' && o.runtime !== 'onnx') throw new ProtocolError('bad-request', `options.runtime must be "tfjs" or "onnx", got ${quote(o.runtime)}`, id);
}

/**
 * Reads one text frame as a request. Throws ProtocolError naming what is wrong; the token is not checked
 * here (the agent compares it in constant time), only its presence.
 */
export function parseRequest(text: string): AgentRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError('bad-json', `not JSON (${(e as Error).message}); the agent expects one JSON request per text frame`);
  }
  if (!isObject(value)) throw new ProtocolError('bad-request', 'a request must be a JSON object');
  const id = isId(value.id) ? value.id : null;
  if (id === null) throw new ProtocolError('bad-request', '"id" must be a non-empty string (≤ 128 characters) or a number');
  if (value.protocol !== PROTOCOL_VERSION) {
    throw new ProtocolError('unsupported-protocol', `protocol ${quote(value.protocol)} is not supported; this agent speaks protocol ${PROTOCOL_VERSION}`, id);
  }
  if (typeof value.token !== 'string') throw new ProtocolError('unauthorized', '"token" is missing: every request must carry the agent\'s token', id);
  switch (value.type) {
    case 'ping':
      break;
    case 'measure':
      checkModelFields(value, id);
      if (value.options) checkMeasureOptions(value.options as Record<string, unknown>, id);
      break;
    case 'lut':
      checkModelFields(value, id);
      if (value.options) checkLutOptions(value.options as Record<string, unknown>, id);
      break;
    case 'cancel':
      if (!isId(value.target)) throw new ProtocolError('bad-request', '"target" must be the id of the request to cancel', id);
      break;
    default:
      throw new ProtocolError('bad-request', `unknown request type ${quote(value.type)}; expected ping, measure, lut or cancel`, id);
  }
  return value as unknown as AgentRequest;
}

/** Reads one frame from the agent; undefined when it is not one (the client then reports the agent as broken). */
export function parseFrame(text: string): AgentFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || !('id' in value)) return undefined;
  if (isObject(value.progress)) return value as unknown as AgentProgressFrame;
  if (value.ok === true && 'result' in value) return value as unknown as AgentReply;
  if (value.ok === false && isObject(value.error) && typeof value.error.message === 'string') return value as unknown as AgentReply;
  return undefined;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** One line for people: `pi5 · Linux 6.6.0 (arm64) · Cortex-A76 × 4 · 7.9 GiB · wasm, 1 thread (…)`. */
export function formatAgentDevice(d: AgentDeviceInfo): string {
  return `${d.hostname} · ${d.os} · ${d.cpu.model} × ${d.cpu.cores} · ${gib(d.memoryBytes)} · ${d.backend}, ${d.threads} thread(s) (${d.runtime}) · Node ${d.node}`;
}
