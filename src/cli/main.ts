/**
 * `greenprint` command line: the same engine as the editor, for terminals and CI. This file is the entry
 * the bundle builds (esbuild.config.mjs → dist/cli.js): it routes a command to src/cli/commands/, prints
 * help (help.ts: `greenprint --help`, `greenprint <command> --help`), and turns errors into exit codes.
 *   greenprint report FILE [--json] [--input R|HxW] [--seq-len N] [--batch N] [--scale s] [--device D] …
 *   greenprint latency FILE [--device D] [--input R] [--json] [--no-measure]
 *   greenprint lut build SPACE|MODEL --device local-cpu [--resolution R]
 *   greenprint search SUPERNET --max-flops N [--multi] [--json]   then   greenprint extract SUPERNET --arch RESULT.json [--pick N]
 *   greenprint calibrate | devices | regions | weights convert | predictor train | agent | device
 */
import { parseArgs, UsageError } from './args';
import { runAgentCommand, runDeviceCommand } from './agent';
import { devices, regions } from './commands/catalogue';
import { extract } from './commands/extract';
import { calibrate, lutBuild } from './commands/lut';
import { latency, report } from './commands/report';
import { search } from './commands/search';
import { convertWeightsCommand, predictorTrain } from './commands/weights-predictor';
import { commandHelp, OVERVIEW } from './help';

export { parseInputSize } from './args';

const wantsHelp = (args: readonly string[]) => args.includes('-h') || args.includes('--help');

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `greenprint`, `greenprint --help`, `greenprint help [COMMAND]`, `greenprint COMMAND --help`.
  if (command === undefined || command === '-h' || command === '--help' || (command === 'help' && rest.length === 0)) {
    process.stdout.write(OVERVIEW + '\n');
    return 0;
  }
  const helpFor = command === 'help' ? rest[0] : wantsHelp(rest) ? command : undefined;
  const help = helpFor !== undefined ? commandHelp(helpFor) : undefined;
  if (help !== undefined) {
    process.stdout.write(help + '\n');
    return 0;
  }
  try {
    switch (command) {
      case 'report':
        return await report(parseArgs(rest));
      case 'latency':
        return await latency(parseArgs(rest));
      case 'lut':
        if (rest[0] !== 'build') throw new UsageError('Try: greenprint lut build FILE --device local-cpu');
        return await lutBuild(parseArgs(rest.slice(1)));
      case 'calibrate':
        return await calibrate(parseArgs(rest));
      case 'search':
        return await search(parseArgs(rest));
      case 'extract':
        return await extract(parseArgs(rest));
      case 'weights':
        return convertWeightsCommand(rest);
      case 'predictor':
        if (rest[0] !== 'train') throw new UsageError('Try: greenprint predictor train DATA --supernet S.supernet.json --out DIR');
        return await predictorTrain(rest.slice(1));
      case 'devices':
        return devices(parseArgs(rest));
      case 'agent':
        return await runAgentCommand(rest);
      case 'device':
        return await runDeviceCommand(rest);
      case 'regions':
        return regions(parseArgs(rest));
      default:
        throw new UsageError(`Unknown command "${helpFor ?? command}". Try: greenprint --help`);
    }
  } catch (e) {
    const code = e instanceof UsageError ? 2 : 1;
    const message = boundedMessage(e);
    // --json promises JSON on stdout whatever happens; the message goes to stderr as well for people.
    if (rest.includes('--json')) process.stdout.write(JSON.stringify({ error: { message, exitCode: code } }, null, 2) + '\n');
    process.stderr.write(`greenprint: ${message}\n`);
    return code;
  }
}

/** An error's message, cut to a readable length: messages may quote input, and input may be hostile. */
function boundedMessage(e: unknown): string {
  const text = String((e as Error)?.message ?? e);
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length - 2000} more characters)` : text;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
