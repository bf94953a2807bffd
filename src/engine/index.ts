/** Public surface of the engine, shared by the extension, the CLI and the benchmarks. No `vscode` here. */
import './ops';
export * from './analyze';
// Binary model files (ONNX, GGUF, safetensors), read by ranges.
export { analyzeModelFile } from './analyze-file';
export { fileByteSource, memoryByteSource } from './files/byte-source';
export { isModelFileName, modelFileReaderFor } from './files';
export { HEAD_BYTES, type ByteSource } from './files/types';
// ONNX Runtime: measuring ONNX models, and subnets exported to ONNX.
export { loadOrt, measureOnnxLatency, OrtUnavailableError, type OrtRuntime } from './runtime/ort';
export { onnxRunInputs, type OnnxRunInputs } from './runtime/onnx-run-inputs';
export * from './units';
export type { FormatId, DType, SourceRange, ModelIR } from './ir';
export type { Totals } from './cost';
export type { TransformerMetrics } from './transformer';
export { LineIndex } from './source/text';
export { JsonSourceCache } from './source/incremental';
export * from './report';
export * from './hints';
export * from './efficiency';
export { listRegions, resolveRegion, type CarbonSetting } from './carbon';
export { listDevices, getDevice, type DeviceSpec } from './devices';
export type { Measurement, RuntimeBackend } from './runtime/types';
export type { DeviceDescription } from './latency/types';
export { MeasurementWorker } from './runtime/client';
export { calibrateLocalDevice, loadCalibration, saveCalibration, localDeviceSpec, ortProfiler, workerProfiler, type LocalCalibration } from './latency/local';
export { buildLut, modelBlocks, spaceLutWork } from './latency/lut-build';
export { lutFileName } from './latency/lut';
// The editor's panel: search and extraction in a worker thread, per-stage breakdown of a found subnet.
export { startSearch, extractInWorker, SearchWorkerError, type RunningSearch, type SearchHandlers, type SearchJob, type SearchWorkerProgress } from './supernet/search-client';
export type { SearchOutcome, SearchPoint } from './supernet/run-search';
export { extractTargets, type ExtractOutcome, type ExtractRequest } from './supernet/run-extract';
export { subnetBreakdown, type SubnetBreakdown, type StageSummary } from './supernet/stage-breakdown';
export { readSupernetSpace, type SupernetDescription } from './formats/ofa-supernet';
export { activeArchKey } from './supernet/search';
export { supernetTargets, costRange, middleOf, type SupernetTargets, type SupernetTarget, type SearchDefaults, type CostRange } from './supernet/targets';
export { expandOfaArch } from './ofa/expand';
export type { OfaSpace, SubnetArch } from './ofa/spaces';
// Connected devices: a client for `greenprint agent` on another machine.
export { DeviceClient, DeviceClientError, normaliseAgentUrl, type WithDevice, type MeasureJobSpec, type LutJobSpec } from './remote/client';
export { formatAgentDevice, type AgentDeviceInfo, type RemoteMeasureResult, type RemoteLutResult, type RemoteProgress } from './remote/protocol';
// Analysis in a worker thread with memory and time limits: what the editor and the CLI call.
export { IsolatedAnalyzer, DEFAULT_ANALYSIS_LIMITS, type AnalysisLimits, type WireAnalyzeOptions } from './isolated/isolated-analysis';
