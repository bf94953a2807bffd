/**
 * The device picker's "runtime" line: which runtime stands behind each target's latency figure. The engine
 * decides (efficiency.ts picks the newest lookup table filed under the device's id — of the runtime the
 * `greenprint.latencyRuntime` setting names, where there is one — and the table records the
 * backend and runtime it was measured with); this file only words it:
 *   - a measured table: "TF.js · WebAssembly (tfjs-core 4.22.0), 3 threads, table of 2026-12-05";
 *     "ONNX Runtime · CPU EP (onnxruntime-node 1.23.0)";
 *   - no table yet: this machine's calibrated roofline, or no figure (connected devices: tables only);
 *   - OFA's Note10: its published lookup table; catalogue devices: roofline from published peak rates.
 */
import type * as Engine from '../engine';

const BACKENDS: Record<string, string> = {
  tensorflow: 'TF.js · tfjs-node (CPU)',
  'tensorflow-gpu': 'TF.js · tfjs-node-gpu (CUDA)',
  wasm: 'TF.js · WebAssembly',
  cpu: 'TF.js · plain JS CPU',
  webgpu: 'TF.js · WebGPU',
  webgl: 'TF.js · WebGL',
  'ort-cpu': 'ONNX Runtime · CPU EP',
  'ort-wasm': 'ONNX Runtime · WebAssembly',
  'ort-cuda': 'ONNX Runtime · CUDA EP',
  'ort-tensorrt': 'ONNX Runtime · TensorRT EP',
  'ort-dml': 'ONNX Runtime · DirectML EP',
  'ort-coreml': 'ONNX Runtime · CoreML EP',
};

/** What a lookup table records about how it was measured (LatencyLut in the engine). */
export interface LutSummary {
  readonly backend: string;
  readonly runtime: string;
  readonly threads: number;
  readonly createdAt: string;
}

/** A table's runtime in words; imported tables keep their own free-text backend (e.g. `tflite`). */
export function lutRuntimeLabel(lut: LutSummary): string {
  const backend = BACKENDS[lut.backend] ?? lut.backend;
  const threads = lut.threads > 0 ? `, ${lut.threads} thread${lut.threads === 1 ? '' : 's'}` : '';
  return `${backend} (${lut.runtime})${threads}, table of ${lut.createdAt.slice(0, 10)}`;
}

export interface RuntimeContext {
  /** The engine's choice of table for a device id (findDeviceLut), or undefined. */
  readonly lutFor: (deviceId: string) => LutSummary | undefined;
  /** Whether this machine has a calibration (local roofline with measured rates). */
  readonly calibrated: boolean;
}

/** The picker's detail line for a target device. `lutDeviceId` differs from `id` for connected devices. */
export function targetRuntimeDetail(device: { readonly id: string; readonly kind: Engine.DeviceDescription['kind'] }, context: RuntimeContext, lutDeviceId = device.id): string {
  switch (device.kind) {
    case 'lut':
      return "runtime: OFA's published table (measured by its authors)";
    case 'roofline':
      return 'runtime: none (published peak rates)';
    default: {
      let lut;
      try {
        lut = context.lutFor(lutDeviceId);
      } catch (e) {
        return `runtime: its lookup table cannot be read (${(e as Error).message})`;
      }
      if (lut) return `runtime: ${lutRuntimeLabel(lut)}`;
      // efficiency.ts: a connected device is priced only by a table measured on it; this machine falls back
      // to the roofline with its calibrated rates, and has no latency without either.
      if (device.kind === 'remote') return 'runtime: none yet (build a table on the device)';
      return context.calibrated ? 'runtime: none yet (roofline from calibrated rates)' : 'runtime: none yet (calibrate or build a table)';
    }
  }
}
