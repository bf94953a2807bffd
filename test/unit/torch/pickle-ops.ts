import { deflateRawSync } from 'node:zlib';

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

/** BININT1, BININT or LONG1 (8 bytes), whichever CPython writes for a non-negative `n`. */
export const int = (n: number): number[] => {
  if (n < 256) return int1(n);
  if (n < 2 ** 31) return int4(n);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(n), true);
  return [0x8a, 8, ...bytes];
};

/** `_rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())` for a 1-D or 2-D tensor. */
export function tensor(storageType: string, key: string, numel: number, offset: number, shape: number[], stride: number[], legacy = false): number[] {
  const tuple = (xs: number[]) => [...xs.flatMap(int), ...(xs.length === 1 ? TUPLE1 : TUPLE2)];
  return [
    ...global('torch._utils', '_rebuild_tensor_v2'), ...MARK,
    ...MARK, ...str('storage'), ...global('torch', storageType), ...str(key), ...str('cpu'), ...int(numel),
    ...(legacy ? [0x4e] : []), ...TUPLE, ...BINPERSID,
    ...int(offset), ...tuple(shape), ...tuple(stride), ...NEWFALSE, ...ordered(), ...TUPLE, ...REDUCE,
  ];
}

/** A zip archive, stored or deflated per entry, CRCs left 0 (the reader does not check them). */
export function zip(entries: { name: string; data: Uint8Array; deflate?: boolean }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = enc.encode(entry.name);
    const body = entry.deflate ? new Uint8Array(deflateRawSync(entry.data)) : entry.data;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true); lv.setUint16(8, entry.deflate ? 8 : 0, true);
    lv.setUint32(18, body.length, true); lv.setUint32(22, entry.data.length, true); lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true); cv.setUint16(10, entry.deflate ? 8 : 0, true);
    cv.setUint32(20, body.length, true); cv.setUint32(24, entry.data.length, true); cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const directory = cat(...centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true); ev.setUint16(8, entries.length, true); ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directory.length, true); ev.setUint32(16, offset, true);
  return cat(...locals, directory, end);
}

