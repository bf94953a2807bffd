/**
 * What running an ONNX file needs besides its bytes: each graph input's dims, bound the way the reader binds
 * them for the counts (batch, sequence length, image size from the settings: onnxReader → translate.ts), and
 * the external data files its initializers name (relative to the model's folder; one that would leave the
 * folder is refused by the reader). The measurement worker binds inputs the same way; the Model View's
 * WebGPU measurement uses this to send the webview what ONNX Runtime Web cannot open itself.
 */
import { DiagnosticSink } from '../diagnostics';
import { fileByteSource } from '../files/byte-source';
import { readOnnxModel } from '../files/onnx/model';
import { onnxReader } from '../files/onnx/reader';

export interface OnnxRunInputs {
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  /** External data locations, relative to the model's folder, each once. */
  readonly externalData: readonly string[];
}

export function onnxRunInputs(path: string, binding: { batch?: number; seqLen?: number; inputSize?: readonly number[] }): OnnxRunInputs {
  const sink = new DiagnosticSink();
  const ir = onnxReader.read(fileByteSource(path), { fileName: path, batch: binding.batch, seqLen: binding.seqLen, inputSize: binding.inputSize && [binding.inputSize[0], binding.inputSize[1]] }, sink);
  if (!ir) throw new Error(sink.items.find((d) => d.severity === 'error')?.message ?? `${path} could not be read as an ONNX model.`);
  const locations = new Set([...readOnnxModel(fileByteSource(path)).initializers.values()].flatMap((t) => (t.external ? [t.external.location] : [])));
  return { inputs: ir.runInputs ?? {}, externalData: [...locations] };
}
