/** Public surface of the engine, shared by the extension, the CLI and the benchmarks. No `vscode` here. */
import './ops';
export * from './analyze';
export * from './units';
export type { FormatId, DType, SourceRange, ModelIR } from './ir';
export type { Totals } from './cost';
export type { TransformerMetrics } from './transformer';
export { LineIndex } from './source/text';
export * from './report';
export * from './hints';
export * from './efficiency';
export { listRegions, resolveRegion, type CarbonSetting } from './carbon';
export { listDevices, getDevice, type DeviceSpec } from './latency/devices';
export type { Measurement, RuntimeBackend, DeviceDescription } from './latency/types';
export { MeasurementWorker } from './runtime/client';
export { calibrateLocalDevice, loadCalibration, saveCalibration, localDeviceSpec, workerProfiler, type LocalCalibration } from './latency/local';
export { buildLut, modelBlocks } from './latency/lut-build';
export { lutFileName } from './latency/lut';
