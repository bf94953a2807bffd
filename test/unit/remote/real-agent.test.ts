/**
 * `greenprint agent` as a real process (the compiled CLI): real TF.js measurements, `device ping` exit
 * codes, and an agent killed with SIGKILL in the middle of a measurement.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as net from 'node:net';
import * as path from 'node:path';
import { DeviceClient, DeviceClientError } from '../../../src/engine/remote/client';
import { fixturePath, samplePath } from '../fixtures';
import { validateLut } from '../../../src/engine/latency/lut';
import { CLI, spawnAgent, tinyKerasModel, type AgentProcess } from './helpers';

function greenprint(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('remote: greenprint agent process', function () {
  this.timeout(60_000);
  let agent: AgentProcess;
  const lutDir = mkdtempSync(path.join(os.tmpdir(), 'gp-agent-luts-'));

  before(async () => {
    agent = await spawnAgent(['--token', 'test-token-1-long-enough', '--lut-dir', lutDir]);
  });
  after(async () => agent?.stop());

  it('prints its loopback URL (not the given token), and describes the device', async () => {
    assert.match(agent.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(agent.token, 'test-token-1-long-enough');
    const client = await DeviceClient.connect(agent.url, agent.token);
    try {
      const pong = await client.ping();
      assert.ok(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'].includes(pong.device.backend));
      assert.ok(pong.device.cpu.cores >= 1 && pong.device.memoryBytes > 0);
      assert.match(pong.device.runtime, /tfjs/);
    } finally {
      client.close();
    }
  });

  it('`device ping` exits 0 with the description, 3 on a wrong token, 1 when nothing listens, 2 without a token', async () => {
    const ok = await greenprint(['device', 'ping', agent.url, '--token', agent.token]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /agent answered in [\d.]+ (µs|ms)/);
    assert.match(ok.stdout, / × \d+ · [\d.]+ GiB · /);

    const fromEnv = await greenprint(['device', 'ping', agent.url, '--json'], { GREENPRINT_AGENT_TOKEN: agent.token });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const json = JSON.parse(fromEnv.stdout);
    assert.equal(json.protocol, 1);
    assert.equal(typeof json.device.hostname, 'string');

    const wrong = await greenprint(['device', 'ping', agent.url, '--token', 'nope']);
    assert.equal(wrong.code, 3);
    assert.match(wrong.stderr, /refused the token/);

    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const nobody = await greenprint(['device', 'ping', `ws://127.0.0.1:${port}`, '--token', 'x']);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, new RegExp(`nothing is listening at ws://127\\.0\\.0\\.1:${port}`));

    const usage = await greenprint(['device', 'ping', agent.url], { GREENPRINT_AGENT_TOKEN: '' });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Missing --token/);
  });

  it('`device ping` times out on a port that never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const r = await greenprint(['device', 'ping', `ws://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, '--token', 'x', '--timeout', '0.5']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no answer from .* within 0\.5 s/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('measures a real model on the agent with TF.js', async () => {
    const client = await DeviceClient.connect(agent.url, agent.token);
    try {
      const file = fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json');
      const phases = new Set<string>();
      const reply = await client.measure(
        { fileName: path.basename(file), text: readFileSync(file, 'utf8'), options: { inputSize: [32, 32], warmupRuns: 1, runs: 5 } },
        { onProgress: (p) => phases.add(p.phase) },
      );
      const m = reply.result.measurement;
      assert.match(reply.result.model, /mobilenet/);
      assert.match(reply.result.input, /32×32/);
      assert.ok(m.medianMs > 0 && m.minMs <= m.medianMs);
      assert.equal(m.runs + m.discarded, 5);
      assert.equal(m.backend, reply.device.backend, 'measured on the backend the agent describes');
      assert.ok(phases.has('timed'));
    } finally {
      client.close();
    }
  });

  it('builds a latency table on the agent and returns it; a second request reuses the agent’s table', async () => {
    const client = await DeviceClient.connect(agent.url, agent.token);
    try {
      const job = { fileName: 'tiny.json', text: tinyKerasModel(), options: { rounds: 1, deviceId: 'remote:test-board', deviceName: 'Test board' } };
      const progress: string[] = [];
      const first = await client.buildLut(job, { onProgress: (p) => progress.push(p.phase) });
      const lut = validateLut(first.result.lut, 'reply');
      assert.deepEqual(lut.device, { id: 'remote:test-board', name: 'Test board' });
      assert.equal(lut.backend, first.device.backend);
      assert.equal(lut.estimator, 'min');
      assert.equal(lut.calibration?.models, 1, 'overhead fitted on the whole model');
      assert.equal(first.result.entries, Object.keys(lut.entries).length);
      assert.equal(first.result.measured, first.result.entries);
      assert.ok(first.result.entries >= 3, `${first.result.entries} layer types`);
      assert.ok(progress.includes('blocks'));
      const second = await client.buildLut(job);
      assert.equal(second.result.measured, 0, 'every entry came from the agent’s table');
      assert.deepEqual(Object.keys(second.result.lut.entries).sort(), Object.keys(lut.entries).sort());
      assert.ok(existsSync(lutDir));
    } finally {
      client.close();
    }
  });

  it('builds the table on ONNX Runtime when asked (runtime "onnx"): recorded and filed by ONNX Runtime, apart from the TF.js table', async () => {
    const client = await DeviceClient.connect(agent.url, agent.token);
    try {
      const job = { fileName: 'tiny.json', text: tinyKerasModel(), options: { rounds: 1, deviceId: 'remote:test-board', deviceName: 'Test board', runtime: 'onnx' as const } };
      const reply = await client.buildLut(job);
      const lut = validateLut(reply.result.lut, 'reply');
      assert.match(lut.backend, /^ort-/);
      assert.match(lut.runtime, /^onnxruntime-(node|web) /);
      assert.equal(reply.result.measured, reply.result.entries, 'measured now, not taken from the TF.js table');
      assert.ok(readdirSync(lutDir).some((f) => f.includes('__ort-')), readdirSync(lutDir).join(', '));
      await assert.rejects(client.buildLut({ ...job, options: { ...job.options, runtime: 'tflite' as never } }), /runtime must be "tfjs" or "onnx"/);
    } finally {
      client.close();
    }
  });

  it('reports a model it cannot read as a failed request naming the file', async () => {
    const client = await DeviceClient.connect(agent.url, agent.token);
    try {
      await assert.rejects(
        client.measure({ fileName: 'broken.json', text: '{"modelTopology": ' }),
        (e: Error) => e instanceof DeviceClientError && e.code === 'failed' && /measure failed on the device: broken\.json:\d+:\d+: /.test(e.message),
      );
      assert.ok((await client.ping()).result, 'still serving');
    } finally {
      client.close();
    }
  });
});

describe('remote: agent killed mid-measurement', function () {
  this.timeout(60_000);

  it('rejects the pending request within a second, and the agent’s worker does not linger', async () => {
    const agent = await spawnAgent(['--token', 'kill-me-kill-me-now']);
    const client = await DeviceClient.connect(agent.url, agent.token);
    try {
      const file = samplePath('ofa', 'note10_lat-30ms', 'net.config');
      let measuring!: () => void;
      const busy = new Promise<void>((r) => (measuring = r));
      const pending = client.measure(
        { fileName: 'net.config', text: readFileSync(file, 'utf8'), options: { inputSize: [224, 224], warmupRuns: 3, runs: 50 } },
        { onProgress: (p) => p.phase === 'warmup' && measuring() },
      );
      pending.catch(() => undefined);
      await busy;
      const workers = childPids(agent.child.pid!);
      assert.ok(workers.length >= 1, 'the agent measures in a worker child');
      const killedAt = performance.now();
      agent.child.kill('SIGKILL');
      const error = await pending.then(
        () => assert.fail('the measurement cannot succeed'),
        (e: Error) => e,
      );
      const detectMs = performance.now() - killedAt;
      assert.ok(error instanceof DeviceClientError && error.code === 'closed', String(error));
      assert.match(error.message, new RegExp(`agent at ${agent.url.replace(/\./g, '\\.')} closed the connection during measure`));
      assert.ok(detectMs < 1000, `detected after ${detectMs.toFixed(0)} ms`);
      assert.equal(client.connected, false);
      await assert.rejects(client.ping(), (e: Error) => e instanceof DeviceClientError && e.code === 'closed');
      // The orphaned worker notices its parent is gone (IPC disconnect) and exits after the current call.
      const deadline = Date.now() + 10_000;
      while (workers.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(workers.filter(alive), [], 'worker processes exited');
      console.log(`      killed agent detected after ${detectMs.toFixed(1)} ms`);
    } finally {
      client.close();
      await agent.stop();
    }
  });
});
