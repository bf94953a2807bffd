import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../fixtures';
import { CheckpointError, loadTorchCheckpoint } from '../../../src/engine/torch/checkpoint';
import { describePickleValue, loadPickle, PICKLE_LIMITS, PickleError } from '../../../src/engine/torch/pickle';
import { enc, cat, PROTO2, STOP, MARK, TUPLE, TUPLE1, REDUCE, SETITEMS, BINPERSID, NEWFALSE, str, int1, global, ordered, tensor, zip } from './pickle-ops';

function f32(values: number[]): Uint8Array { return new Uint8Array(Float32Array.from(values).buffer); }

function int64(n: number): Uint8Array { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, BigInt(n), true); return b; }

const ZIP_PICKLE = cat(PROTO2, ordered(), MARK,
  str('w'), tensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1]),
  str('b'), tensor('FloatStorage', '0', 6, 4, [2], [1]),
  str('h'), tensor('HalfStorage', '1', 2, 0, [2], [1]),
  str('n'), tensor('LongStorage', '2', 1, 0, [1], [1]),
  SETITEMS, STOP);

function zipCheckpoint(pickle: Uint8Array = ZIP_PICKLE): Uint8Array {
  return zip([
    { name: 'archive/data.pkl', data: pickle, deflate: true },
    { name: 'archive/byteorder', data: enc.encode('little') },
    { name: 'archive/data/0', data: f32([1, 2, 3, 4, 5, 6]) },
    { name: 'archive/data/1', data: new Uint8Array(new Uint16Array([0x3e00, 0xc000]).buffer) }, // 1.5, -2 in fp16
    { name: 'archive/data/2', data: int64(-7), deflate: true },
    { name: 'archive/version', data: enc.encode('3\n') },
  ]);
}

describe('PyTorch checkpoint reader', () => {
  it('reads OFA acc_predictor.pth (legacy format): names, shapes, dtypes, in order', () => {
    const tensors = loadTorchCheckpoint(readFileSync(path.join(REPO_ROOT, 'resources', 'ofa', 'acc_predictor.pth')));
    assert.deepEqual([...tensors.keys()], ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias', '6.weight', '6.bias']);
    assert.deepEqual(tensors.get('0.weight')!.shape, [400, 128]);
    assert.deepEqual(tensors.get('6.weight')!.shape, [1, 400]);
    assert.equal(tensors.get('2.weight')!.data.length, 160000);
    assert.equal(tensors.get('6.bias')!.dtype, 'float32');
    // 51,200 + 400 + 2 × (160,000 + 400) + 400 + 1 float32 values across the eight storages.
    const numel = [...tensors.values()].reduce((sum, t) => sum + t.data.length, 0);
    assert.equal(numel, 372801);
  });

  it('reads a zip checkpoint built byte by byte: offsets, deflate, fp16 widening, int64', () => {
    const tensors = loadTorchCheckpoint(zipCheckpoint());
    assert.deepEqual(tensors.get('w'), { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    assert.deepEqual([...tensors.get('b')!.data], [5, 6]); // storage offset 4
    assert.deepEqual([...tensors.get('h')!.data], [1.5, -2]);
    assert.equal(tensors.get('h')!.dtype, 'float16');
    assert.deepEqual([...tensors.get('n')!.data], [-7n]);
  });

  it('reads a legacy checkpoint built byte by byte (magic, protocol, sys info, main, keys, storages)', () => {
    const magic = cat(PROTO2, [0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], STOP);
    const protocol = cat(PROTO2, [0x4d, 0xe9, 0x03], STOP); // BININT2 1001
    const sysInfo = cat(PROTO2, [0x7d], str('little_endian'), [0x88, 0x73], STOP); // {little_endian: True}
    const main = cat(PROTO2, ordered(), MARK, str('a'), tensor('DoubleStorage', '7', 2, 0, [2], [1], true), SETITEMS, STOP);
    const keys = cat(PROTO2, [0x5d], MARK, str('7'), [0x65], STOP); // ['7']
    const storage = cat(int64(2), new Uint8Array(Float64Array.from([0.25, -8]).buffer));
    const tensors = loadTorchCheckpoint(cat(magic, protocol, sysInfo, main, keys, storage));
    assert.deepEqual(tensors.get('a'), { dtype: 'float64', shape: [2], data: Float64Array.from([0.25, -8]) });
    assert.throws(() => loadTorchCheckpoint(cat(magic, protocol, sysInfo, main, keys, storage.subarray(0, 12)), 'x.pth'),
      (e: Error) => e instanceof CheckpointError && /x\.pth: truncated: storage 7 needs 16 bytes/.test(e.message));
  });

  it('refuses an evil global by name, without executing anything', () => {
    const evil = cat(PROTO2, global('os', 'system'), str('echo pwned'), TUPLE1, REDUCE, STOP);
    assert.throws(() => loadTorchCheckpoint(zipCheckpoint(evil), 'evil.pt'),
      (e: Error) => e instanceof CheckpointError && e.message === 'evil.pt: refusing to load global os.system: Greenprint reads tensor checkpoints only');
    const stackGlobal = cat([0x80, 4], [0x8c, 8], enc.encode('builtins'), [0x8c, 4], enc.encode('eval'), [0x93], STOP);
    assert.throws(() => loadPickle(stackGlobal, 0, { findGlobal: () => { throw new Error('must not be asked'); } }),
      (e: Error) => e instanceof PickleError && /refusing to load global builtins\.eval/.test(e.message));
  });

  it('refuses unknown opcodes by name and truncated files with where it stopped', () => {
    assert.throws(() => loadTorchCheckpoint(zipCheckpoint(cat(PROTO2, [0x82, 1], STOP)), 'odd.pt'), /odd\.pt: .*unsupported pickle opcode EXT1 at byte 2/);
    const real = readFileSync(path.join(REPO_ROOT, 'resources', 'ofa', 'acc_predictor.pth'));
    assert.throws(() => loadTorchCheckpoint(real.subarray(0, 500), 'cut.pth'), /cut\.pth: main pickle: truncated: .* the file ends at byte 500/);
    assert.throws(() => loadTorchCheckpoint(real.subarray(0, real.length - 100), 'cut.pth'), /cut\.pth: truncated: storage \d+ needs/);
    const archive = zipCheckpoint();
    assert.throws(() => loadTorchCheckpoint(archive.subarray(0, archive.length - 30)), /truncated or corrupt zip/);
    assert.throws(() => loadTorchCheckpoint(enc.encode('{"not": "a checkpoint"}'), 'a.json'), /a\.json: not a PyTorch checkpoint/);
  });

  it('describes unpickled values in a few hundred characters, however shared or cyclic', () => {
    // (x, x) 60 times over: 2^60 leaves if expanded.
    const bomb = cat(PROTO2, [0x5d], ...Array.from({ length: 60 }, () => [0x32, 0x86]), STOP);
    const value = loadPickle(bomb, 0, { findGlobal: () => { throw new Error('no globals here'); } }).value;
    const text = describePickleValue(value);
    assert.ok(text.length <= 201 && text.startsWith('(((((((('), text);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic, 'x'.repeat(1000));
    assert.ok(describePickleValue(cyclic).length <= 201);
    assert.equal(describePickleValue(new Map<unknown, unknown>([['a', Object.freeze([1, 2n, null, true])]])), '{"a": (1, 2, None, True)}');
  });

  it('stops crafted pickles at a named limit and wraps callback errors with the file and byte', () => {
    const deep = cat(PROTO2, Array.from({ length: PICKLE_LIMITS.maxOpenMarks + 1 }, () => 0x28), STOP);
    assert.throws(() => loadTorchCheckpoint(zipCheckpoint(deep), 'deep.pt'), /deep\.pt: archive\/data\.pkl: number of open MARKs exceeds 100 at byte 102/);
    const noneSize = cat(PROTO2, ordered(), MARK, str('t'),
      global('torch._utils', '_rebuild_tensor_v2'), MARK,
      MARK, str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), int1(6), TUPLE, BINPERSID,
      int1(0), [0x4e], [0x4e], NEWFALSE, ordered(), TUPLE, REDUCE, SETITEMS, STOP);
    assert.throws(() => loadTorchCheckpoint(zipCheckpoint(noneSize), 'size.pt'),
      (e: Error) => e instanceof CheckpointError && /^size\.pt: archive\/data\.pkl: _rebuild_tensor_v2\(…\) at byte \d+: tensor size None is not a tuple/.test(e.message));
    // Storage "0" holds 2 floats per the pickle, but its zip entry declares 24 bytes: refused before inflating.
    const small = cat(PROTO2, ordered(), MARK, str('t'), tensor('FloatStorage', '0', 2, 0, [2], [1]), SETITEMS, STOP);
    assert.throws(() => loadTorchCheckpoint(zipCheckpoint(small), 'big.pt'), /big\.pt: zip entry "archive\/data\/0" declares 24 bytes, more than the 8 bytes it can hold/);
  });

  it('refuses non-contiguous tensors and missing storages clearly', () => {
    const strided = cat(PROTO2, ordered(), MARK, str('t'), tensor('FloatStorage', '0', 6, 0, [2, 3], [1, 2]), SETITEMS, STOP);
    assert.throws(() => loadTorchCheckpoint(zipCheckpoint(strided)), /tensor "t" is not contiguous \(shape \[2,3\], stride \[1,2\]\)/);
    const missing = cat(PROTO2, ordered(), MARK, str('t'), tensor('FloatStorage', '9', 1, 0, [1], [1]), SETITEMS, STOP);
    assert.throws(() => loadTorchCheckpoint(zipCheckpoint(missing)), /zip archive lacks "archive\/data\/9"/);
  });
});
