import type { Document as YamlDocument, LineCounter } from 'yaml';
import type { DiagnosticSink } from '../diagnostics';
import type { FormatId, ModelIR } from '../ir';
import type { JsonDocument } from '../source/json';
import type { NestingProblem } from '../source/nesting';

export interface ReadOptions {
  readonly fileName: string;
  /** Image input [H, W] overriding what the file implies. */
  readonly inputSize?: readonly [number, number];
  /** Tokens per sequence for transformer prefill (default 2048, capped by the model's max positions). */
  readonly seqLen?: number;
  readonly batch?: number;
  /** Model variant, e.g. YOLO scale `n`…`x`. */
  readonly scale?: string;
  /** Reads a file next to this one (e.g. OFA's `run.config`); undefined when it does not exist. */
  readonly readSibling?: (relativePath: string) => string | undefined;
  /**
   * `maxBytes` bytes from `offset` (default 0; fewer at the end of the file) of a file in this one's folder,
   * by plain file name; undefined when it does not exist. Used to read a weights file's header without its
   * weights. `size` (when the reader can tell) is the file's length, for formats indexed from their end (zip).
   */
  readonly readSiblingBytes?: ReadSiblingBytes;
}

export type ReadSiblingBytes = ((fileName: string, maxBytes: number, offset?: number) => Uint8Array | undefined) & {
  readonly size?: (fileName: string) => number | undefined;
};

/** A file parsed once and shared by every format's detector. */
export interface ParsedSource {
  readonly text: string;
  readonly fileName: string;
  readonly json?: JsonDocument;
  readonly yaml?: { readonly doc: YamlDocument.Parsed; readonly lines: LineCounter };
  /** The text nests too deeply (or is too big a YAML) to parse safely; neither `json.root` nor `yaml` is then built. */
  readonly refused?: NestingProblem;
}

export interface FormatReader {
  readonly id: FormatId;
  /** Shown to users: "Ultralytics YOLO YAML". */
  readonly label: string;
  /** Cheap test of the content (not the file name): true when this reader should handle the file. */
  detect(source: ParsedSource): boolean;
  /** Translates the file into the IR, reporting problems at their ranges; undefined when nothing can be built. */
  read(source: ParsedSource, options: ReadOptions, sink: DiagnosticSink): ModelIR | undefined;
}
