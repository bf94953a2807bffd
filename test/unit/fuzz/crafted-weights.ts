/**
 * Builds the hostile weights corpus for weights-corpus.test.ts: crafted PyTorch pickles and zips,
 * safetensors, TF.js manifests and IDX files, each written into a folder under os.tmpdir(). Everything is
 * generated from code (deterministic, no randomness), so no large binary is committed; bombs are built
 * from repeated deflate blocks so that a 1 MB file inflates to 1 GB without the test ever holding 1 GB.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { enc, cat, PROTO2, STOP, MARK, TUPLE, TUPLE2, EMPTY_LIST, EMPTY_DICT, APPEND, DUP, REDUCE, SETITEMS, BINPERSID, NONE, NEWFALSE, str, int1, int4, global, ordered } from '../torch/pickle-ops';

/** How a case is read: the reader the corpus runner calls on the file. */
export type CaseReader = 'pth' | 'weights' | 'idx';

export interface CraftedCase {
  readonly name: string;
  readonly reader: CaseReader;
  readonly file: string;
  /** What the error must say (besides naming the file). */
  readonly expect: RegExp;
}

const repeat = (part: number[], times: number) => {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(...part);
  return out;
};

/** x = []; then `levels` times x = (x, x): 2 bytes per level, 2^levels leaves when expanded. */
const bomb = (levels: number) => [...EMPTY_LIST, ...repeat([...DUP, ...TUPLE2], levels)];

/** The legacy format's three leading pickles (magic number, protocol 1001, sys info). */
const LEGACY_PREAMBLE = cat(
  PROTO2, [0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], STOP,
  PROTO2, [0x4d, 0xe9, 0x03], STOP,
  PROTO2, EMPTY_DICT, str('little_endian'), [0x88, 0x73], STOP,
);

const legacy = (mainPickleBody: number[]) => cat(LEGACY_PREAMBLE, PROTO2, mainPickleBody, STOP);

/** `_rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())` over a float storage `key` of `numel`. */
function tensorOps(key: string, numel: number, size: number[], stride: number[]): number[] {
  const tuple = (xs: number[]) => [...MARK, ...xs.flatMap(int4), ...TUPLE];
  return [
    ...global('torch._utils', '_rebuild_tensor_v2'), ...MARK,
    ...MARK, ...str('storage'), ...global('torch', 'FloatStorage'), ...str(key), ...str('cpu'), ...int4(numel), ...TUPLE, ...BINPERSID,
    ...int1(0), ...tuple(size), ...tuple(stride), ...NEWFALSE, ...ordered(), ...TUPLE, ...REDUCE,
  ];
}

/** A state-dict pickle of float tensors `name → (key, numel, shape)`. */
function stateDictPickle(tensors: { name: string; key: string; numel: number; shape: number[] }[]): Uint8Array {
  const items = tensors.flatMap((t) => [...str(t.name), ...tensorOps(t.key, t.numel, t.shape, contiguousStride(t.shape))]);
  return cat(PROTO2, ordered(), MARK, items, SETITEMS, STOP);
}

function contiguousStride(shape: number[]): number[] {
  const stride: number[] = [];
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) { stride[i] = step; step *= shape[i]; }
  return stride;
}

// ---- zip ----
interface ZipSpec {
  readonly name: string;
  /** Raw bytes as stored in the archive (already deflated when method is 8). */
  readonly body: Uint8Array;
  readonly method: 0 | 8;
  /** Declared uncompressed size (may lie). */
  readonly size: number;
  /** Point this entry's local header at another entry's (overlapping entries). */
  readonly sameDataAs?: number;
}

/** A zip archive with CRCs left 0 (the reader does not check them) and sizes as declared. */
function zip(entries: ZipSpec[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = enc.encode(entry.name);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true); cv.setUint16(10, entry.method, true);
    cv.setUint32(20, entry.body.length, true); cv.setUint32(24, entry.size, true); cv.setUint16(28, name.length, true);
    central.set(name, 46);
    if (entry.sameDataAs !== undefined) {
      cv.setUint32(42, offsets[entry.sameDataAs], true);
      offsets.push(offsets[entry.sameDataAs]);
    } else {
      const local = new Uint8Array(30 + name.length);
      const lv = new DataView(local.buffer);
      lv.setUint32(0, 0x04034b50, true); lv.setUint16(8, entry.method, true);
      lv.setUint32(18, entry.body.length, true); lv.setUint32(22, entry.size, true); lv.setUint16(26, name.length, true);
      local.set(name, 30);
      cv.setUint32(42, offset, true);
      offsets.push(offset);
      locals.push(local, entry.body);
      offset += local.length + entry.body.length;
    }
    centrals.push(central);
  }
  const directory = cat(...centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true); ev.setUint16(8, entries.length, true); ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directory.length, true); ev.setUint32(16, offset, true);
  return cat(...locals, directory, end);
}

const deflated = (data: Uint8Array) => new Uint8Array(deflateRawSync(data));

/**
 * A raw deflate stream of `prefix` followed by `mib` MiB of zeros, built from one full-flushed 16 MiB
 * block repeated (each full flush resets the window, so the copies are independent): ~1 KB per 1 MiB.
 */
function zeroBombDeflate(mib: number, prefix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const full = { finishFlush: zlibConstants.Z_FULL_FLUSH };
  const head = deflateRawSync(prefix, full);
  const block = deflateRawSync(Buffer.alloc(16 * 1024 * 1024), { ...full, level: 9 });
  const parts: Uint8Array[] = [head];
  for (let i = 0; i < mib / 16; i++) parts.push(block);
  parts.push(deflateRawSync(Buffer.alloc(0))); // final empty block
  return cat(...parts);
}

/** A zip checkpoint with one float storage entry whose stored bytes are `body` declared as `size`. */
function zipCheckpoint(pickle: Uint8Array, storage: { body: Uint8Array; method: 0 | 8; size: number }): Uint8Array {
  return zip([
    { name: 'archive/data.pkl', body: pickle, method: 0, size: pickle.length },
    { name: 'archive/data/0', ...storage },
  ]);
}

// ---- safetensors ----
function safetensors(header: unknown, dataLength: number, headerText?: string): Uint8Array {
  const json = enc.encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

function tfjsManifest(groups: unknown): string {
  return JSON.stringify({ format: 'greenprint.tfjs-weights', weightsManifest: groups });
}

// ---- IDX ----
function idxHeader(shape: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  const view = new DataView(header.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return header;
}

/** gzip member around a raw deflate stream (CRC and size left 0: the reader must stop before checking). */
function gzipWrap(raw: Uint8Array): Uint8Array {
  return cat([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03], raw, new Uint8Array(8));
}

/** Writes every crafted file into `dir` and returns the cases. */
export function buildCorpus(dir: string, outsideDir: string): CraftedCase[] {
  const cases: CraftedCase[] = [];
  const add = (name: string, reader: CaseReader, fileName: string, bytes: Uint8Array | string, expect: RegExp) => {
    const file = path.join(dir, fileName);
    writeFileSync(file, bytes);
    cases.push({ name, reader, file, expect });
  };

  // -- pickle memo bombs and nesting (legacy .pth) --
  // The 1.4 KB bomb: a 690-level (x, x) DAG handed over as a persistent id, which the old reader
  // JSON.stringify'd into its error message (2^690 leaves).
  const memoBomb = legacy(bomb(690).concat(BINPERSID));
  add('1.4 KB memo bomb as a persistent id', 'pth', 'memo-bomb.pth', memoBomb, /nesting depth exceeds 100/);
  // Below the nesting ceiling (2^60 leaves) the error must still be short: only the message formatting is at stake.
  add('memo bomb below the nesting ceiling, as a persistent id', 'pth', 'memo-bomb-60.pth', legacy(bomb(60).concat(BINPERSID)), /unsupported persistent id \(\(\(\(/);
  add('memo bomb as a tensor size', 'pth', 'memo-bomb-size.pth', legacy([
    ...global('torch._utils', '_rebuild_tensor_v2'), ...MARK,
    ...MARK, ...str('storage'), ...global('torch', 'FloatStorage'), ...str('0'), ...str('cpu'), ...int1(4), ...TUPLE, ...BINPERSID,
    ...int1(0), ...bomb(60), ...bomb(60), ...NEWFALSE, ...ordered(), ...TUPLE, ...REDUCE,
  ]), /tensor size \(\(\(.*is not a tuple/);
  add('memo bomb as the storage key', 'pth', 'memo-bomb-key.pth', legacy([
    ...MARK, ...str('storage'), ...global('torch', 'FloatStorage'), ...bomb(60), ...str('cpu'), ...int1(4), ...TUPLE, ...BINPERSID,
  ]), /storage key \(\(\(.*is not a string/);
  add('memo bomb as the protocol version', 'pth', 'memo-bomb-protocol.pth', cat(
    PROTO2, [0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], STOP, PROTO2, bomb(60), STOP,
  ), /unsupported legacy protocol version \(\(\(/);
  add('deep nesting through MARKs', 'pth', 'deep-marks.pth', legacy(repeat(MARK, 100_000)), /number of open MARKs exceeds 100/);
  add('deep nesting through lists', 'pth', 'deep-lists.pth', legacy([...repeat(EMPTY_LIST, 5000), ...repeat(APPEND, 4999)]), /nesting depth exceeds 100/);
  add('memo flood (LONG_BINPUT to 300,000 slots)', 'pth', 'memo-flood.pth',
    legacy([...NONE, ...Array.from({ length: 300_000 }, (_, i) => [0x72, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0]).flat()]), /memo size exceeds 200,000/);
  add('object flood (a list of 400,000 dicts)', 'pth', 'object-flood.pth', legacy([...EMPTY_LIST, ...repeat([...EMPTY_DICT, ...APPEND], 400_000)]), /number of objects exceeds 300,000/);
  add('stack flood (150,000 values)', 'pth', 'stack-flood.pth', legacy(repeat(NONE, 150_000)), /stack size exceeds 100,000/);
  add('opcode flood (1.2 M DUP/POP)', 'pth', 'op-flood.pth', legacy([...NONE, ...repeat([...DUP, 0x30], 600_001)]), /number of opcodes exceeds 1,000,000/);
  add('a GLOBAL line of 1 MB', 'pth', 'long-global.pth', legacy([0x63, ...repeat([0x61], 1_000_000)]), /GLOBAL module .* longer than 256 characters/);
  add('2,000 tensors sharing one 4 MiB storage (8 GB decoded)', 'pth', 'aliased-storage.zip.pth', zipCheckpoint(
    stateDictPickle(Array.from({ length: 2_000 }, (_, i) => ({ name: `t${i}`, key: '0', numel: 1 << 20, shape: [1 << 20] }))),
    { body: deflated(new Uint8Array(4 << 20)), method: 8, size: 4 << 20 },
  ), /add up to more than 256 MiB/);

  // -- zip bombs and broken archives (.pth zip format) --
  const pickle = stateDictPickle([{ name: 'w', key: '0', numel: 256, shape: [256] }]);
  add('zip entry inflating 1 GiB past its declared 1 KiB', 'pth', 'zip-bomb.pth',
    zipCheckpoint(pickle, { body: zeroBombDeflate(1024), method: 8, size: 1024 }), /"archive\/data\/0" inflates past its declared 1024 bytes/);
  add('zip entry declaring 4 GB from 1 MB', 'pth', 'zip-declared-4g.pth',
    zipCheckpoint(pickle, { body: zeroBombDeflate(1024), method: 8, size: 0xfffffff0 }), /declares 4\.0 GiB but \d+ compressed bytes can inflate to at most/);
  add('zip entry declaring 512 MiB (possible for its compressed size)', 'pth', 'zip-declared-512m.pth',
    zipCheckpoint(stateDictPickle([{ name: 'w', key: '0', numel: 1 << 27, shape: [1 << 27] }]), { body: zeroBombDeflate(1024), method: 8, size: 1 << 29 }),
    /zip archive declares more than 288 MiB of content/);
  const shared = zeroBombDeflate(16);
  add('200 zip entries sharing one compressed body', 'pth', 'zip-overlap.pth', zip([
    { name: 'archive/data.pkl', body: pickle, method: 0, size: pickle.length },
    { name: 'archive/data/0', body: shared, method: 8, size: 16 << 20 },
    ...Array.from({ length: 199 }, (_, i) => ({ name: `archive/data/${i + 1}`, body: shared, method: 8 as const, size: 16 << 20, sameDataAs: 1 })),
  ]), /zip archive declares more than 288 MiB of content/);
  add('zip storage entry larger than its storage', 'pth', 'zip-oversized-entry.pth',
    zipCheckpoint(pickle, { body: deflated(new Uint8Array(8192)), method: 8, size: 8192 }), /"archive\/data\/0" declares 8192 bytes, more than the 1024 bytes it can hold/);
  const good = zipCheckpoint(pickle, { body: deflated(new Uint8Array(1024)), method: 8, size: 1024 });
  for (const fraction of [0.1, 0.5, 0.9]) {
    add(`zip archive cut at ${fraction * 100}%`, 'pth', `zip-cut-${fraction * 100}.pth`, good.subarray(0, Math.floor(good.length * fraction)), /truncated or corrupt zip/);
  }
  const cutBody = zipCheckpoint(pickle, { body: deflated(new Uint8Array(1024)).subarray(0, 4), method: 8, size: 1024 });
  add('zip entry with a truncated deflate stream', 'pth', 'zip-cut-deflate.pth', cutBody, /"archive\/data\/0" does not inflate/);
  const badDirectory = good.slice();
  new DataView(badDirectory.buffer).setUint32(badDirectory.length - 6, 0x7fffffff, true);
  add('zip whose directory offset points past the end', 'pth', 'zip-bad-directory.pth', badDirectory, /truncated zip: the central directory/);

  // -- legacy archives cut short --
  const legacyGood = cat(legacy([...ordered(), ...MARK, ...str('w'), ...tensorOps('0', 2, [2], [1]), ...SETITEMS]),
    PROTO2, EMPTY_LIST, MARK, str('0'), [0x65], STOP, [2, 0, 0, 0, 0, 0, 0, 0], new Uint8Array(8));
  for (const cut of [40, 120, legacyGood.length - 4]) {
    add(`legacy checkpoint cut at byte ${cut}`, 'pth', `legacy-cut-${cut}.pth`, legacyGood.subarray(0, cut), /truncated/);
  }
  const negativeCount = legacyGood.slice();
  new DataView(negativeCount.buffer).setBigInt64(negativeCount.length - 16, -1n, true);
  add('legacy storage with a negative element count', 'pth', 'legacy-negative.pth', negativeCount, /storage "0" at byte \d+ declares -1 elements/);

  // -- safetensors --
  const fourMiB = 4 << 20;
  add('1,000 safetensors entries over the same 4 MB', 'weights', 'overlap.safetensors', safetensors(
    Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`t${i}`, { dtype: 'F32', shape: [1 << 20], data_offsets: [0, fourMiB] }])), fourMiB,
  ), /tensors "t\d+" and "t\d+" overlap/);
  add('safetensors offsets past the end', 'weights', 'oob.safetensors',
    safetensors({ w: { dtype: 'F32', shape: [1 << 20], data_offsets: [0, fourMiB] } }, 16), /tensor "w": data_offsets \[0, 4194304\] are out of range of the 16-byte data buffer/);
  add('safetensors span not a whole number of elements', 'weights', 'misaligned.safetensors',
    safetensors({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 6] } }, 6), /tensor "w": data_offsets \[0, 6\] span 6 bytes, not a whole number of 4-byte F32 values/);
  add('safetensors shape [2^40, 2^40]', 'weights', 'huge-shape.safetensors',
    safetensors({ w: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } }, 16), /tensor "w": shape \[1099511627776, 1099511627776\] × F32 needs more bytes than the whole file holds/);
  add('safetensors shape that is not a list', 'weights', 'shape-object.safetensors',
    safetensors({ w: { dtype: 'F32', shape: { map: 1 }, data_offsets: [0, 16] } }, 16), /tensor "w": shape must be a list/);
  add('safetensors header of 9 MiB', 'weights', 'big-header.safetensors', safetensors(undefined, 0, `{}${' '.repeat(9 << 20)}`), /header is 9\.0 MiB, more than the 8 MiB/);
  add('safetensors header length 2^63', 'weights', 'header-length.safetensors', (() => {
    const bytes = safetensors({}, 0);
    new DataView(bytes.buffer).setBigUint64(0, 1n << 63n, true);
    return bytes;
  })(), /truncated safetensors file: the header says 9223372036854775808 header bytes/);
  add('safetensors header nested 100,000 deep', 'weights', 'deep-header.safetensors',
    safetensors(undefined, 0, `${'['.repeat(100_000)}${']'.repeat(100_000)}`), /safetensors header (is not a JSON object|is not valid UTF-8 JSON)/);
  add('safetensors with a 100 KB tensor name', 'weights', 'long-name.safetensors',
    safetensors({ ['n'.repeat(100_000)]: { dtype: 'X', shape: [1], data_offsets: [0, 4] } }, 4), /tensor "n{200}"… \(99800 more characters\): unknown dtype "X"/);
  const goodSt = safetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F16', shape: [2], data_offsets: [16, 20] } }, 20);
  for (const cut of [4, 30, goodSt.length - 2]) {
    add(`safetensors cut at byte ${cut}`, 'weights', `st-cut-${cut}.safetensors`, goodSt.subarray(0, cut), /truncated|out of range|not valid UTF-8 JSON/);
  }

  // -- TF.js manifests --
  const shardFile = path.join(dir, 'shard.bin');
  writeFileSync(shardFile, new Uint8Array(4096));
  const entry = (name: string, n = 1024) => ({ name, shape: [n], dtype: 'float32' });
  add('a shard listed 200 times', 'weights', 'repeated-shard.json',
    tfjsManifest([{ paths: Array(200).fill('shard.bin'), weights: Array.from({ length: 200 }, (_, i) => entry(`t${i}`)) }]), /weight shard "shard\.bin" is listed twice/);
  add('one shard under two spellings, in two groups', 'weights', 'respelled-shard.json',
    tfjsManifest([{ paths: ['shard.bin'], weights: [entry('a')] }, { paths: ['./sub/../shard.bin'], weights: [entry('b')] }]), /weight shard "\.\/sub\/\.\.\/shard\.bin" is listed twice \(as "shard\.bin" too\)/);
  writeFileSync(path.join(outsideDir, 'secret.bin'), new Uint8Array(4096));
  add('a shard path with ../', 'weights', 'dotdot.json',
    tfjsManifest([{ paths: [`../${path.basename(outsideDir)}/secret.bin`], weights: [entry('a')] }]), /cannot read weight shard ".*secret\.bin" \(holding "a"…\): shard paths must stay inside/);
  add('an absolute shard path', 'weights', 'absolute.json',
    tfjsManifest([{ paths: [path.join(outsideDir, 'secret.bin')], weights: [entry('a')] }]), /shard paths must stay inside/);
  symlinkSync(path.join(outsideDir, 'secret.bin'), path.join(dir, 'link.bin'));
  add('a symlinked shard leaving the folder', 'weights', 'symlink.json',
    tfjsManifest([{ paths: ['link.bin'], weights: [entry('a')] }]), /cannot read weight shard "link\.bin" \(holding "a"…\): it resolves \(through a symlink\) to .*secret\.bin, outside/);
  mkdirSync(path.join(dir, 'linked-dir'));
  symlinkSync(outsideDir, path.join(dir, 'linked-dir', 'out'));
  add('a shard behind a symlinked folder', 'weights', 'symlink-dir.json',
    tfjsManifest([{ paths: ['linked-dir/out/secret.bin'], weights: [entry('a')] }]), /resolves \(through a symlink\) to .*outside/);
  symlinkSync(shardFile, path.join(dir, 'alias.bin'));
  add('the same shard twice through a symlink inside the folder', 'weights', 'alias.json',
    tfjsManifest([{ paths: ['shard.bin', 'alias.bin'], weights: [entry('a', 2048)] }]), /cannot read weight shard "alias\.bin" .*same file as shard "shard\.bin"/);
  add('a manifest whose shape is a string', 'weights', 'shape-string.json',
    tfjsManifest([{ paths: ['shard.bin'], weights: [{ name: 'a', shape: 'abc', dtype: 'float32' }] }]), /tensor "a": shape "abc" must be a list of non-negative integers/);
  add('a manifest whose weights are not a list', 'weights', 'weights-object.json',
    tfjsManifest([{ paths: ['shard.bin'], weights: { map: 1 } }]), /weight group 1: "weights" must be a list/);
  add('a manifest whose paths are numbers', 'weights', 'paths-numbers.json',
    tfjsManifest([{ paths: [1, 2], weights: [] }]), /weight group 1: "paths" must be a non-empty list of shard file names/);
  add('a manifest declaring 280 MB of tensors', 'weights', 'too-big.json',
    tfjsManifest([{ paths: ['shard.bin'], weights: [entry('a', 70_000_000)] }]), /tensor "a": the manifest's tensors add up to more than 256 MiB/);
  add('a shard that is a directory', 'weights', 'dir-shard.json',
    tfjsManifest([{ paths: ['linked-dir'], weights: [entry('a')] }]), /cannot read weight shard "linked-dir" .*is not a regular file/);
  add('a shard cut short', 'weights', 'short-shard.json',
    tfjsManifest([{ paths: ['shard.bin'], weights: [entry('a', 2000)] }]), /tensor "a" needs bytes 0\.\.8000 but shard shard\.bin holds only 4096 bytes/);

  // -- IDX --
  add('IDX header declaring 65535³ values in 16 bytes', 'idx', 'huge.idx', cat(idxHeader([65535, 65535, 65535]), [1, 2, 3, 4]), /header promises more values \(shape \[65535, 65535, 65535\]\) but 4 follow/);
  add('IDX gzip inflating 1 GiB past its header', 'idx', 'bomb.idx.gz', gzipWrap(zeroBombDeflate(1024, idxHeader([100]))), /decompresses to more than the 108 bytes its header declares/);
  add('gzipped IDX header declaring 4 GB', 'idx', 'huge.idx.gz', gzipWrap(zeroBombDeflate(16, idxHeader([65536, 65536]))), /header declares shape \[65536, 65536\], more than the 256 MiB/);
  add('IDX gzip cut short', 'idx', 'cut.idx.gz', gzipWrap(deflated(cat(idxHeader([4096]), new Uint8Array(4096)))).subarray(0, 30), /header promises|not a valid gzip file|truncated IDX header/);
  return cases;
}
