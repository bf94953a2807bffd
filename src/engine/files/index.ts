import type { ModelFileReader } from './types';
import { ggufReader } from './gguf/reader';
import { onnxReader } from './onnx/reader';
import { safetensorsReader } from './safetensors/reader';

/** Binary model file readers, in detection order. */
export const MODEL_FILE_READERS: readonly ModelFileReader[] = [ggufReader, safetensorsReader, onnxReader];

/** The reader for a file by its first bytes and name, if any. */
export function modelFileReaderFor(head: Uint8Array, fileName: string): ModelFileReader | undefined {
  return MODEL_FILE_READERS.find((r) => {
    try {
      return r.detect(head, fileName);
    } catch {
      return false;
    }
  });
}

/** True when the name has an ending a binary reader claims (`.onnx`, `.gguf`, `.safetensors`): open as bytes, not text. */
export function isModelFileName(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return MODEL_FILE_READERS.some((r) => r.extensions.some((e) => lower.endsWith(e)));
}
