/**
 * A tiny pickle assembler for the PyTorch checkpoint tests and the crafted-weights corpus: each helper
 * returns the opcode bytes CPython's pickler would write (opcodes from CPython Lib/pickle.py).
 */
export const enc = new TextEncoder();

/** The parts laid end to end. */
export function cat(...parts: (number[] | Uint8Array)[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const PROTO2 = [0x80, 2];
export const STOP = [0x2e];
export const MARK = [0x28];
export const TUPLE = [0x74];
export const TUPLE1 = [0x85];
export const TUPLE2 = [0x86];
export const EMPTY_TUPLE = [0x29];
export const EMPTY_LIST = [0x5d];
export const EMPTY_DICT = [0x7d];
export const APPEND = [0x61];
export const DUP = [0x32];
export const REDUCE = [0x52];
export const SETITEMS = [0x75];
export const BINPERSID = [0x51];
export const NONE = [0x4e];
export const NEWFALSE = [0x89];
/** BINUNICODE: a 4-byte little-endian length (strings here stay under 64 KiB), then UTF-8. */
export const str = (s: string) => {
  const b = enc.encode(s);
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b];
};
/** BININT1 */
export const int1 = (n: number) => [0x4b, n];
/** BININT (4 bytes, little-endian) */
export const int4 = (n: number) => [0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
/** GLOBAL module\nname\n */
export const global = (module: string, name: string) => [0x63, ...enc.encode(`${module}\n${name}\n`)];
/** collections.OrderedDict() */
export const ordered = () => [...global('collections', 'OrderedDict'), ...EMPTY_TUPLE, ...REDUCE];
