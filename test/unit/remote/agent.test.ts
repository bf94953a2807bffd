import { strict as assert } from 'node:assert';
import { startAgent, tokenChecker, type RunningAgent } from '../../../src/engine/remote/agent';
import { DeviceClient, DeviceClientError } from '../../../src/engine/remote/client';
import { PROTOCOL_VERSION } from '../../../src/engine/remote/protocol';
import { describeFake, fakeDevice, FAKE_DEVICE, RawSocket, type FakeDevice } from './helpers';

const LIMIT = 64 * 1024;

function request(token: string, id: string | number, type: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ protocol: PROTOCOL_VERSION, id, token, type, ...extra });
}

describe('remote: agent over loopback (fake device)', function () {
  this.timeout(20_000);
  let agent: RunningAgent;
  let device: FakeDevice;
  const clients: DeviceClient[] = [];
  const raws: RawSocket[] = [];

  beforeEach(async () => {
    device = fakeDevice();
    agent = await startAgent({
      port: 0,
      maxMessageBytes: LIMIT,
      describe: describeFake,
      measure: device.measure,
      buildLut: async () => {
        throw new Error('no tables on the fake device');
      },
    });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const r of raws.splice(0)) r.close();
    await agent.close();
  });

  const connect = async (token = agent.token, timeoutMs?: number) => {
    const c = await DeviceClient.connect(agent.url, token, { timeoutMs });
    clients.push(c);
    return c;
  };
  const raw = async (headers?: Record<string, string>) => {
    const r = await RawSocket.open(agent.url, headers);
    raws.push(r);
    return r;
  };

  it('binds loopback on the port it reports, with a random token', async () => {
    assert.match(agent.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(agent.host, '127.0.0.1');
    assert.ok(agent.port > 0);
    assert.match(agent.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    const other = await startAgent({ port: 0, describe: describeFake, measure: device.measure, buildLut: device.measure as never });
    try {
      assert.notEqual(other.token, agent.token);
    } finally {
      await other.close();
    }
  });

  it('answers a ping with the device description and its limits', async () => {
    const client = await connect();
    const pong = await client.ping();
    assert.deepEqual(pong.device, FAKE_DEVICE);
    assert.equal(pong.result.protocol, PROTOCOL_VERSION);
    assert.equal(pong.result.maxMessageBytes, LIMIT);
    assert.equal(pong.result.queued, 0);
    assert.ok(pong.roundTripMs >= 0 && pong.roundTripMs < 1000, `round trip ${pong.roundTripMs} ms`);
  });

  it('measures through the injected device and returns its figures with the description', async () => {
    const client = await connect();
    const progress: string[] = [];
    const reply = await client.measure({ fileName: 'a.json', text: '{}', options: { budgetMs: 30 } }, { onProgress: (p) => progress.push(p.phase) });
    assert.equal(reply.result.model, 'a.json');
    assert.equal(reply.result.measurement.medianMs, 30);
    assert.equal(reply.device.hostname, 'fake-board');
    assert.deepEqual(progress, ['timed']);
  });

  it('rejects a wrong token, with a clear error, and keeps serving the right one', async () => {
    await assert.rejects(connect('not-the-token'), (e: Error) => e instanceof DeviceClientError && e.code === 'unauthorized' && /refused the token/.test(e.message));
    await assert.rejects(connect(''), (e: Error) => e instanceof DeviceClientError && e.code === 'unauthorized');
    await assert.rejects(connect(agent.token + 'x'), (e: Error) => e instanceof DeviceClientError && e.code === 'unauthorized');
    const r = await raw();
    r.send(request('wrong', 1, 'measure', { fileName: 'x.json', text: '{}' }));
    const reply = await r.next();
    assert.equal(reply.ok, false);
    assert.equal((reply.error as { code: string }).code, 'unauthorized');
    assert.equal(reply.device, undefined, 'nothing about the device for a caller without the token');
    assert.deepEqual(device.started, [], 'the job never ran');
    assert.ok((await (await connect()).ping()).result);
  });

  it('hangs up on a connection after repeated wrong tokens', async () => {
    const r = await raw();
    for (let i = 0; i < 5; i++) r.send(request('guess' + i, i, 'ping'));
    for (let i = 0; i < 5; i++) assert.equal(((await r.next()).error as { code: string }).code, 'unauthorized');
    await assert.rejects(r.next(), /closed with code 1008/);
  });

  it('answers garbage frames with errors and keeps serving the same connection', async () => {
    const r = await raw();
    // The agent authenticates first: a connection's leeway for garbage starts once its token was accepted.
    r.send(request(agent.token, 'hello', 'ping'));
    assert.equal((await r.next()).ok, true);
    const cases: [string | Buffer, boolean, string, RegExp][] = [
      ['this is not json', false, 'bad-json', /not JSON/],
      ['[1, 2, 3]', false, 'bad-request', /JSON object/],
      [JSON.stringify({ protocol: PROTOCOL_VERSION, token: agent.token, type: 'ping' }), false, 'bad-request', /"id"/],
      [request(agent.token, 'v', 'ping', { protocol: 99 }), false, 'unsupported-protocol', /protocol 99/],
      [request(agent.token, 'u', 'reboot'), false, 'bad-request', /unknown request type "reboot"/],
      [request(agent.token, 'm', 'measure', { fileName: 'x.json' }), false, 'bad-request', /"text"/],
      [request(agent.token, 's', 'measure', { fileName: 'x.json', text: '{}', siblings: { '../etc/passwd': '' } }), false, 'bad-request', /bare file name/],
      [request(agent.token, 'o', 'measure', { fileName: 'x.json', text: '{}', options: { batch: -1 } }), false, 'bad-request', /options\.batch/],
      [JSON.stringify({ protocol: PROTOCOL_VERSION, id: 't', type: 'ping' }), false, 'unauthorized', /token/],
      [Buffer.from([0, 1, 2, 255]), true, 'binary-frame', /binary frames/],
      ['x'.repeat(LIMIT + 10), false, 'too-large', new RegExp(`${LIMIT + 10} bytes exceeds .*limit of ${LIMIT}`)],
    ];
    for (const [frame, binary, code, message] of cases) {
      r.send(frame, binary);
      const reply = await r.next();
      assert.equal(reply.ok, false, String(frame).slice(0, 40));
      const error = reply.error as { code: string; message: string };
      assert.equal(error.code, code, `${String(frame).slice(0, 40)} → ${error.message}`);
      assert.match(error.message, message);
    }
    r.send(request(agent.token, 'after', 'ping'));
    const pong = await r.next();
    assert.equal(pong.ok, true);
    assert.equal(pong.id, 'after');
    assert.deepEqual(device.started, []);
  });

  it('cuts off a frame far over the limit (1009) and still accepts new connections', async () => {
    const r = await raw();
    r.send(request(agent.token, 'hello', 'ping'));
    assert.equal((await r.next()).ok, true);
    r.send('y'.repeat(3 * LIMIT));
    await assert.rejects(r.next(), /closed with code 1009/);
    const client = await connect();
    assert.equal((await client.ping()).result.protocol, PROTOCOL_VERSION);
  });

  it('refuses browser connections (an Origin header)', async () => {
    await assert.rejects(RawSocket.open(agent.url, { Origin: 'https://evil.example' }), /403/);
    await assert.rejects(
      (async () => {
        const r = await RawSocket.open(agent.url, { Origin: 'http://localhost' });
        raws.push(r);
      })(),
      /403/,
    );
  });

  it('queues concurrent requests from several clients, runs them one at a time and answers all in order', async () => {
    const a = await connect();
    const b = await connect();
    const finished: string[] = [];
    const jobs = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'].map((name) =>
      (name.startsWith('a') ? a : b).measure({ fileName: name, text: '{}', options: { budgetMs: 40 } }).then((r) => {
        finished.push(r.result.model);
        return r;
      }),
    );
    const busy = await a.ping();
    assert.ok(busy.result.queued >= 1, 'a ping skips the queue and sees it');
    const replies = await Promise.all(jobs);
    assert.equal(replies.length, 6);
    assert.equal(device.maxConcurrent(), 1, 'never two measurements at once');
    // Two sockets interleave as they arrive; each client's own requests keep their order.
    assert.deepEqual(device.started.filter((n) => n.startsWith('a')), ['a1', 'a2', 'a3']);
    assert.deepEqual(device.started.filter((n) => n.startsWith('b')), ['b1', 'b2', 'b3']);
    assert.deepEqual(finished, device.started, 'answered in the order they ran (first in, first out)');
  });

  it('times out a slow device on the client, cancels the job there, and serves the next request', async () => {
    const client = await connect();
    const started = performance.now();
    await assert.rejects(
      client.measure({ fileName: 'slow.json', text: '{}', options: { budgetMs: 5000 } }, { timeoutMs: 300 }),
      (e: Error) => e instanceof DeviceClientError && e.code === 'timeout' && /did not answer the measure request within 0\.3 s/.test(e.message),
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 1000, `timed out after ${elapsed.toFixed(0)} ms`);
    const next = await client.measure({ fileName: 'quick.json', text: '{}', options: { budgetMs: 10 } }, { timeoutMs: 2000 });
    assert.equal(next.result.model, 'quick.json');
    assert.deepEqual(device.aborted, ['slow.json'], 'the client’s cancel freed the device at once');
  });

  it('cancels what a client had queued when it disconnects', async () => {
    const leaving = await connect();
    const staying = await connect();
    const first = staying.measure({ fileName: 'first', text: '{}', options: { budgetMs: 200 } });
    const gone = [1, 2, 3].map((i) => leaving.measure({ fileName: `gone${i}`, text: '{}', options: { budgetMs: 200 } }).catch((e: Error) => e));
    await new Promise((r) => setTimeout(r, 50));
    leaving.close();
    for (const e of await Promise.all(gone)) assert.ok(e instanceof DeviceClientError && e.code === 'closed' && /during measure/.test(e.message));
    const last = await staying.measure({ fileName: 'last', text: '{}', options: { budgetMs: 10 } });
    assert.equal((await first).result.model, 'first');
    assert.equal(last.result.model, 'last');
    assert.deepEqual(device.started, ['first', 'last'], 'the disconnected client’s jobs never ran');
  });

  it('drops a client that stopped answering heartbeats and cancels its job', async () => {
    const slow = fakeDevice();
    const watched = await startAgent({ port: 0, heartbeatSeconds: 0.2, describe: describeFake, measure: slow.measure, buildLut: slow.measure as never });
    try {
      const r = await RawSocket.open(watched.url);
      raws.push(r);
      r.send(request(watched.token, 1, 'measure', { fileName: 'orphan', text: '{}', options: { budgetMs: 10_000 } }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(slow.started, ['orphan']);
      (r.socket as unknown as { _socket: import('node:net').Socket })._socket.pause(); // vanishes without a FIN
      const started = performance.now();
      while (!slow.aborted.length && performance.now() - started < 2000) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(slow.aborted, ['orphan'], 'the device was freed');
      assert.ok(performance.now() - started < 700);
    } finally {
      await watched.close();
    }
  });

  it('rejects pending requests at once when the agent shuts down mid-measurement', async () => {
    const client = await connect();
    let closeReason = '';
    client.onClose((reason) => (closeReason = reason));
    const pending = client.measure({ fileName: 'long', text: '{}', options: { budgetMs: 10_000 } });
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await agent.close();
    // Either the agent's own "cancelled" reply or the close wins the race; both end the request at once.
    await assert.rejects(pending, (e: Error) => e instanceof DeviceClientError && (/closed the connection during measure/.test(e.message) || e.code === 'cancelled'));
    assert.ok(performance.now() - started < 1000);
    assert.ok(!client.connected);
    assert.match(closeReason, /shutting down/);
    await assert.rejects(client.ping(), (e: Error) => e instanceof DeviceClientError && e.code === 'closed');
  });
});

describe('remote: client errors without an agent', function () {
  this.timeout(20_000);

  it('names the address when nothing listens there', async () => {
    const agent = await startAgent({ port: 0, describe: describeFake, measure: fakeDevice().measure, buildLut: fakeDevice().measure as never });
    const url = agent.url;
    await agent.close();
    await assert.rejects(DeviceClient.connect(url, 'x'), (e: Error) => e instanceof DeviceClientError && e.code === 'unreachable' && e.message.includes(url) && /connection refused/.test(e.message));
  });

  it('turns a silently dead link into a prompt error through its heartbeat', async () => {
    // An "agent" that answers the connect ping, then stops reading its socket: no close, no pongs,
    // as when the network between the two drops without a FIN.
    const { WebSocketServer } = await import('ws');
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    server.on('connection', (socket) => {
      socket.once('message', (data) => {
        const { id } = JSON.parse(data.toString()) as { id: string };
        socket.send(JSON.stringify({ protocol: PROTOCOL_VERSION, id, ok: true, result: { protocol: 1, queued: 0, maxMessageBytes: LIMIT }, device: FAKE_DEVICE }));
        (socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
      });
    });
    const port = (server.address() as { port: number }).port;
    const client = await DeviceClient.connect(`ws://127.0.0.1:${port}`, 't', { heartbeatMs: 200 });
    const started = performance.now();
    try {
      await assert.rejects(client.measure({ fileName: 'm.json', text: '{}' }), (e: Error) => e instanceof DeviceClientError && e.code === 'closed' && /during measure: connection lost/.test(e.message));
      const ms = performance.now() - started;
      assert.ok(ms < 700, `noticed after ${ms.toFixed(0)} ms (two heartbeats of 200 ms)`);
    } finally {
      client.close();
      for (const c of server.clients) c.terminate();
      server.close();
    }
  });

  it('rejects addresses that are not ws:// URLs', async () => {
    await assert.rejects(DeviceClient.connect('http://127.0.0.1:1', 'x'), /starts with ws:\/\//);
  });

  it('reports a port that answers but is not an agent', async () => {
    const http = await import('node:http');
    const server = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      await assert.rejects(DeviceClient.connect(`127.0.0.1:${port}`, 'x', { timeoutMs: 2000 }), (e: Error) => e instanceof DeviceClientError && /not a Greenprint agent \(HTTP 200/.test(e.message));
    } finally {
      server.close();
    }
  });

  it('times out on a port that accepts but never answers', async () => {
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const started = performance.now();
    try {
      await assert.rejects(DeviceClient.connect(`ws://127.0.0.1:${port}`, 'x', { timeoutMs: 400 }), (e: Error) => e instanceof DeviceClientError && e.code === 'timeout');
      assert.ok(performance.now() - started < 1500);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

describe('remote: token check', () => {
  it('accepts only the exact token, whatever the lengths', () => {
    const check = tokenChecker('s3cret-token');
    assert.equal(check('s3cret-token'), true);
    assert.equal(check('s3cret-tokeN'), false);
    assert.equal(check('s3cret'), false);
    assert.equal(check('s3cret-token-and-more'), false);
    assert.equal(check(''), false);
  });
});
