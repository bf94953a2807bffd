/**
 * Protocol Buffers wire format over a ByteSource, for ONNX files of any size: `fields` walks one message's
 * fields between two offsets reading only their tags and lengths (a 1 GB `raw_data` is passed over by its
 * length, never read), and small messages are decoded from their bytes with protobufjs's Reader. Field
 * numbers are those of the official schema (onnx/onnx `onnx/onnx.proto3`), named where they are used.
 */
import { Reader } from 'protobufjs/minimal';
import { ByteSourceError, type ByteSource } from '../types';

export class OnnxError extends ByteSourceError {}

export interface WireField {
  readonly number: number;
  readonly wireType: number;
  /** Varints: the value (safe integers only; larger ones are refused where they matter). */
  readonly value?: number;
  /** Length-delimited: where the payload starts and how long it is. */
  readonly start: number;
  readonly length: number;
}

const CHUNK = 1 << 20;

/** Reads forward through a ByteSource with a one-chunk window. */
export class Window {
  private buffer: Uint8Array = new Uint8Array(0);
  private at = 0;

  constructor(readonly source: ByteSource) {}

  /** At most `n` bytes from `pos` (fewer at the end of the file). */
  bytes(pos: number, n: number): Uint8Array {
    if (pos < this.at || pos + n > this.at + this.buffer.length) {
      this.buffer = this.source.read(pos, Math.max(n, CHUNK));
      this.at = pos;
    }
    return this.buffer.subarray(pos - this.at, pos - this.at + n);
  }
}

/** A varint at `pos`; int64 values past 2^63 are negative numbers (ONNX writes axis −1 as ten bytes). */
function varint(w: Window, pos: number, end: number, what: string): { value: number; next: number } {
  const bytes = w.bytes(pos, Math.min(10, end - pos));
  let value = 0n;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) {
      const signed = value >= 1n << 63n ? value - (1n << 64n) : value;
      if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new OnnxError(`${w.source.fileName}: ${what} at byte ${pos} is past 2^53.`);
      }
      return { value: Number(signed), next: pos + i + 1 };
    }
  }
  throw new OnnxError(`${w.source.fileName}: truncated or malformed protobuf: ${what} at byte ${pos} does not end within the message.`);
}

/** Every field of the message stored at [start, end), in order; payloads of length-delimited fields are not read. */
export function* fields(w: Window, start: number, end: number, message: string): Generator<WireField> {
  let pos = start;
  while (pos < end) {
    const tag = varint(w, pos, end, `a field tag in ${message}`);
    if (tag.value < 0) throw new OnnxError(`${w.source.fileName}: malformed protobuf: a negative field tag in ${message} at byte ${pos}.`);
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (number === 0) throw new OnnxError(`${w.source.fileName}: malformed protobuf: field number 0 in ${message} at byte ${pos}.`);
    pos = tag.next;
    switch (wireType) {
      case 0: {
        const v = varint(w, pos, end, `field ${number} of ${message}`);
        yield { number, wireType, value: v.value, start: pos, length: v.next - pos };
        pos = v.next;
        break;
      }
      case 1:
      case 5: {
        const size = wireType === 1 ? 8 : 4;
        if (pos + size > end) throw new OnnxError(`${w.source.fileName}: truncated protobuf: field ${number} of ${message} at byte ${pos} runs past its message.`);
        yield { number, wireType, start: pos, length: size };
        pos += size;
        break;
      }
      case 2: {
        const len = varint(w, pos, end, `the length of field ${number} of ${message}`);
        if (len.value < 0 || len.next + len.value > end) {
          throw new OnnxError(`${w.source.fileName}: truncated protobuf: field ${number} of ${message} at byte ${pos} declares ${len.value} bytes, past the end of ${message === 'the model' ? 'the file' : message} (byte ${end}).`);
        }
        yield { number, wireType, start: len.next, length: len.value };
        pos = len.next + len.value;
        break;
      }
      default:
        throw new OnnxError(`${w.source.fileName}: malformed protobuf: wire type ${wireType} (field ${number} of ${message}) at byte ${pos}; ONNX uses types 0, 1, 2 and 5.`);
    }
  }
}

/** The payload of a small length-delimited field, bounded. */
export function payload(w: Window, f: WireField, max: number, what: string): Uint8Array {
  if (f.length > max) throw new OnnxError(`${w.source.fileName}: ${what} is ${f.length} bytes; Greenprint reads at most ${max} for it.`);
  return w.bytes(f.start, f.length).slice();
}

/** A protobufjs Reader over a small message, with the file named in its errors. */
export function reader(bytes: Uint8Array): Reader {
  return Reader.create(bytes);
}

export function toNumber(v: number | { toString(): string }, what: string, fileName: string): number {
  const n = typeof v === 'number' ? v : Number(v.toString());
  if (!Number.isSafeInteger(n)) throw new OnnxError(`${fileName}: ${what} is ${v.toString()}, past 2^53.`);
  return n;
}

/** Packed or unpacked repeated int64 (dims, ints). */
export function readInt64s(r: Reader, wireType: number, out: number[], what: string, fileName: string): void {
  if (wireType === 2) {
    const end = r.uint32() + r.pos;
    while (r.pos < end) out.push(toNumber(r.int64(), what, fileName));
  } else out.push(toNumber(r.int64(), what, fileName));
}
