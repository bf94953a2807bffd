/**
 * The job the Model View sends its page for a WebGPU measurement: the model's bytes, its external data files
 * (read here: onnxruntime-web opens no files; locations are relative to the model's folder, the reader refuses
 * any that leave it), and its inputs bound as the counts bind them (engine onnxRunInputs). Sizes are checked
 * before anything is read (gpu.ts: 256 MiB in all).
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type * as Engine from '../../engine';
import { gpuPayloadRefusal } from './gpu';
import type { GpuMeasureJob } from './protocol';

export async function gpuMeasureJob(
  engine: typeof Engine,
  modelPath: string,
  binding: { batch?: number; seqLen?: number; inputSize?: readonly number[] },
  id: number,
): Promise<GpuMeasureJob> {
  const { inputs, externalData } = engine.onnxRunInputs(modelPath, binding);
  if (!Object.keys(inputs).length) throw new Error('the graph has no inputs to feed');
  const folder = path.dirname(modelPath);
  const files = externalData.map((location) => ({ location, file: path.join(folder, location) }));
  const sizes = await Promise.all([modelPath, ...files.map((f) => f.file)].map(async (p) => (await stat(p)).size));
  const refusal = gpuPayloadRefusal(sizes[0], sizes.slice(1).reduce((a, b) => a + b, 0));
  if (refusal) throw new Error(refusal);
  const model = new Uint8Array(await readFile(modelPath));
  const external = await Promise.all(files.map(async (f) => ({ path: f.location, data: new Uint8Array(await readFile(f.file)) })));
  return { id, model, externalData: external, inputs, runs: 30, warmup: 5 };
}
