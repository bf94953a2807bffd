/**
 * `greenprint agent` (serve this machine as a measurement device) and `greenprint device …` (talk to
 * one). Both parse their own flags: they share none with the model commands in main.ts.
 *
 * The token can come from GREENPRINT_AGENT_TOKEN instead of --token, so it need not appear in the
 * process list of a shared machine. A weak one (`--token a`) is a usage error saying why; without one the
 * agent makes a random token and prints it once, alone on its own line, so it is easy to copy and is not
 * repeated inside other text (the suggested check command names it only as a placeholder). A token the
 * operator gave is not printed at all: they have it already.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatMs } from '../engine/units';
import { agentUrl, AgentStartError, DEFAULT_AGENT_PORT, startAgent, tokenWeakness } from '../engine/remote/agent';
import { DeviceClient, DeviceClientError } from '../engine/remote/client';
import { formatAgentDevice } from '../engine/remote/protocol';

export const AGENT_USAGE = `Usage:
  greenprint agent [--host 127.0.0.1] [--port ${DEFAULT_AGENT_PORT} (0: any free port)] [--token T] [--max-message-mb 16] [--lut-dir DIR] [--quiet]
      serve this machine as a measurement device until Ctrl-C; prints its URL, and its token when it made one
      (a given token needs at least 16 printable characters, 8 of them different)
  greenprint device ping URL --token T [--timeout S] [--json]
      exit 0 when the agent answers and accepts the token; 3 when it refuses the token (or is in its
      wrong-token backoff), 1 when it cannot be reached
  greenprint device measure URL FILE --token T [--input R|HxW] [--batch N] [--runs N] [--timeout S] [--json]
      time a model on the agent's device
The token may also come from the environment variable GREENPRINT_AGENT_TOKEN.`;

export const TOKEN_ENV = 'GREENPRINT_AGENT_TOKEN';

class AgentUsageError extends Error {}

interface Flags {
  readonly positional: string[];
  readonly values: Map<string, string>;
  readonly switches: Set<string>;
}

function parseFlags(argv: readonly string[], valued: readonly string[], switches: readonly string[]): Flags {
  const flags: Flags = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (valued.includes(arg)) {
      const v = argv[++i];
      if (v === undefined || v === '') throw new AgentUsageError(`${arg} needs a value.`);
      flags.values.set(arg, v);
    } else if (switches.includes(arg)) {
      flags.switches.add(arg);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new AgentUsageError(`Unknown option "${arg}".\n${AGENT_USAGE}`);
    } else {
      flags.positional.push(arg);
    }
  }
  return flags;
}

function wholeNumber(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new AgentUsageError(`${flag} needs a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}

function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new AgentUsageError(`${flag} needs a positive number of seconds, got "${value}".`);
  return n * 1000;
}

function tokenOf(flags: Flags): string | undefined {
  return flags.values.get('--token') ?? (process.env[TOKEN_ENV] || undefined);
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** Addresses other machines can use when the agent binds every interface. */
function externalUrls(port: number): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && !a.internal && a.family === 'IPv4')
    .map((a) => agentUrl(a.address, port));
}

function help(): number {
  process.stdout.write(AGENT_USAGE + '\n');
  return 0;
}

/** Runs the agent until SIGINT/SIGTERM. */
export async function runAgentCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) return help();
  try {
    const flags = parseFlags(argv, ['--host', '--port', '--token', '--max-message-mb', '--lut-dir'], ['--quiet']);
    if (flags.positional.length) throw new AgentUsageError(`agent takes no arguments, got ${flags.positional.join(' ')}.\n${AGENT_USAGE}`);
    const host = flags.values.get('--host') ?? '127.0.0.1';
    const port = wholeNumber('--port', flags.values.get('--port'), 0, 65535) ?? DEFAULT_AGENT_PORT;
    const maxMb = wholeNumber('--max-message-mb', flags.values.get('--max-message-mb'), 1, 1024);
    const quiet = flags.switches.has('--quiet');
    const givenToken = tokenOf(flags);
    const weakness = givenToken === undefined ? undefined : tokenWeakness(givenToken);
    if (weakness) throw new AgentUsageError(`weak token refused (${flags.values.has('--token') ? '--token' : TOKEN_ENV}): ${weakness}.`);
    const log = quiet ? undefined : (line: string) => process.stderr.write(`[${new Date().toISOString()}] ${line}\n`);
    const agent = await startAgent({
      host,
      port,
      token: givenToken,
      maxMessageBytes: maxMb ? maxMb * 1024 * 1024 : undefined,
      lutDirectory: flags.values.has('--lut-dir') ? path.resolve(flags.values.get('--lut-dir')!) : undefined,
      log,
    });
    const lines = [`Greenprint agent listening on ${agent.url}`, `device: ${formatAgentDevice(agent.device)}`];
    let checkUrl = agent.url;
    if (WILDCARD_HOSTS.has(host)) {
      const urls = externalUrls(agent.port);
      if (urls.length) lines.push(`reachable at: ${urls.join(', ')}`);
      checkUrl = urls[0] ?? agent.url;
    }
    if (agent.tokenGenerated) {
      // Alone on its line: copied whole, and not repeated in the command below (logs, screenshots).
      lines.push(`token (generated; shown only this once — clients pass it with --token or ${TOKEN_ENV}):`, agent.token);
    } else {
      lines.push(`token: the one given with ${flags.values.has('--token') ? '--token' : TOKEN_ENV} (not repeated here)`);
    }
    lines.push(`Check it from the client: greenprint device ping ${checkUrl} --token <token>`);
    process.stdout.write(lines.join('\n') + '\n');
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
      process.stderr.write(
        'greenprint: the agent is reachable from the network: anyone with the token can run models on this machine, and the traffic is not encrypted (an SSH tunnel to a loopback agent avoids both).\n',
      );
    }
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        log?.(`${signal}: shutting down`);
        void agent.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  } catch (e) {
    if (e instanceof AgentUsageError) {
      process.stderr.write(`greenprint: ${e.message}\n`);
      return 2;
    }
    if (e instanceof AgentStartError) {
      process.stderr.write(`greenprint: agent: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function parseInput(value: string | undefined): [number, number] | undefined {
  if (value === undefined) return undefined;
  const m = value.match(/^(\d+)(?:[x×](\d+))?$/);
  if (!m || Number(m[1]) <= 0 || (m[2] !== undefined && Number(m[2]) <= 0)) throw new AgentUsageError(`--input needs R or HxW (e.g. 224 or 480x640), got "${value}".`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

async function withClient<T>(url: string | undefined, flags: Flags, work: (client: DeviceClient) => Promise<T>): Promise<T> {
  if (!url) throw new AgentUsageError(`Missing the agent URL (e.g. ws://192.168.1.20:${DEFAULT_AGENT_PORT}).\n${AGENT_USAGE}`);
  const token = tokenOf(flags);
  if (!token) throw new AgentUsageError(`Missing --token (the agent prints it when it starts; or set ${TOKEN_ENV}).`);
  const timeoutMs = seconds('--timeout', flags.values.get('--timeout'));
  const client = await DeviceClient.connect(url, token, { timeoutMs: timeoutMs ?? 10_000 });
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

async function ping(flags: Flags): Promise<number> {
  const [url, ...extra] = flags.positional;
  if (extra.length) throw new AgentUsageError(`device ping takes one URL, got ${flags.positional.join(' ')}.`);
  const timeoutMs = seconds('--timeout', flags.values.get('--timeout'));
  const pong = await withClient(url, flags, (client) => client.ping({ timeoutMs }));
  if (flags.switches.has('--json')) {
    process.stdout.write(JSON.stringify({ url: url!, roundTripMs: pong.roundTripMs, ...pong.result, device: pong.device }, null, 2) + '\n');
  } else {
    process.stdout.write(
      `${url}: agent answered in ${formatMs(pong.roundTripMs)} (protocol ${pong.result.protocol}, ${pong.result.queued} job(s) in line)\n${formatAgentDevice(pong.device)}\n` +
        pong.device.notes.map((n) => `  note: ${n}\n`).join(''),
    );
  }
  return 0;
}

async function measure(flags: Flags): Promise<number> {
  const [url, file, ...extra] = flags.positional;
  if (!file || extra.length) throw new AgentUsageError(`device measure takes URL and FILE.\n${AGENT_USAGE}`);
  const full = path.resolve(file);
  if (!existsSync(full) || !statSync(full).isFile()) throw new AgentUsageError(`${file}: no such file.`);
  const runConfig = path.join(path.dirname(full), 'run.config');
  const siblings = existsSync(runConfig) ? { 'run.config': readFileSync(runConfig, 'utf8') } : undefined;
  const options = {
    inputSize: parseInput(flags.values.get('--input')),
    batch: wholeNumber('--batch', flags.values.get('--batch'), 1),
    runs: wholeNumber('--runs', flags.values.get('--runs'), 1),
  };
  const timeoutMs = seconds('--timeout', flags.values.get('--timeout'));
  const reply = await withClient(url, flags, (client) =>
    client.measure(
      { fileName: path.basename(full), text: readFileSync(full, 'utf8'), siblings, options },
      {
        timeoutMs,
        onProgress: (p) => process.stderr.isTTY && process.stderr.write(`\r${p.phase} ${p.done}/${p.total}   `),
      },
    ),
  );
  if (process.stderr.isTTY) process.stderr.write('\n');
  const { result, device } = reply;
  const m = result.measurement;
  if (flags.switches.has('--json')) {
    process.stdout.write(JSON.stringify({ file, ...result, device, roundTripMs: reply.roundTripMs }, null, 2) + '\n');
  } else {
    process.stdout.write(
      `${result.model} (${result.input}, batch ${result.batch}) on ${device.hostname}\n` +
        `  measured  ${formatMs(m.medianMs)} median, fastest ${formatMs(m.minMs)}, p10 ${formatMs(m.p10Ms)}, p90 ${formatMs(m.p90Ms)} ` +
        `(${m.runs} runs, ${m.discarded} outliers dropped; ${m.backend}, ${m.threads} thread(s), ${m.runtime})\n` +
        `  device    ${formatAgentDevice(device)}\n`,
    );
  }
  return 0;
}

/** `greenprint device ping|measure …`. */
export async function runDeviceCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) return help();
  const [sub, ...rest] = argv;
  try {
    const flags = parseFlags(rest, ['--token', '--timeout', '--input', '--batch', '--runs'], ['--json']);
    switch (sub) {
      case 'ping':
        return await ping(flags);
      case 'measure':
        return await measure(flags);
      default:
        throw new AgentUsageError(`${sub ? `Unknown device command "${sub}"` : 'Missing a device command'}.\n${AGENT_USAGE}`);
    }
  } catch (e) {
    if (e instanceof AgentUsageError) {
      process.stderr.write(`greenprint: ${e.message}\n`);
      return 2;
    }
    if (e instanceof DeviceClientError) {
      process.stderr.write(`greenprint: device ${sub}: ${e.message}\n`);
      return e.code === 'unauthorized' || e.code === 'locked-out' ? 3 : 1;
    }
    throw e;
  }
}
