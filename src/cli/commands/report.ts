/**
 * `greenprint report FILE` (params, MACs, FLOPs, memory per layer and in total; latency and CO2e with
 * --device) and `greenprint latency FILE` (predicted on --device, measured too when the device is this machine).
 */
import * as path from 'node:path';
import { figureMark, formatMs, measureOnnxLatency, renderReport, unverifiedText } from '../../engine';
import { MeasurementWorker } from '../../engine/runtime/client';
import { oneFile, type Args } from '../args';
import { analyzeFile, failedAnalysis, hasErrors } from './analyze-file';

export async function report(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint report path/to/model.json');
  const { report: r } = await analyzeFile(file, args.files[0], args, args.device);
  if (args.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stdout.write(renderReport(r) + '\n');
  if (hasErrors(r) && !args.json) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    // No errors and still no totals: the reader declined to count (an unknown mixture-of-experts family); its warning says why.
    process.stderr.write(`greenprint: ${args.files[0]}: ${errors ? `${errors} error(s)` : 'no figures (the warning above says why)'}.\n`);
  }
  if (args.device && !r.latency && !hasErrors(r)) process.stderr.write(`greenprint: ${(r.efficiencyProblems ?? []).join(' ')}\n`);
  return hasErrors(r) ? 1 : 0;
}


function comparable(m: { minMs: number; medianMs: number }, estimator: 'median' | 'min' | undefined): number {
  return estimator === 'min' ? m.minMs : m.medianMs;
}

export async function latency(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint latency path/to/model.json --device local-cpu');
  const device = args.device ?? 'local-cpu';
  const { report: r, ir } = await analyzeFile(file, args.files[0], args, device, true);
  if (hasErrors(r) || !ir) return failedAnalysis(r, args);
  const canMeasure = device === 'local-cpu' || device === 'local-gpu';
  let measured: Awaited<ReturnType<MeasurementWorker['measure']>> | undefined;
  let measureError: string | undefined;
  if (canMeasure && args.measure && ir.format === 'onnx') {
    // An ONNX file runs as it is in ONNX Runtime (from its path, so external data beside it is found).
    try {
      measured = await measureOnnxLatency(path.resolve(file), { inputDims: ir.runInputs ?? {}, runs: args.runs });
    } catch (e) {
      measureError = (e as Error).message;
    }
  } else if (canMeasure && args.measure) {
    const worker = new MeasurementWorker();
    try {
      measured = await worker.measure(ir, { batch: r.batch, runs: args.runs, backend: device === 'local-gpu' ? 'tensorflow-gpu' : undefined });
    } catch (e) {
      measureError = (e as Error).message;
    } finally {
      worker.dispose();
    }
  }
  const out = {
    file: args.files[0],
    model: r.model,
    input: r.input,
    batch: r.batch,
    device: r.latency?.device.id ?? device,
    deviceName: r.latency?.device.name,
    method: r.latency?.method,
    backend: measured?.backend ?? r.latency?.backend,
    predictedMs: r.latency?.totalMs,
    measuredMs: measured?.medianMs,
    measured,
    /** A table of fastest runs is compared with the fastest measured run, a median table with the median. */
    comparedWith: r.latency?.estimator === 'min' ? 'min' : 'median',
    errorPct: measured && r.latency ? (100 * (r.latency.totalMs - comparable(measured, r.latency.estimator))) / comparable(measured, r.latency.estimator) : undefined,
    transformer: r.latency?.transformer,
    carbon: r.carbon,
    problems: [...(r.efficiencyProblems ?? []), ...(measureError ? [`measurement failed: ${measureError}`] : [])],
    /** Set when the model's family has no recipe: the prediction rests on guessed counts. */
    unverified: r.unverified,
  };
  if (args.json) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const lines = [`${r.model} (${r.input}, batch ${r.batch}) on ${out.deviceName ?? device}`];
    if (out.predictedMs !== undefined) lines.push(`  predicted ${figureMark(r)}${formatMs(out.predictedMs)} (${r.latency!.source})`);
    const unverified = unverifiedText(r);
    if (unverified) lines.push(`  ${unverified}`);
    if (out.transformer) lines.push(`  decode ${formatMs(out.transformer.decodeMsPerToken)}/token`);
    if (measured) {
      lines.push(
        `  measured  ${formatMs(measured.medianMs)} median, fastest ${formatMs(measured.minMs)}, p10 ${formatMs(measured.p10Ms)}, p90 ${formatMs(measured.p90Ms)} ` +
          `(${measured.runs} runs, ${measured.discarded} outliers dropped; ${measured.backend}, ${measured.threads} thread(s), ${measured.runtime})`,
      );
    }
    if (out.errorPct !== undefined) lines.push(`  prediction error ${out.errorPct.toFixed(1)} % (against the ${out.comparedWith} run)`);
    for (const p of out.problems) lines.push(`  note: ${p}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  if (measureError) return 1;
  return out.predictedMs === undefined && !measured ? 1 : 0;
}
