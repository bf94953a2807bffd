/**
 * `greenprint weights convert IN OUT` (weights.ts) and `greenprint predictor train DATA` (predictor.ts) as
 * commands: their own argument parsers, their setup errors as usage errors, Ctrl-C as a clean cancel.
 */
import { UsageError, progressBar } from '../args';
import { formatPredictorOutcome, parsePredictorTrainArgs, PredictorSetupError, runPredictorTrain } from '../predictor';
import { convertWeights, parseWeightsConvertArgs, WeightsCommandError } from '../weights';

export function convertWeightsCommand(argv: readonly string[]): number {
  try {
    if (argv[0] !== 'convert') throw new WeightsCommandError('Try: greenprint weights convert IN.safetensors OUT.json [--supernet S.supernet.json] [--force]');
    const outcome = convertWeights(parseWeightsConvertArgs(argv.slice(1)));
    process.stdout.write(`${outcome.files.join('\n')}\n${outcome.tensors} tensors, ${outcome.values.toLocaleString('en-US')} values.\n`);
    return 0;
  } catch (e) {
    if (e instanceof WeightsCommandError) throw new UsageError(e.message);
    throw e;
  }
}

export async function predictorTrain(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = progressBar('training');
  try {
    const args = parsePredictorTrainArgs(argv);
    const outcome = await runPredictorTrain({
      ...args,
      signal: controller.signal,
      onEpoch: (p) => bar(p.epoch, p.epochs, p.heldOutRmse !== undefined ? `held-out RMSE ${(100 * p.heldOutRmse).toFixed(2)} pp` : ''),
    });
    process.stdout.write(args.json ? JSON.stringify(outcome, null, 2) + '\n' : formatPredictorOutcome(outcome) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof PredictorSetupError) throw new UsageError(e.message);
    if ((e as Error).name === 'AbortError') {
      process.stderr.write('\ntraining cancelled; nothing was written\n');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
