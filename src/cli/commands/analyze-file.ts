/**
 * Analysing one file from the command line the way the editor does: in the isolated worker (memory and time
 * limits), so a runaway number in the file ends as a located error with exit 1, never as an abort of this
 * process. Commands that go on to run the model (`withIr`) then build its IR here, once the isolated pass has
 * shown the file is sound.
 */
import * as path from 'node:path';
import { analyzeModel, analyzeModelFile, fileByteSource, IsolatedAnalyzer, renderReport, type AnalysisReport, type AnalyzeOptions, type EfficiencyOptions } from '../../engine';
import { siblingBytesReader, siblingReader } from '../../engine/isolated/siblings';
import type { ModelIR } from '../../engine/ir';
import { loadCalibration, localDeviceSpec } from '../../engine/latency/local';
import { calibrationFile, isBinaryModelFile, lutDirectory, readModelText, type Args } from '../args';

export function efficiencyOptions(args: Args, device: string | undefined): EfficiencyOptions | undefined {
  if (!device) return undefined;
  const calibration = device === 'local-cpu' ? loadCalibration(calibrationFile(args)) : undefined;
  return {
    device,
    lutDirectory: lutDirectory(args),
    localDevice: calibration ? localDeviceSpec(calibration, args.carbon.powerW) : undefined,
    carbon: args.carbon,
    training: args.training.samples && args.training.epochs ? { samples: args.training.samples, epochs: args.training.epochs } : undefined,
  };
}

export async function analyzeFile(file: string, displayName: string, args: Args, device: string | undefined, withIr = false): Promise<{ report: AnalysisReport; ir?: ModelIR }> {
  const options = { ...args.analyze, fileName: displayName, reportUnknown: true, efficiency: efficiencyOptions(args, device) };
  if (isBinaryModelFile(file)) return analyzeBinaryFile(file, options, withIr);
  const text = readModelText(file, displayName);
  const analyzer = new IsolatedAnalyzer();
  let isolated: AnalysisReport | undefined;
  try {
    isolated = await analyzer.analyze(text, { ...options, siblingDirectory: path.dirname(file) });
  } finally {
    analyzer.dispose();
  }
  if (!isolated) throw new Error(`${displayName}: the analysis did not run.`);
  if (!withIr || hasErrors(isolated)) return { report: isolated };
  return analyzeModel(text, {
    ...options,
    readSibling: siblingReader(path.dirname(file)),
    readSiblingBytes: siblingBytesReader(path.dirname(file)),
  });
}

async function analyzeBinaryFile(file: string, options: AnalyzeOptions, withIr: boolean): Promise<{ report: AnalysisReport; ir?: ModelIR }> {
  const analyzer = new IsolatedAnalyzer();
  let isolated: AnalysisReport;
  try {
    isolated = await analyzer.analyzeModelFile(path.resolve(file), options);
  } finally {
    analyzer.dispose();
  }
  if (!withIr || hasErrors(isolated)) return { report: isolated };
  return analyzeModelFile(fileByteSource(file), options);
}

export function hasErrors(report: { format: unknown; totals?: unknown; diagnostics: { severity: string }[] }): boolean {
  return report.format === null || !report.totals || report.diagnostics.some((d) => d.severity === 'error');
}

/** A file that could not be analysed: its diagnostics, as JSON with --json, as the report text otherwise. */
export function failedAnalysis(r: AnalysisReport, args: Args): number {
  if (args.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stderr.write(renderReport(r) + '\n');
  return 1;
}
