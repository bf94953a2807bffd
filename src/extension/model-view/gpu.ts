/**
 * The pure parts of the Model View's WebGPU measurement (onnxruntime-web's WebGPU execution provider run in the
 * page, webview/ort-gpu-measure.ts): the size limit on what the host sends the page, the statistics, the
 * software-adapter test and the figure the view shows. No `vscode` import, so unit tests and the page use it.
 *
 * Statistics as the engine's TF.js/ORT measurements report them: median, p10 and p90 of the timed runs, by
 * linear interpolation between order statistics. 256 MiB limit: model and external data are copied into the
 * page (a structured clone) and again into the WebAssembly heap; above that a webview risks running out of memory.
 */
import type { ModelViewFigure, OrtGpuMeasurement } from './protocol';

export const GPU_PAYLOAD_LIMIT_BYTES = 256 * 1024 * 1024;

/** Why a model cannot be sent to the page, or undefined when it can. */
export function gpuPayloadRefusal(modelBytes: number, externalBytes: number): string | undefined {
  const total = modelBytes + externalBytes;
  if (total <= GPU_PAYLOAD_LIMIT_BYTES) return undefined;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  return `the model${externalBytes ? ' with its external data' : ''} is ${mb(total)}, above the ${mb(GPU_PAYLOAD_LIMIT_BYTES)} the WebGPU measurement copies into the editor's page; use "Measure on this machine" (ONNX Runtime in a separate process).`;
}

/** A CPU emulating a GPU (what headless and GPU-less browsers offer): its timing is no GPU timing. */
export const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|microsoft basic/i;

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function runStatistics(timesMs: readonly number[]): { medianMs: number; p10Ms: number; p90Ms: number } {
  if (!timesMs.length) throw new Error('no timed runs');
  const sorted = [...timesMs].sort((a, b) => a - b);
  return { medianMs: quantile(sorted, 0.5), p10Ms: quantile(sorted, 0.1), p90Ms: quantile(sorted, 0.9) };
}

/** The figure beside the prediction; a software adapter says so in its label, not only on hover. */
export function gpuFigure(m: OrtGpuMeasurement, at: Date, formatMs: (ms: number) => string): ModelViewFigure {
  return {
    label: m.software ? 'Measured in WebGPU (software adapter, not a GPU timing)' : 'Measured on the GPU (WebGPU)',
    value: `${formatMs(m.medianMs)} median (p10 ${formatMs(m.p10Ms)}, p90 ${formatMs(m.p90Ms)})`,
    title: [
      `${m.runs} runs after ${m.warmupRuns} warm-up, onnxruntime-web ${m.ortVersion}, execution provider ${m.executionProvider}`,
      `adapter: ${m.adapter}${m.software ? ' (software: a CPU emulating a GPU)' : ''}`,
      ...m.notes,
      `measured ${at.toLocaleTimeString()} in the editor's page`,
    ].join('\n'),
  };
}

/**
 * The Model View's policy: the panel's (html.ts: nonce scripts only, no remote hosts) plus what the WebGPU
 * measurement needs — compiling WebAssembly ('wasm-unsafe-eval', not 'unsafe-eval') and fetching its binary
 * from the extension's own files (connect-src: the webview's resource origin, limited to localResourceRoots).
 */
export function modelViewContentSecurityPolicy(base: string, cspSource: string): string {
  return `${base.replace(/script-src ([^;]+)/, "script-src $1 'wasm-unsafe-eval'")}; connect-src ${cspSource}`;
}
