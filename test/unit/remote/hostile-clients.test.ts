/**
 * Misbehaving and hostile clients against a real agent on 127.0.0.1: oversized frames before the token,
 * idle unauthenticated connections, connection floods, wrong-token bursts, weak tokens, log injection,
 * options beyond the ceilings, one client's long jobs against another's short one, and the measurement
 * worker of an agent killed with SIGKILL. Every loop is bounded and every agent stops by itself.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { AgentStartError, startAgent, tokenWeakness, type AgentOptions, type RunningAgent } from '../../../src/engine/remote/agent';
import { DeviceClient, DeviceClientError } from '../../../src/engine/remote/client';
import { localJobs, modelMemoryCeiling, RemoteLimitError } from '../../../src/engine/remote/jobs';
import { logField } from '../../../src/engine/remote/log-text';
import { PRE_AUTH_MAX_BYTES, PROTOCOL_VERSION, REQUEST_LIMITS } from '../../../src/engine/remote/protocol';
import { FairQueue } from '../../../src/engine/remote/fair-queue';
import { COMPILED_ROOT, fixturePath, samplePath } from '../fixtures';
import { CLI, describeFake, fakeDevice, RawSocket, spawnAgent, type FakeDevice } from './helpers';

const TOKEN = 'hostile-test-token-0123456789';

function request(token: string, id: string | number, type: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ protocol: PROTOCOL_VERSION, id, token, type, ...extra });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 25 ms until it holds or `ms` passed; returns whether it held. */
async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/** Resolves with the close code of a raw socket (or 1006 for a reset), within `ms`. */
async function closeCode(r: RawSocket, ms = 5000): Promise<number | undefined> {
  await eventually(() => r.closeCode !== undefined, ms);
  return r.closeCode;
}

interface TestAgent {
  readonly agent: RunningAgent;
  readonly device: FakeDevice;
  readonly logs: string[];
}

async function fakeAgent(options: Partial<AgentOptions> = {}, delayMs = 20): Promise<TestAgent> {
  const device = fakeDevice(delayMs);
  const logs: string[] = [];
  const agent = await startAgent({
    port: 0,
    token: TOKEN,
    maxMessageBytes: 1024 * 1024,
    describe: describeFake,
    measure: device.measure,
    buildLut: async () => {
      throw new Error('no tables on the fake device');
    },
    log: (line) => logs.push(line),
    ...options,
  });
  return { agent, device, logs };
}

describe('remote: hostile clients (agent on 127.0.0.1)', function () {
  this.timeout(30_000);
  const agents: RunningAgent[] = [];
  const raws: RawSocket[] = [];
  const clients: DeviceClient[] = [];
  const start = async (options: Partial<AgentOptions> = {}, delayMs?: number) => {
    const t = await fakeAgent(options, delayMs);
    agents.push(t.agent);
    return t;
  };
  const raw = async (url: string) => {
    const r = await RawSocket.open(url);
    raws.push(r);
    return r;
  };
  const connect = async (url: string, token = TOKEN) => {
    const c = await DeviceClient.connect(url, token, { timeoutMs: 5000 });
    clients.push(c);
    return c;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const r of raws.splice(0)) r.close();
    for (const a of agents.splice(0)) await a.close();
  });

  describe('before the token is accepted', () => {
    it('closes a connection whose first frame is larger than the pre-authentication limit, without reading it whole', async () => {
      const { agent, logs } = await start({ limits: { summaryMs: 300 } });
      for (const size of [PRE_AUTH_MAX_BYTES + 512, 512 * 1024]) {
        const r = await raw(agent.url);
        r.send(request('x', 1, 'ping', { pad: 'p'.repeat(size) }));
        const code = await closeCode(r);
        // 1009 when the close frame reaches the client before the connection is cut, 1006 otherwise.
        assert.ok(code === 1009 || code === 1006, `closed with ${code} after a ${size}-byte frame`);
        assert.equal(r.frames.length, 0, 'no reply to an unauthenticated oversized frame');
      }
      assert.ok(await eventually(() => agent.connections().open === 0), 'the agent let go of both connections');
      assert.ok(await eventually(() => logs.some((l) => /^closed 2 connection\(s\) from 1 address\(es\) that sent more than 4096 bytes before authenticating/.test(l)), 3000), logs.join('\n'));
      // The same frame is fine once the connection has authenticated (the big limit applies then).
      const r = await raw(agent.url);
      r.send(request(TOKEN, 'hello', 'ping'));
      assert.equal((await r.next()).ok, true);
      r.send(request(TOKEN, 'big', 'ping', { pad: 'p'.repeat(512 * 1024) }));
      const pong = await r.next();
      assert.equal(pong.ok, true);
      assert.equal(pong.id, 'big');
    });

    it('closes idle unauthenticated connections after the authentication timeout, WebSocket or bare TCP', async () => {
      const { agent, logs } = await start({ limits: { authTimeoutMs: 300, summaryMs: 1000 } });
      const ws = await raw(agent.url);
      const tcp = net.connect(agent.port, '127.0.0.1');
      let tcpClosed = false;
      tcp.on('error', () => undefined).on('close', () => (tcpClosed = true));
      const authed = await raw(agent.url);
      authed.send(request(TOKEN, 1, 'ping'));
      assert.equal((await authed.next()).ok, true);
      assert.equal(await closeCode(ws, 3000), 1008, 'the idle WebSocket is closed with a policy close');
      assert.ok(await eventually(() => tcpClosed, 3000), 'the bare TCP connection is closed too');
      await sleep(400);
      authed.send(request(TOKEN, 2, 'ping'));
      assert.equal((await authed.next()).ok, true, 'an authenticated connection is not subject to the timeout');
      assert.ok(await eventually(() => logs.some((l) => /^closed 2 connection\(s\) from 1 address\(es\) that did not authenticate within 0\.3 s/.test(l)), 3000), logs.join('\n'));
    });

    it('caps connections in total and unauthenticated, refusing the excess with HTTP 503', async () => {
      const { agent, logs } = await start({ limits: { maxConnections: 4, maxUnauthenticated: 2, maxUnauthenticatedPerAddress: 2, summaryMs: 300 } });
      const a = await raw(agent.url);
      const b = await raw(agent.url);
      await assert.rejects(RawSocket.open(agent.url), /503|ECONNRESET|socket hang up/, 'a third unauthenticated connection is refused');
      await assert.rejects(
        DeviceClient.connect(agent.url, TOKEN, { timeoutMs: 3000 }),
        (e: Error) => e instanceof DeviceClientError && e.code === 'unreachable' && (/HTTP 503\): the agent is at its connection limit/.test(e.message) || /ECONNRESET|hang up/.test(e.message)),
      );
      // Authenticating frees the slot: two authenticated and two unauthenticated fill the total of four.
      a.send(request(TOKEN, 1, 'ping'));
      b.send(request(TOKEN, 1, 'ping'));
      assert.equal((await a.next()).ok, true);
      assert.equal((await b.next()).ok, true);
      await raw(agent.url);
      await raw(agent.url);
      assert.deepEqual(agent.connections(), { open: 4, authenticated: 2 });
      await assert.rejects(RawSocket.open(agent.url), /503|ECONNRESET|socket hang up/, 'a fifth connection is over the total');
      assert.ok(await eventually(() => logs.some((l) => /^refused 3 connection\(s\) over the connection limits from 1 address\(es\)/.test(l)), 3000), logs.join('\n'));
      assert.equal(logs.filter((l) => /^refused/.test(l)).length, 1, 'one summary line for the burst');
    });

    it('answers a burst of wrong tokens with a global backoff and one summary log line', async () => {
      const { agent, logs } = await start({ backoff: { maxFailures: 5, lockoutMs: 800, summaryMs: 1500 } });
      const codes: string[] = [];
      for (let c = 0; c < 4; c++) {
        const r = await raw(agent.url);
        for (let i = 0; i < 5; i++) r.send(request(`guess-${c}-${i}`, i, 'ping'));
        for (let i = 0; i < 5; i++) codes.push(((await r.next()).error as { code: string }).code);
        assert.equal(await closeCode(r), 1008, 'five failures on one connection end it');
      }
      assert.deepEqual(codes.slice(0, 5), Array(5).fill('unauthorized'));
      assert.deepEqual(codes.slice(5), Array(15).fill('locked-out'), 'after 5 failures no token is checked, whoever sends it');
      await assert.rejects(
        DeviceClient.connect(agent.url, TOKEN, { timeoutMs: 3000 }),
        (e: Error) => e instanceof DeviceClientError && e.code === 'locked-out' && /refused the token: too many wrong tokens .* no token is checked for another \d+ s/.test(e.message),
      );
      assert.ok(await eventually(() => logs.some((l) => /wrong token/.test(l)), 4000), 'the summary line comes');
      const lines = logs.filter((l) => /wrong token/.test(l));
      assert.equal(lines.length, 1, `one line for the burst, not one per attempt:\n${lines.join('\n')}`);
      assert.match(lines[0], /^21 wrong token\(s\) from 1 address\(es\) in the last [\d.]+ s \(127\.0\.0\.1\); 16 of them refused unchecked during the backoff/);
      // The lockout ends by itself; the right token works again.
      let client: DeviceClient | undefined;
      const deadline = Date.now() + 5000;
      while (!client && Date.now() < deadline) {
        client = await connect(agent.url).catch(() => undefined);
        if (!client) await sleep(200);
      }
      assert.ok(client, 'accepted after the backoff');
    });

    it('refuses weak tokens, in the API and on the command line (exit 2, saying why)', async () => {
      assert.match(tokenWeakness('a')!, /1 character\(s\) long; use at least 16/);
      assert.match(tokenWeakness('aaaaaaaaaaaaaaaaaaaa')!, /only 1 different character/);
      assert.match(tokenWeakness('has spaces in it 12345')!, /printable ASCII without spaces/);
      assert.equal(tokenWeakness('0123456789abcdef'), undefined);
      await assert.rejects(startAgent({ port: 0, token: 'a', describe: describeFake, measure: fakeDevice().measure, buildLut: fakeDevice().measure as never }), (e: Error) => e instanceof AgentStartError && /weak token/.test(e.message));
      const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [CLI, 'agent', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
          child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
          });
        });
      const short = await run(['--token', 'a']);
      assert.equal(short.code, 2, short.stderr);
      assert.match(short.stderr, /weak token refused \(--token\): the token is 1 character\(s\) long; use at least 16/);
      const repeated = await run([], { GREENPRINT_AGENT_TOKEN: 'aaaaaaaaaaaaaaaaaaaa' });
      assert.equal(repeated.code, 2);
      assert.match(repeated.stderr, /GREENPRINT_AGENT_TOKEN\): the token uses only 1 different character/);
    });

    it('prints a generated token once, alone on its line, and never inside the suggested command', async () => {
      const agent = await spawnAgent(['--quiet'], [process.execPath, CLI]);
      try {
        const out = agent.stdout();
        assert.match(agent.token, /^[A-Za-z0-9_-]{43}$/, 'a strong random token');
        assert.equal(out.split(agent.token).length - 1, 1, 'printed exactly once');
        assert.ok(out.split('\n').includes(agent.token), 'on a line of its own');
        assert.match(out, /Check it from the client: greenprint device ping ws:\/\/\S+ --token <token>/);
        const given = await spawnAgent(['--token', TOKEN, '--quiet']);
        try {
          assert.ok(!given.stdout().includes(TOKEN), 'a given token is not echoed');
        } finally {
          await given.stop();
        }
      } finally {
        await agent.stop();
      }
    });
  });

  describe('authenticated clients', () => {
    it('escapes client text in log lines so a file name cannot forge a line, and cuts it', async () => {
      const { agent, logs } = await start();
      const client = await connect(agent.url);
      const forged = 'evil.json\n[2026-12-04T00:00:00.000Z] connection from 6.6.6.6\r\u2028x';
      await client.measure({ fileName: forged, text: '{}' });
      await client.measure({ fileName: 'n'.repeat(200), text: '{}' });
      assert.ok(logs.length > 4);
      for (const line of logs) assert.ok(!/[\n\r\u2028\u2029]/.test(line), `raw line break in ${JSON.stringify(line)}`);
      assert.ok(logs.some((l) => l.includes('evil.json\\n[2026-12-04T00:00:00.000Z] connection from 6.6.6.6\\r\\u2028x')), logs.join('\n'));
      assert.ok(logs.some((l) => l.includes(`${'n'.repeat(120)}… (200 characters)`)));
      assert.equal(logField('a\\b\u0007'), 'a\\\\b\\u0007');
    });

    it('refuses options beyond the ceilings with the ceiling and its reason, and runs nothing', async () => {
      const { agent, device } = await start();
      const client = await connect(agent.url);
      const pong = await client.ping();
      assert.deepEqual(pong.result.limits, REQUEST_LIMITS, 'ping tells clients the ceilings');
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ batch: 512 }, /options\.batch is 512; this agent accepts at most 64 \(activation memory grows with the batch\)/],
        [{ runs: 1e8 }, /options\.runs is 100000000; this agent accepts at most 1000 \(the device is shared/],
        [{ inputSize: [8192, 8192] }, /options\.inputSize is 8192×8192; this agent accepts at most a side of 2048 \(activation memory grows with height × width\)/],
        [{ warmupRuns: 5000 }, /options\.warmupRuns is 5000; this agent accepts at most 100/],
        [{ budgetMs: 1e7 }, /options\.budgetMs is 10000000; this agent accepts at most 60000/],
        [{ seqLen: 1e6 }, /options\.seqLen is 1000000; this agent accepts at most 16384 \(attention memory/],
        [{ scale: 'x'.repeat(1000) }, /options\.scale is 1000 characters long; this agent accepts at most 128/],
      ];
      for (const [options, message] of cases) {
        await assert.rejects(
          client.measure({ fileName: 'm.json', text: '{}', options }),
          (e: Error) => e instanceof DeviceClientError && e.code === 'over-limit' && message.test(e.message),
          JSON.stringify(options),
        );
      }
      await assert.rejects(client.measure({ fileName: 'f'.repeat(300), text: '{}' }), (e: Error) => e instanceof DeviceClientError && e.code === 'over-limit' && /"fileName" is 300 characters long; this agent accepts at most 255/.test(e.message));
      await assert.rejects(client.buildLut({ fileName: 's.json', text: '{}', options: { rounds: 1000 } }), (e: Error) => e instanceof DeviceClientError && e.code === 'over-limit' && /options\.rounds is 1000; this agent accepts at most 10/.test(e.message));
      assert.deepEqual(device.started, [], 'nothing over a ceiling reached the device');
      assert.equal((await client.measure({ fileName: 'ok.json', text: '{}', options: { batch: 64, runs: 1000, inputSize: [2048, 2048] } })).result.model, 'ok.json', 'the ceilings themselves are accepted');
    });

    it('refuses a model too large for the worker before it reaches the worker', async () => {
      const jobs = localJobs({ lutDirectory: os.tmpdir() });
      try {
        const text = readFileSync(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), 'utf8');
        const request = { protocol: PROTOCOL_VERSION, id: 1, token: TOKEN, type: 'measure' as const, fileName: 'mobilenet.json', text, options: { inputSize: [2048, 2048] as [number, number], batch: 64 } };
        await assert.rejects(
          jobs.measure(request, { signal: new AbortController().signal, onProgress: () => undefined }),
          (e: Error) => e instanceof RemoteLimitError && /^mobilenet\.json: the model needs about [\d.]+ GiB .*batch 64\); this agent accepts at most [\d.]+ GiB/.test(e.message),
        );
        assert.equal(modelMemoryCeiling(2 ** 30), 2 ** 29, 'never more than half the device memory');
        assert.equal(modelMemoryCeiling(64 * 2 ** 30), REQUEST_LIMITS.modelBytes);
      } finally {
        jobs.dispose();
      }
    });

    it('serves clients round-robin: a newcomer’s job runs before the rest of another client’s queue', async () => {
      const { agent, device } = await start({}, 100);
      const a = await connect(agent.url);
      const b = await connect(agent.url);
      const aJobs = ['a1', 'a2', 'a3', 'a4'].map((name) => a.measure({ fileName: name, text: '{}' }));
      await eventually(() => device.started.length === 1);
      const bJob = b.measure({ fileName: 'b1', text: '{}' });
      await Promise.all([...aJobs, bJob]);
      assert.deepEqual(device.started, ['a1', 'b1', 'a2', 'a3', 'a4']);
      assert.equal(device.maxConcurrent(), 1);
    });

    it('stops a job at the per-job time budget so another client’s short job gets its turn', async () => {
      const { agent, device, logs } = await start({ limits: { maxJobSeconds: { measure: 0.3 } } });
      const a = await connect(agent.url);
      const b = await connect(agent.url);
      const long = a.measure({ fileName: 'long.json', text: '{}', options: { budgetMs: 60_000 } }).catch((e: Error) => e);
      await eventually(() => device.started.length === 1);
      const sent = performance.now();
      const short = await b.measure({ fileName: 'short.json', text: '{}', options: { budgetMs: 10 } });
      const waited = performance.now() - sent;
      assert.equal(short.result.model, 'short.json');
      assert.ok(waited < 5000, `the short job finished ${waited.toFixed(0)} ms after it was sent`);
      const error = await long;
      assert.ok(error instanceof DeviceClientError && error.code === 'time-limit', String(error));
      assert.match(error.message, /measure stopped after this agent's limit of 0\.3 s per job, so that other clients get their turn/);
      assert.deepEqual(device.aborted, ['long.json']);
      assert.ok(logs.some((l) => /long\.json .*stopped at the 0\.3 s job limit/.test(l)));
    });

    it('caps the jobs one connection may queue', async () => {
      const { agent } = await start({ limits: { maxJobsPerClient: 2 } }, 200);
      const a = await connect(agent.url);
      const queued = [1, 2].map((i) => a.measure({ fileName: `q${i}`, text: '{}' }));
      await assert.rejects(a.measure({ fileName: 'q3', text: '{}' }), (e: Error) => e instanceof DeviceClientError && e.code === 'queue-full' && /at most 2 per client/.test(e.message));
      await Promise.all(queued);
    });
  });

  it('FairQueue: least recently served first, each owner in order', () => {
    const q = new FairQueue<string, string>();
    for (const j of ['a1', 'a2', 'a3']) q.push('a', j);
    assert.equal(q.next(), 'a1');
    q.push('b', 'b1');
    q.push('b', 'b2');
    q.push('c', 'c1');
    assert.deepEqual([q.next(), q.next(), q.next(), q.next(), q.next(), q.next()], ['b1', 'c1', 'a2', 'b2', 'a3', undefined]);
    q.push('a', 'x');
    q.push('a', 'y');
    assert.deepEqual(q.remove('a', (j) => j === 'x'), ['x']);
    assert.equal(q.size, 1);
    // An owner whose line ran empty keeps its place in the rotation until it is forgotten.
    const r = new FairQueue<string, string>();
    r.push('a', 'a1');
    assert.equal(r.next(), 'a1');
    r.push('a', 'a2');
    r.push('b', 'b1');
    assert.equal(r.next(), 'b1');
    r.forget('a');
    r.push('a', 'a3');
    r.push('b', 'b2');
    assert.equal(r.next(), 'a3', 'forgotten: new again');
  });
});

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** Running (not a zombie waiting for its new parent to reap it). */
function running(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function rssBytes(pid: number): number {
  const kb = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
  return kb * 1024;
}

/**
 * Opens a WebSocket by hand and starts one masked text frame announcing `bytes` of payload, then streams it
 * (one shared 256 KiB chunk, respecting backpressure) until the agent closes the connection or all is sent.
 */
function oversizedPreAuthFrame(port: number, bytes: number): Promise<{ sent: number; closed: boolean; upgraded: boolean }> {
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let sent = 0;
    let upgraded = false;
    let finished = false;
    const finish = (closed: boolean) => {
      if (finished) return;
      finished = true;
      socket.destroy();
      resolve({ sent, closed, upgraded });
    };
    const timer = setTimeout(() => finish(false), 15_000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      finish(upgraded);
    });
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 7).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    socket.once('data', (d) => {
      if (!/^HTTP\/1\.1 101/.test(d.toString('latin1'))) return finish(true); // refused at the door (503) also counts as cut off
      upgraded = true;
      const header = Buffer.alloc(14);
      header[0] = 0x81; // FIN + text
      header[1] = 0x80 | 127; // masked, 64-bit length
      header.writeBigUInt64BE(BigInt(bytes), 2);
      header.writeUInt32BE(0x01020304, 10); // mask key
      socket.write(header);
      const pump = () => {
        while (!finished && sent < bytes) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  });
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

describe('remote: hostile clients against the agent process', function () {
  this.timeout(90_000);
  const linux = process.platform === 'linux';

  it('the measurement worker exits within seconds of the agent being SIGKILLed mid-kernel', async function () {
    if (!linux) this.skip();
    const agent = await spawnAgent(['--token', TOKEN, '--quiet']);
    const client = await DeviceClient.connect(agent.url, agent.token);
    try {
      // A large input makes each inference long, so the worker is inside a synchronous kernel when its
      // parent dies and the IPC 'disconnect' event alone would come late.
      const text = readFileSync(samplePath('ofa', 'note10_lat-30ms', 'net.config'), 'utf8');
      let measuring!: () => void;
      const busy = new Promise<void>((r) => (measuring = r));
      const pending = client.measure({ fileName: 'net.config', text, options: { inputSize: [1024, 1024], warmupRuns: 3, runs: 50 } }, { onProgress: () => measuring() });
      pending.catch(() => undefined);
      await busy;
      await sleep(300);
      const workers = childPids(agent.child.pid!);
      assert.ok(workers.length >= 1, 'the agent measures in a worker child');
      const killedAt = performance.now();
      agent.child.kill('SIGKILL');
      const gone = await eventually(() => !workers.some(running), 10_000);
      const ms = performance.now() - killedAt;
      assert.ok(gone, 'the worker exited');
      assert.ok(ms < 5000, `worker exited ${ms.toFixed(0)} ms after the agent was killed`);
      console.log(`      worker exited ${ms.toFixed(0)} ms after the agent was SIGKILLed`);
    } finally {
      client.close();
      await agent.stop();
    }
  });

  /**
   * 1,000 WebSocket connections that never authenticate, then 40 clients that each announce a 16 MiB
   * frame before authenticating and stream it (from one shared buffer, so this process stays small).
   * Returns the agent's RSS at each step and what happened to the connections.
   */
  async function flood(url: string, port: number, pid: number, holdMs: number) {
    const sockets: WebSocket[] = [];
    const before = rssBytes(pid);
    let accepted = 0;
    let refused = 0;
    let closedByAgent = 0;
    try {
      const drips = await Promise.all(Array.from({ length: 40 }, () => oversizedPreAuthFrame(port, 16 * 2 ** 20)));
      const flooded = rssBytes(pid);
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, () =>
            new Promise<void>((resolve) => {
              const s = new WebSocket(url);
              s.on('open', () => {
                accepted++;
                sockets.push(s);
                resolve();
              });
              s.on('close', () => sockets.includes(s) && closedByAgent++);
              s.on('error', () => {
                refused++;
                resolve();
              });
            }),
          ),
        );
      }
      const held = rssBytes(pid);
      const allClosed = await eventually(() => closedByAgent >= accepted, holdMs);
      const after = rssBytes(pid);
      return { before, held, flooded, after, accepted, refused, allClosed, closedByAgent, drips };
    } finally {
      for (const s of sockets) s.terminate();
    }
  }

  const report = (label: string, f: Awaited<ReturnType<typeof flood>>) => {
    const maxSent = Math.max(...f.drips.map((d) => d.sent));
    const admitted = f.drips.filter((d) => d.upgraded);
    console.log(
      `      ${label}: agent RSS ${mib(f.before)} before; ${mib(f.flooded)} after 40 clients each started a 16 MiB frame before authenticating ` +
        `(${admitted.length} admitted and cut off, at most ${(maxSent / 2 ** 20).toFixed(1)} MiB of it written by one before the cut; ${40 - admitted.length} refused at the door); ` +
        `${mib(f.held)} with 1,000 idle connection attempts (${f.accepted} held, ${f.refused} refused); ` +
        `${mib(f.after)} after the authentication timeout (${f.closedByAgent} idle connections closed by the agent)`,
    );
  };

  it('memory stays flat under 1,000 unauthenticated connections and 40 oversized pre-auth frames (default caps; measured, reported)', async function () {
    if (!linux) this.skip();
    const agent = await spawnAgent(['--token', TOKEN, '--quiet']);
    try {
      const f = await flood(agent.url, Number(new URL(agent.url).port), agent.child.pid!, 15_000);
      report('default caps', f);
      assert.equal(f.accepted + f.refused, 1000);
      assert.ok(f.accepted <= 16, `at most the unauthenticated cap was admitted (${f.accepted})`);
      assert.ok(f.allClosed, `the agent closed the idle connections after its timeout (${f.closedByAgent}/${f.accepted})`);
      assert.ok(f.drips.every((d) => d.closed && d.sent < 16 * 2 ** 20), 'every oversized pre-auth frame was cut off (or refused) before it was whole');
      assert.ok(f.drips.some((d) => d.upgraded), 'some were admitted, so the cut-off itself was exercised');
      assert.ok(f.flooded - f.before < 150 * 2 ** 20, `RSS grew by ${mib(f.flooded - f.before)}`);
    } finally {
      await agent.stop();
    }
  });

  it('with the caps lifted, 1,000 admitted unauthenticated connections still cost little and all time out (measured, reported)', async function () {
    if (!linux) this.skip();
    // The agent module in a child process of its own (so its RSS is the agent's alone), caps raised.
    const script = `
      const { startAgent } = require(${JSON.stringify(path.join(COMPILED_ROOT, 'src', 'engine', 'remote', 'agent.js'))});
      const device = { hostname: 'x', os: 'x', cpu: { model: 'x', cores: 1 }, memoryBytes: 1, node: process.version, backend: 'cpu', threads: 1, runtime: 'x', notes: [] };
      const none = async () => { throw new Error('no jobs here'); };
      startAgent({ port: 0, token: ${JSON.stringify(TOKEN)}, describe: async () => device, measure: none, buildLut: none,
        limits: { maxConnections: 5000, maxUnauthenticated: 5000, maxUnauthenticatedPerAddress: 5000, authTimeoutMs: 4000 } })
        .then((a) => process.stdout.write(a.url + '\\n'));
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          const m = out.match(/ws:\/\/\S+/);
          if (m) resolve(m[0]);
        });
        child.once('exit', (code) => reject(new Error(`agent script exited (${code})`)));
      });
      const f = await flood(url, Number(new URL(url).port), child.pid!, 15_000);
      report('caps lifted', f);
      assert.equal(f.accepted, 1000, 'all admitted');
      assert.ok(f.allClosed, `all timed out (${f.closedByAgent}/${f.accepted})`);
      assert.ok(f.drips.every((d) => d.upgraded && d.closed && d.sent < 16 * 2 ** 20), 'each oversized frame was cut off before it was whole');
      assert.ok(f.flooded - f.before < 200 * 2 ** 20, `RSS grew by ${mib(f.flooded - f.before)}`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
