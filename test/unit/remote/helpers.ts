/** Shared pieces of the remote-device tests: a fake device, raw WebSocket frames, an agent in a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import WebSocket from 'ws';
import type { JobContext } from '../../../src/engine/remote/jobs';
import type { AgentDeviceInfo, MeasureRequest, RemoteMeasureResult } from '../../../src/engine/remote/protocol';
import type { Measurement } from '../../../src/engine/runtime/types';
import { COMPILED_CLI, REPO_ROOT } from '../fixtures';

export const CLI = COMPILED_CLI;

export const FAKE_DEVICE: AgentDeviceInfo = {
  hostname: 'fake-board',
  os: 'FakeOS 1.0 (arm64)',
  cpu: { model: 'Fake Cortex', cores: 4 },
  memoryBytes: 4 * 2 ** 30,
  node: process.version,
  backend: 'cpu',
  threads: 1,
  runtime: 'fake runtime',
  notes: [],
};

export const describeFake = async (): Promise<AgentDeviceInfo> => FAKE_DEVICE;

export function fakeMeasurement(ms: number): Measurement {
  return { minMs: ms, medianMs: ms, p10Ms: ms, p90Ms: ms, meanMs: ms, runs: 5, discarded: 0, warmupRuns: 1, batch: 1, backend: 'cpu', threads: 1, runtime: 'fake runtime' };
}

export interface FakeDevice {
  readonly measure: (request: MeasureRequest, context: JobContext) => Promise<RemoteMeasureResult>;
  /** Jobs running at once, at most; 1 means the queue serialised them. */
  readonly maxConcurrent: () => number;
  /** File names in the order the jobs started. */
  readonly started: string[];
  /** File names whose jobs saw their AbortSignal fire. */
  readonly aborted: string[];
}

/**
 * A device whose measurement takes `delayMs` (or the `options.budgetMs` the request asks for), reports
 * progress and honours its AbortSignal, so tests see queueing, timeouts and cancellation without TF.js.
 */
export function fakeDevice(delayMs = 20): FakeDevice {
  let running = 0;
  let max = 0;
  const started: string[] = [];
  const aborted: string[] = [];
  const measure = async (request: MeasureRequest, { signal, onProgress }: JobContext): Promise<RemoteMeasureResult> => {
    running++;
    max = Math.max(max, running);
    started.push(request.fileName);
    try {
      const wait = request.options?.budgetMs ?? delayMs;
      onProgress({ phase: 'timed', done: 0, total: 1 });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, wait);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            aborted.push(request.fileName);
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          },
          { once: true },
        );
      });
      return { model: request.fileName, input: '1×1', batch: 1, measurement: fakeMeasurement(wait), seconds: wait / 1000 };
    } finally {
      running--;
    }
  };
  return { measure, maxConcurrent: () => max, started, aborted };
}

/** A raw connection that sends arbitrary frames and collects the agent's replies in order. */
export class RawSocket {
  readonly frames: Record<string, unknown>[] = [];
  private waiters: (() => void)[] = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  }

  static open(url: string, headers?: Record<string, string>): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers, maxPayload: 1 << 30 });
      socket.once('open', () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  /** Resolves with the next reply frame (not progress), or the close code when the socket closes first. */
  async next(timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => !('progress' in f));
      if (i >= 0) return this.frames.splice(0, i + 1).pop()!;
      if (this.closeCode !== undefined) throw new Error(`closed with code ${this.closeCode}`);
      if (Date.now() > deadline) throw new Error('no reply in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  send(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  close(): void {
    this.socket.terminate();
  }
}

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly token: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  stop(): Promise<void>;
}

/** `greenprint agent --port 0` in a child process (compiled CLI), once it printed its URL (and token, when it made one). */
export function spawnAgent(args: string[] = [], command: string[] = [process.execPath, CLI]): Promise<AgentProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], [...command.slice(1), 'agent', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent did not start within 20 s:\n${stdout}\n${stderr}`));
    }, 20_000);
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const url = stdout.match(/listening on (ws:\/\/\S+)/)?.[1];
      // A generated token is printed alone on the line after its label; a given one is not printed.
      const given = args.indexOf('--token');
      const token = given >= 0 ? args[given + 1] : stdout.match(/^token \(generated[^\n]*\n(\S+)$/m)?.[1];
      if (url && token && /Check it from the client/.test(stdout)) {
        clearTimeout(timer);
        resolve({
          child,
          url,
          token,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${signal ?? code}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
}

/** A tiny Keras Sequential model (conv → pool → dense) as model.json text: quick to time and to tabulate. */
export function tinyKerasModel(): string {
  const layer = (class_name: string, config: Record<string, unknown>) => ({ class_name, config: { name: `${class_name.toLowerCase()}_1`, ...config } });
  return JSON.stringify({
    class_name: 'Sequential',
    config: {
      name: 'tiny',
      layers: [
        layer('InputLayer', { batch_input_shape: [null, 16, 16, 3] }),
        layer('Conv2D', { filters: 8, kernel_size: [3, 3], padding: 'same', activation: 'relu' }),
        layer('GlobalAveragePooling2D', {}),
        layer('Dense', { units: 4 }),
      ],
    },
  });
}
