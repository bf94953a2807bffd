/**
 * `greenprint lut build SPACE|MODEL` (a latency lookup table measured on this machine, for a supernet's
 * space or a model's layers) and `greenprint calibrate` (this machine's compute and memory rates).
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { formatMs, listTargetDevices } from '../../engine';
import type { ModelIR } from '../../engine/ir';
import { lutFileName } from '../../engine/latency/lut';
import { buildLut, modelBlocks, spaceLutWork, type LutBlock } from '../../engine/latency/lut-build';
import { calibrateLocalDevice, ortProfiler, saveCalibration, workerProfiler } from '../../engine/latency/local';
import { MeasurementWorker } from '../../engine/runtime/client';
import { calibrationFile, lutDirectory, oneFile, progressBar, readModelText, UsageError, type Args } from '../args';
import { spaceFromSupernet } from '../space';
import { analyzeFile, failedAnalysis, hasErrors } from './analyze-file';

/**
 * Local tables keep each block's fastest of 3 passes and fit the fixed overhead on whole networks: on a
 * machine whose speed drifts this is what predicted 96–100 % of OFA subnets within ±10 % in `npm run bench`.
 */
const LUT_ROUNDS = 3;
const CALIBRATION_SUBNETS = 8;

export async function lutBuild(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint lut build samples/ofa/mbv3-w12-note10-25ms.supernet.json --device local-cpu');
  const device = args.device ?? 'local-cpu';
  if (device !== 'local-cpu' && device !== 'local-gpu') {
    throw new UsageError(`lut build measures on this machine: --device local-cpu (or local-gpu), not "${device}". Remote devices come with \`greenprint agent\`.`);
  }
  const text = readModelText(file, args.files[0]);
  let blocks: LutBlock[];
  let calibration: ModelIR[];
  let validation: ModelIR[] = [];
  const space = spaceFromSupernet(text, file);
  if (space) {
    // Every resolution the search may pick, unless one is asked for: a table missing one stops the search.
    const resolutions = args.resolution ? [args.resolution] : space.resolutions;
    ({ blocks, calibration, validation } = spaceLutWork(space.space, resolutions, CALIBRATION_SUBNETS, 7));
    process.stderr.write(`${blocks.length} distinct blocks in the ${space.label} space at ${resolutions.map((r) => `${r}×${r}`).join(', ')}\n`);
  } else {
    const { report: r, ir } = await analyzeFile(file, args.files[0], args, undefined, true);
    if (hasErrors(r) || !ir) return failedAnalysis(r, args);
    blocks = modelBlocks(ir);
    calibration = [ir];
    process.stderr.write(`${blocks.length} distinct layers in ${r.model}\n`);
  }
  const worker = new MeasurementWorker();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = progressBar('profiling');
  try {
    // --runtime onnx: the same blocks timed in ONNX Runtime; its tables are named and recorded by its runtime.
    const profiler = args.runtime === 'onnx' ? ortProfiler({ signal: controller.signal }) : workerProfiler(worker, controller.signal);
    const probe = args.runtime === 'onnx' ? await profiler.profile(blocks[0].ir) : await worker.measureOverhead(blocks[0].ir, { signal: controller.signal });
    mkdirSync(lutDirectory(args), { recursive: true });
    const lutPath = path.join(lutDirectory(args), lutFileName(device, probe.backend, probe.runtime));
    const result = await buildLut({
      blocks,
      profiler,
      lutPath,
      device: listTargetDevices().find((d) => d.id === device)!,
      signal: controller.signal,
      onProgress: (p) => bar(p.done, p.total, p.key),
      rounds: LUT_ROUNDS,
      estimator: 'min',
      calibration,
      validation,
    });
    const summary = { lut: lutPath, entries: Object.keys(result.lut.entries).length, measuredNow: result.measured.length, overheadMs: result.lut.overheadMs, backend: result.lut.backend, bandPct: result.lut.validation?.bandPct, disturbance: result.disturbance };
    process.stdout.write(args.json ? JSON.stringify(summary, null, 2) + '\n' : `${lutPath}: ${summary.entries} entries (${summary.measuredNow} measured now), overhead ${formatMs(summary.overheadMs)}\n`);
    return 0;
  } catch (e) {
    if ((e as Error).name === 'AbortError') {
      process.stderr.write('\ninterrupted: the table keeps every entry measured so far; run the same command to resume.\n');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    worker.dispose();
  }
}

export async function calibrate(args: Args): Promise<number> {
  const worker = new MeasurementWorker();
  try {
    const c = await calibrateLocalDevice(worker);
    saveCalibration(calibrationFile(args), c);
    const text = `${calibrationFile(args)}: ${(c.flopsPerSecond / 1e9).toFixed(2)} GFLOP/s, ${(c.bytesPerSecond / 1e9).toFixed(2)} GB/s (${c.backend}, ${c.threads} thread(s), ${c.runtime})`;
    process.stdout.write(args.json ? JSON.stringify(c, null, 2) + '\n' : text + '\n');
    return 0;
  } finally {
    worker.dispose();
  }
}
