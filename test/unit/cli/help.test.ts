/**
 * `greenprint <command> --help` / `-h` / `greenprint help <command>`: that command's usage, exit 0 (it used to
 * answer "Unknown option"); `greenprint --help` lists every command. The help pages and the parsers are
 * checked against each other: every option a page lists is one its parser knows, and every option the shared
 * parser knows is on some page.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMPILED_CLI, REPO_ROOT } from '../fixtures';
import { parseArgs } from '../../../src/cli/args';
import { commandHelp, COMMANDS_WITH_HELP, OVERVIEW } from '../../../src/cli/help';
import { main } from '../../../src/cli/main';
import { parsePredictorTrainArgs } from '../../../src/cli/predictor';
import { parseWeightsConvertArgs } from '../../../src/cli/weights';

function greenprint(...args: string[]) {
  const r = spawnSync(process.execPath, [COMPILED_CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** main() run here with its stdout captured: for help, which starts nothing. */
async function inProcess(...argv: string[]): Promise<{ code: number; stdout: string }> {
  const write = process.stdout.write;
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await main(argv), stdout };
  } finally {
    process.stdout.write = write;
  }
}

/** How each command is typed (subcommands included) and the parser its options go to. */
const COMMANDS: Record<string, { typed: string[]; parse?: (argv: string[]) => unknown }> = {
  report: { typed: ['report'], parse: parseArgs },
  latency: { typed: ['latency'], parse: parseArgs },
  lut: { typed: ['lut', 'build'], parse: parseArgs },
  calibrate: { typed: ['calibrate'], parse: parseArgs },
  search: { typed: ['search'], parse: parseArgs },
  extract: { typed: ['extract'], parse: parseArgs },
  weights: { typed: ['weights', 'convert'], parse: parseWeightsConvertArgs },
  predictor: { typed: ['predictor', 'train'], parse: parsePredictorTrainArgs },
  devices: { typed: ['devices'], parse: parseArgs },
  regions: { typed: ['regions'], parse: parseArgs },
  agent: { typed: ['agent'] },
  device: { typed: ['device'] },
};

/** The --options a help page names. */
const optionsOn = (page: string) => [...new Set(page.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])];

describe('greenprint --help', function () {
  this.timeout(60_000);

  it('lists every command, exit 0', async () => {
    const r = greenprint('--help');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, OVERVIEW + '\n');
    assert.deepEqual(Object.keys(COMMANDS).sort(), [...COMMANDS_WITH_HELP].sort(), 'every command has a page');
    for (const command of Object.keys(COMMANDS)) assert.match(OVERVIEW, new RegExp(`^  ${command} `, 'm'), command);
    assert.deepEqual(await inProcess('help'), { code: 0, stdout: r.stdout });
    assert.deepEqual(await inProcess(), { code: 0, stdout: r.stdout });
  });

  for (const [command, { typed }] of Object.entries(COMMANDS)) {
    it(`greenprint ${typed.join(' ')} --help (and -h, greenprint help ${command}) prints its usage, exit 0`, async () => {
      const r = greenprint(...typed, '--help');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^Usage:/);
      assert.ok(r.stdout.includes(`greenprint ${typed.join(' ')}`), r.stdout);
      // The other spellings in-process (same main(), no process start each).
      assert.deepEqual(await inProcess(...typed, '-h'), { code: 0, stdout: r.stdout });
      assert.deepEqual(await inProcess(typed[0], '--help'), { code: 0, stdout: r.stdout }, 'the command alone, without its subcommand');
      assert.deepEqual(await inProcess('help', command), { code: 0, stdout: r.stdout });
    });
  }

  it('answers an unknown command as such, also with --help', () => {
    for (const args of [['frobnicate', '--help'], ['help', 'frobnicate']]) {
      const r = greenprint(...args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Unknown command "frobnicate"\. Try: greenprint --help/);
    }
  });

  it("lists only options the command's parser knows", () => {
    for (const [command, { parse }] of Object.entries(COMMANDS)) {
      if (!parse) continue;
      for (const option of optionsOn(commandHelp(command)!)) {
        if (option === '--help') continue;
        // A value after the option: numeric and choice options may reject it, but never as unknown.
        for (const argv of [[option, '1'], [option]]) {
          try {
            parse(argv);
          } catch (e) {
            assert.doesNotMatch((e as Error).message, /unknown option/i, `${command} --help lists ${option}`);
          }
        }
      }
    }
  });

  it('documents every option the shared parser knows on some page', () => {
    const source = readFileSync(path.join(REPO_ROOT, 'src', 'cli', 'args.ts'), 'utf8');
    const known = [...source.matchAll(/case '(--[a-z0-9-]+)'/g)].map((m) => m[1]);
    assert.ok(known.length > 20, `parsed the switch of args.ts (${known.length} options)`);
    const documented = new Set(COMMANDS_WITH_HELP.flatMap((c) => optionsOn(commandHelp(c)!)));
    assert.deepEqual(known.filter((o) => !documented.has(o)), []);
  });
});
