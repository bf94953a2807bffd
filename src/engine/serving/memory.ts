/**
 * Memory a server needs to run a transformer at a context length and batch, and whether that fits on each
 * device of the catalogue that states a capacity.
 *
 * Rule (vLLM's, the most common open server): memory needed = weights (as stored, weights.ts) + the KV cache
 * of `batch` sequences at `context` tokens (transformer.ts) + the activation peak of one prefill chunk (the
 * graph's peak live activations for one sequence at the report's prompt length; vLLM sizes this by
 * profiling one dummy forward pass of a full chunk). The device may give the server
 * `GPU_MEMORY_UTILIZATION` of its memory (vLLM's `--gpu-memory-utilization`, default 0.9): the rest is
 * the CUDA context, CUDA graphs, the allocator's slack and other processes. vLLM's docs: "requested_memory
 * = total_gpu_memory × gpu_memory_utilization", whose components are weights, KV cache, activations and
 * non-torch overhead (docs.vllm.ai, GPU memory calculation). On Jetsons and Apple silicon the same memory
 * also holds the operating system, so the answer there is optimistic.
 */
import type { DeviceSpec } from '../devices';
import { formatBytes } from '../units';
import type { WeightBytes } from './weights';

export const GPU_MEMORY_UTILIZATION = 0.9;

export const SERVING_RULE = `weights + KV cache + activation peak of one prefill chunk, against ${GPU_MEMORY_UTILIZATION * 100}% of device memory (vLLM's default --gpu-memory-utilization; the rest holds the CUDA context, CUDA graphs and allocator slack)`;

export interface FitAnswer {
  readonly device: string;
  readonly deviceName: string;
  readonly capacityBytes: number;
  readonly usableBytes: number;
  readonly neededBytes: number;
  readonly fits: boolean;
  /** "fits on NVIDIA L4 at 32,768 context, batch 4: no — needs 31.2 GiB of 21.6 GiB usable (90% of 24 GiB)". */
  readonly sentence: string;
}

export interface ServingMemory {
  readonly contextLength: number;
  readonly batch: number;
  readonly weights: WeightBytes;
  readonly kvCacheBytes: number;
  /** Activation peak of one prefill chunk. */
  readonly workspaceBytes: number;
  /** weights + KV cache + workspace. */
  readonly totalBytes: number;
  readonly rule: string;
  /** Every catalogue device with a memory capacity, smallest capacity first. */
  readonly fits: readonly FitAnswer[];
  /** The smallest catalogue device it fits on; undefined when none does. */
  readonly smallestFit?: string;
  /** The answer for the chosen target device, when it states a capacity. */
  readonly target?: FitAnswer;
}

export interface ServingInputs {
  readonly weights: WeightBytes;
  readonly kvCacheBytes: number;
  readonly workspaceBytes: number;
  readonly contextLength: number;
  readonly batch: number;
  readonly devices: readonly DeviceSpec[];
  readonly target?: string;
}

export function servingMemory(x: ServingInputs): ServingMemory {
  const totalBytes = x.weights.totalBytes + x.kvCacheBytes + x.workspaceBytes;
  const fits = x.devices
    .filter((d): d is DeviceSpec & { memoryBytes: number } => d.memoryBytes !== undefined)
    .sort((a, b) => a.memoryBytes - b.memoryBytes)
    .map((d) => fitAnswer(d, totalBytes, x.contextLength, x.batch));
  return {
    contextLength: x.contextLength,
    batch: x.batch,
    weights: x.weights,
    kvCacheBytes: x.kvCacheBytes,
    workspaceBytes: x.workspaceBytes,
    totalBytes,
    rule: SERVING_RULE,
    fits,
    smallestFit: fits.find((f) => f.fits)?.device,
    target: fits.find((f) => f.device === x.target),
  };
}

function fitAnswer(d: DeviceSpec & { memoryBytes: number }, needed: number, context: number, batch: number): FitAnswer {
  const usable = Math.floor(d.memoryBytes * GPU_MEMORY_UTILIZATION);
  const fits = needed <= usable;
  const name = d.name.replace(/\s*\(.*\)\s*$/, '') || d.name;
  const sentence = `fits on ${name} at ${context.toLocaleString('en-US')} context, batch ${batch}: ${fits ? 'yes' : 'no'} — needs ${formatBytes(needed)} of ${formatBytes(usable)} usable (${GPU_MEMORY_UTILIZATION * 100}% of ${formatBytes(d.memoryBytes)})`;
  return { device: d.id, deviceName: d.name, capacityBytes: d.memoryBytes, usableBytes: usable, neededBytes: needed, fits, sentence };
}
