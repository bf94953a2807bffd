import assert from 'node:assert/strict';
import { readSafetensors, readSafetensorsFile, writeSafetensors, SafetensorsError } from '../../../src/engine/weights/safetensors';

/** Builds raw safetensors bytes from a header object and a data buffer (no validation). */
function rawFile(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips F32 tensors and metadata, with the data buffer 8-byte aligned', () => {
    const tensors = new Map([
      ['a.weight', { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7]) }],
      ['b', { shape: [1], data: new Float32Array([42]) }],
      ['empty', { shape: [0, 4], data: new Float32Array(0) }],
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'x' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLength) % 8, 0);
    // Padding is spaces (0x20) at the end of the header, as the spec allows.
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    assert.equal(header.trimEnd().endsWith('}'), true);
    const read = readSafetensorsFile(bytes, 'w.safetensors');
    assert.deepEqual(read.metadata, { format: 'pt', note: 'x' });
    assert.deepEqual([...read.tensors.keys()].sort(), ['a.weight', 'b', 'empty']);
    assert.deepEqual(read.tensors.get('a.weight')!.shape, [2, 3]);
    assert.deepEqual([...read.tensors.get('a.weight')!.data], [...new Float32Array([1, -2, 3.5, 0, 1e-8, -7])]);
    assert.equal(read.tensors.get('b')!.data[0], 42);
    assert.equal(read.tensors.get('a.weight')!.dtype, 'F32');
  });

  it('widens F16 and BF16 to float32 (hand-encoded values)', () => {
    // F16: 0x3C00 = 1, 0xC000 = -2, 0x3555 ≈ 0.33325, 0x0001 = 2^-24 (smallest subnormal), 0x7C00 = +inf.
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00]).buffer);
    // BF16: 0x3F80 = 1, 0x4049 = 3.140625, 0xBF00 = -0.5.
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0x4049, 0xbf00, 0]).buffer);
    const data = new Uint8Array(f16.length + bf16.length);
    data.set(f16);
    data.set(bf16, f16.length);
    const bytes = rawFile(
      { h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] }, b: { dtype: 'BF16', shape: [2, 2], data_offsets: [10, 18] } },
      data,
    );
    const t = readSafetensors(bytes, 'half.safetensors');
    assert.deepEqual([...t.get('h')!.data], [1, -2, Math.fround(0.333251953125), 2 ** -24, Infinity]);
    assert.equal(t.get('h')!.dtype, 'F16');
    assert.deepEqual([...t.get('b')!.data], [1, 3.140625, -0.5, 0]);
  });

  it('rejects broken files with errors naming the file and the tensor', () => {
    const four = new Uint8Array(8);
    assert.throws(() => readSafetensors(new Uint8Array(5), 'tiny.st'), /tiny\.st: truncated safetensors file: 5 bytes/);
    const good = writeSafetensors(new Map([['w', { shape: [2], data: new Float32Array([1, 2]) }]]));
    assert.throws(() => readSafetensors(good.subarray(0, good.length - 3), 'cut.st'), /cut\.st: .*"w".*out of range/);
    const hugeHeader = new Uint8Array(16);
    new DataView(hugeHeader.buffer).setBigUint64(0, 1000n, true);
    assert.throws(() => readSafetensors(hugeHeader, 'h.st'), /h\.st: truncated safetensors file: the header says 1000 header bytes but only 8 follow/);
    assert.throws(
      () => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 12] } }, new Uint8Array(12)), 'size.st'),
      /size\.st: tensor "w": shape \[2\] × F32 needs 8 bytes but data_offsets span 12/,
    );
    assert.throws(
      () => readSafetensors(rawFile({ w: { dtype: 'F33', shape: [2], data_offsets: [0, 8] } }, four), 'dt.st'),
      /dt\.st: tensor "w": unknown dtype "F33"/,
    );
    assert.throws(
      () => readSafetensors(rawFile({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, four), 'int.st'),
      /int\.st: tensor "w": dtype I64 is not supported/,
    );
    assert.throws(
      () =>
        readSafetensors(
          rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, four),
          'ov.st',
        ),
      /ov\.st: tensors "a" and "b" overlap/,
    );
    assert.throws(
      () => readSafetensors(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, four), 'hole.st'),
      /hole\.st: data buffer bytes 0\.\.4 belong to no tensor \(before "a"\)/,
    );
    assert.throws(() => readSafetensors(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, four), 'rev.st'), /rev\.st: tensor "a": data_offsets \[8, 4\] are out of range/);
    const notJson = new Uint8Array(12);
    new DataView(notJson.buffer).setBigUint64(0, 4n, true);
    notJson.set(new TextEncoder().encode('{{{{'), 8);
    assert.throws(() => readSafetensors(notJson, 'j.st'), (e: unknown) => e instanceof SafetensorsError && /j\.st: the safetensors header is not valid UTF-8 JSON/.test(e.message));
  });

  it('refuses to write a tensor whose data does not fill its shape', () => {
    assert.throws(() => writeSafetensors(new Map([['w', { shape: [3], data: new Float32Array(2) }]])), /tensor "w": shape \[3\] holds 3 values but 2 were given/);
  });
});
