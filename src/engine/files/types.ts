/**
 * Binary model files (ONNX, GGUF, safetensors) are read by ranges, never whole: a checkpoint is gigabytes,
 * its structure (graph, tensor table, header) is kilobytes to megabytes. Readers translate that structure
 * into the same IR and op registry as the config readers; numbers are derived after evaluation.
 */
import type { DiagnosticSink } from '../diagnostics';
import type { FormatId, ModelIR } from '../ir';
import type { ReadOptions } from '../formats/types';

/** A file read by byte ranges. */
export interface ByteSource {
  /** Shown in messages: the path the user opened. */
  readonly fileName: string;
  readonly size: number;
  /** At most `length` bytes from `offset` (fewer at the end of the file). Throws ByteSourceError when unreadable. */
  read(offset: number, length: number): Uint8Array;
  /**
   * A file in the same folder by relative name (ONNX external data, safetensors shards, a config.json);
   * undefined when absent, or when the name would leave the folder (absolute, `..`, a link out of it).
   */
  sibling(relativeName: string): ByteSource | undefined;
}

export class ByteSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ByteSourceError';
  }
}

/** Options a binary reader takes: the config readers' (sequence, batch, image size) without text siblings. */
export type FileReadOptions = Omit<ReadOptions, 'readSibling' | 'readSiblingBytes'>;

export interface ModelFileReader {
  readonly id: FormatId;
  /** Shown to users: "ONNX model". */
  readonly label: string;
  /** Lower-case file name endings this reader claims, for the editor's file associations: `.onnx`. */
  readonly extensions: readonly string[];
  /** Cheap test of the first bytes (at most HEAD_BYTES) and the name: true when this reader should handle the file. */
  detect(head: Uint8Array, fileName: string): boolean;
  /**
   * Translates the file into the IR. Problems are reported with range { start: byte offset, end } into the
   * file (or 0..0) and a message naming the file and the node or tensor; undefined when nothing can be built.
   */
  read(source: ByteSource, options: FileReadOptions, sink: DiagnosticSink): ModelIR | undefined;
}

/** Bytes passed to `detect`. */
export const HEAD_BYTES = 64;
