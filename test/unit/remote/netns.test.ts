/**
 * The agent and its client in two network namespaces joined by a veth pair: a real network hop with its
 * own addresses, where the agent's loopback is not the client's. Needs root and a kernel that allows
 * `ip netns add`; elsewhere the tests skip and say why.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fixturePath } from '../fixtures';
import { CLI, spawnAgent, type AgentProcess } from './helpers';

const suffix = String(process.pid % 100_000);
const NS_AGENT = `gp-agent-${suffix}`;
const NS_CLIENT = `gp-client-${suffix}`;
const VETH_AGENT = `gpa${suffix}`;
const VETH_CLIENT = `gpc${suffix}`;
const SUBNET = `10.231.${process.pid % 250}`;
const AGENT_IP = `${SUBNET}.1`;
const CLIENT_IP = `${SUBNET}.2`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why namespaces cannot be used here, or undefined when they were created. */
function setUpNamespaces(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces are Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  try {
    ip('netns', 'add', NS_AGENT);
  } catch (e) {
    return `\`ip netns add\` failed: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}`;
  }
  try {
    ip('netns', 'add', NS_CLIENT);
    ip('link', 'add', VETH_AGENT, 'type', 'veth', 'peer', 'name', VETH_CLIENT);
    ip('link', 'set', VETH_AGENT, 'netns', NS_AGENT);
    ip('link', 'set', VETH_CLIENT, 'netns', NS_CLIENT);
    for (const [ns, dev, addr] of [[NS_AGENT, VETH_AGENT, AGENT_IP], [NS_CLIENT, VETH_CLIENT, CLIENT_IP]]) {
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    return undefined;
  } catch (e) {
    tearDown();
    return `setting up the veth pair failed: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}`;
  }
}

function tearDown(): void {
  for (const ns of [NS_AGENT, NS_CLIENT]) {
    try {
      ip('netns', 'del', ns); // takes its end of the veth pair, and so the pair, with it
    } catch {
      // not created
    }
  }
}

function inClientNamespace(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', NS_CLIENT, process.execPath, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('remote: agent and client in two network namespaces', function () {
  this.timeout(60_000);
  let agent: AgentProcess | undefined;
  let skipReason: string | undefined;

  before(async function () {
    skipReason = setUpNamespaces();
    if (skipReason) {
      console.log(`      skipped: ${skipReason}`);
      this.skip();
    }
    agent = await spawnAgent(['--host', AGENT_IP, '--token', 'netns-token-long-enough', '--quiet'], ['ip', 'netns', 'exec', NS_AGENT, process.execPath, CLI]);
  });

  after(async () => {
    await agent?.stop();
    if (!skipReason) tearDown();
  });

  it('serves the address it was bound to in its namespace', () => {
    assert.match(agent!.url, new RegExp(`^ws://${AGENT_IP.replace(/\./g, '\\.')}:\\d+$`));
  });

  it('answers `device ping` from the other namespace over the veth pair', async () => {
    const r = await inClientNamespace(['device', 'ping', agent!.url, '--token', 'netns-token-long-enough', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const pong = JSON.parse(r.stdout);
    assert.equal(pong.protocol, 1);
    assert.ok(pong.roundTripMs > 0);
    console.log(`      ping across namespaces: ${pong.roundTripMs.toFixed(2)} ms round trip`);
  });

  it('refuses a wrong token across namespaces, and is not on the client namespace’s loopback', async () => {
    const wrong = await inClientNamespace(['device', 'ping', agent!.url, '--token', 'guess']);
    assert.equal(wrong.code, 3);
    assert.match(wrong.stderr, /refused the token/);
    const port = agent!.url.split(':').pop();
    const loopback = await inClientNamespace(['device', 'ping', `ws://127.0.0.1:${port}`, '--token', 'netns-token-long-enough', '--timeout', '2']);
    assert.equal(loopback.code, 1);
    assert.match(loopback.stderr, /nothing is listening/);
  });

  it('measures a model sent from the other namespace', async () => {
    const file = fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json');
    assert.ok(readFileSync(file).length > 0);
    const r = await inClientNamespace(['device', 'measure', agent!.url, file, '--token', 'netns-token-long-enough', '--input', '32', '--runs', '5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.measurement.medianMs > 0);
    assert.equal(out.measurement.runs + out.measurement.discarded, 5);
  });
});
