import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../../src/engine/runtime/backend';
import { randomSupernetWeights } from '../../../src/engine/supernet/weights';
import { loadWeightsFile, writeSupernetTfjsWeights, WeightsFileError } from '../../../src/engine/weights/load';
import { writeSafetensors } from '../../../src/engine/weights/safetensors';
import { readTfjsWeights, tfjsWeightsFileText, TfjsWeightsError, writeTfjsWeights, TFJS_WEIGHTS_FORMAT } from '../../../src/engine/weights/tfjs-weights';

const SMALL = new Map([
  ['a.weight', { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7]) }],
  ['b', { shape: [1], data: new Float32Array([42]) }],
  ['empty', { shape: [0, 4], data: new Float32Array(0) }],
]);

/** A standalone weights JSON text around `weights` with one shard "w.bin". */
function fileText(weights: unknown[], paths = ['w.bin']): string {
  return JSON.stringify({ format: TFJS_WEIGHTS_FORMAT, weightsManifest: [{ paths, weights }] });
}

function shards(files: Record<string, Uint8Array>) {
  return (p: string) => {
    const bytes = files[p];
    if (!bytes) throw new Error(`no such file ${p}`);
    return bytes;
  };
}

describe('TF.js weights format', () => {
  it('round-trips tensors through the manifest + shard, in order, little-endian', () => {
    const { manifest, bin } = writeTfjsWeights(SMALL, { shardFile: 'w.bin' });
    assert.deepEqual(manifest, [{ paths: ['w.bin'], weights: [
      { name: 'a.weight', shape: [2, 3], dtype: 'float32' },
      { name: 'b', shape: [1], dtype: 'float32' },
      { name: 'empty', shape: [0, 4], dtype: 'float32' },
    ] }]);
    assert.equal(bin.length, 4 * 7);
    assert.equal(new DataView(bin.buffer).getFloat32(4 * 6, true), 42, 'b follows a.weight directly');
    const read = readTfjsWeights(tfjsWeightsFileText(manifest), 'w.json', shards({ 'w.bin': bin }));
    assert.deepEqual([...read.keys()], ['a.weight', 'b', 'empty']);
    for (const [name, t] of SMALL) {
      assert.deepEqual(read.get(name)!.shape, t.shape);
      assert.deepEqual([...read.get(name)!.data], [...t.data]);
      assert.equal(read.get(name)!.dtype, 'F32');
    }
    assert.equal(writeTfjsWeights(SMALL).manifest[0].paths[0], 'group1-shard1of1.bin');
  });

  it('is the format TF.js itself decodes (tf.io.decodeWeights), int32 entries included', async () => {
    const { tf } = await initBackend();
    const mixed = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>([...SMALL, ['pads', { shape: [2, 2], data: new Int32Array([0, -1, 2, 3]) }]]);
    const { manifest, bin } = writeTfjsWeights(mixed);
    const decoded = tf.io.decodeWeights(bin.buffer as ArrayBuffer, manifest[0].weights);
    assert.deepEqual(Array.from(decoded['a.weight'].dataSync()), Array.from(SMALL.get('a.weight')!.data));
    assert.equal(decoded.pads.dtype, 'int32');
    assert.deepEqual(Array.from(decoded.pads.dataSync()), [0, -1, 2, 3]);
    tf.dispose(Object.values(decoded));
  });

  it('reads float16-quantized entries (TF.js quantization dtype float16) widened to float32', () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer);
    const text = fileText([{ name: 'h', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } }]);
    const t = readTfjsWeights(text, 'half.json', shards({ 'w.bin': half })).get('h')!;
    assert.deepEqual([...t.data], [1, -2, Math.fround(0.333251953125)]);
    assert.equal(t.dtype, 'F16');
  });

  it('concatenates a group’s shards in path order and reads several groups', () => {
    const { manifest, bin } = writeTfjsWeights(SMALL);
    const split = [{ paths: ['p1', 'p2'], weights: manifest[0].weights.slice(0, 2) }, { paths: ['p3'], weights: [{ name: 'c', shape: [1], dtype: 'float32' }] }];
    const c = new Uint8Array(new Float32Array([5]).buffer);
    const read = readTfjsWeights(JSON.stringify({ format: TFJS_WEIGHTS_FORMAT, weightsManifest: split }), 'w.json', shards({ p1: bin.subarray(0, 10), p2: bin.subarray(10), p3: c }));
    assert.equal(read.get('b')!.data[0], 42);
    assert.equal(read.get('c')!.data[0], 5);
    assert.deepEqual(read.get('a.weight')!.data, SMALL.get('a.weight')!.data); // straddles p1 | p2
    // Shards are read in place, not concatenated: a tensor spread over three shards, one of them empty.
    const three = [{ paths: ['q1', 'q2', 'q3'], weights: manifest[0].weights.slice(0, 1) }];
    const spread = readTfjsWeights(JSON.stringify({ format: TFJS_WEIGHTS_FORMAT, weightsManifest: three }), 'w.json',
      shards({ q1: bin.subarray(0, 3), q2: new Uint8Array(0), q3: bin.subarray(3, 24) }));
    assert.deepEqual(spread.get('a.weight')!.data, SMALL.get('a.weight')!.data);
  });

  describe('rejections name the file and the tensor', () => {
    const bin = writeTfjsWeights(SMALL).bin;
    const entries = writeTfjsWeights(SMALL).manifest[0].weights;
    const rejects = (text: string, files: Record<string, Uint8Array>, pattern: RegExp) =>
      assert.throws(() => readTfjsWeights(text, 'bad.json', shards(files)), (e: unknown) => e instanceof TfjsWeightsError && /^bad\.json: /.test(e.message) && pattern.test(e.message));

    it('a dtype other than float32 (and affine quantization)', () => {
      rejects(fileText([{ ...entries[0], dtype: 'int32' }, ...entries.slice(1)]), { 'w.bin': bin }, /tensor "a\.weight": dtype "int32" is not supported/);
      rejects(fileText([{ ...entries[0], quantization: { dtype: 'uint8', scale: 1, min: 0 } }]), { 'w.bin': bin }, /tensor "a\.weight": uint8-quantized weights are not supported/);
    });

    it('a short shard, naming the first tensor that does not fit; a long one, naming the last', () => {
      rejects(fileText(entries), { 'w.bin': bin.subarray(0, bin.length - 4) }, /tensor "b" needs bytes 24\.\.28 but shard w\.bin holds only 24 bytes/);
      const long = new Uint8Array(bin.length + 2);
      long.set(bin);
      rejects(fileText(entries), { 'w.bin': long }, /2 trailing bytes after the last tensor "empty"/);
    });

    it('a duplicate name, also across groups', () => {
      rejects(fileText([...entries, entries[1]]), { 'w.bin': bin }, /tensor "b" is listed twice/);
      const twoGroups = JSON.stringify({ format: TFJS_WEIGHTS_FORMAT, weightsManifest: [{ paths: ['w.bin'], weights: entries }, { paths: ['x.bin'], weights: [entries[1]] }] });
      rejects(twoGroups, { 'w.bin': bin, 'x.bin': new Uint8Array(4) }, /tensor "b" is listed twice/);
    });

    it('a missing shard file, naming the shard and its first tensor', () => {
      rejects(fileText(entries, ['gone.bin']), { 'w.bin': bin }, /cannot read weight shard "gone\.bin" \(holding "a\.weight"…\): no such file gone\.bin/);
    });

    it('a shard listed twice, entries of the wrong type and oversized manifests, before any shard is read', () => {
      let reads = 0;
      const counting = (p: string) => { reads++; return shards({ 'w.bin': bin })(p); };
      const refuse = (text: string, pattern: RegExp) =>
        assert.throws(() => readTfjsWeights(text, 'bad.json', counting), (e: unknown) => e instanceof TfjsWeightsError && /^bad\.json: /.test(e.message) && pattern.test(e.message));
      refuse(fileText(entries, ['w.bin', 'w.bin']), /weight shard "w\.bin" is listed twice/);
      refuse(JSON.stringify({ format: TFJS_WEIGHTS_FORMAT, weightsManifest: [{ paths: ['w.bin'], weights: [entries[0]] }, { paths: ['./w.bin'], weights: [entries[1]] }] }),
        /weight shard "\.\/w\.bin" is listed twice \(as "w\.bin" too\)/);
      refuse(fileText([{ name: 'x', shape: { map: 1 }, dtype: 'float32' }]), /tensor "x": shape \{"map":1\} must be a list of non-negative integers/);
      refuse(fileText([{ name: 'x', shape: [1 << 16, 1 << 16], dtype: 'float32' }]), /tensor "x": the manifest's tensors add up to more than 256 MiB/);
      refuse(fileText([{ name: 'y'.repeat(10_000), shape: [1], dtype: 'int8' }]), /tensor "y{200}"… \(9800 more characters\): dtype "int8"/);
      assert.equal(reads, 0);
    });

    it('shapes that are not lists of non-negative integers, and files that are not Greenprint weights', () => {
      rejects(fileText([{ name: 'x', shape: [2, -1], dtype: 'float32' }]), { 'w.bin': bin }, /tensor "x": shape \[2,-1\] must be a list of non-negative integers/);
      rejects(fileText([{ name: 'x', shape: [1.5], dtype: 'float32' }]), { 'w.bin': bin }, /tensor "x": shape/);
      rejects(JSON.stringify({ format: 'graph-model', weightsManifest: [] }), {}, /not a Greenprint TF\.js weights file \(its "format" is "graph-model"\)/);
      rejects('{', {}, /not valid JSON/);
    });
  });

  describe('loadWeightsFile / writeSupernetTfjsWeights', () => {
    const space = { space: 'mobilenetv3' as const, widthMult: 1.0, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10 };
    const supernet = randomSupernetWeights(space, 3);

    it('reads the same supernet from .safetensors and from the TF.js .json + .bin', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'gp-tfjs-weights-'));
      const st = path.join(dir, 'supernet.safetensors');
      writeFileSync(st, writeSafetensors(supernet));
      const written = writeSupernetTfjsWeights(supernet, path.join(dir, 'supernet.weights.json'));
      assert.equal(written.bin, path.join(dir, 'supernet.weights.bin'));
      assert.deepEqual(JSON.parse(readFileSync(written.json, 'utf8')).weightsManifest[0].paths, ['supernet.weights.bin']);
      const fromJson = loadWeightsFile(written.json);
      const fromSt = loadWeightsFile(st);
      assert.equal(fromJson.size, supernet.size);
      for (const [name, t] of supernet) {
        assert.deepEqual(fromJson.get(name)!.shape, t.shape, name);
        assert.deepEqual(fromJson.get(name)!.data, t.data, name);
        assert.deepEqual(fromSt.get(name)!.data, t.data, name);
      }
      // No overwrite without force; with force the pair is replaced.
      assert.throws(() => writeSupernetTfjsWeights(supernet, written.json), /supernet\.weights\.json, .*supernet\.weights\.bin already exist; refusing/);
      writeSupernetTfjsWeights(new Map([['x', { shape: [1], data: new Float32Array([1]) }]]), written.json, { force: true });
      assert.deepEqual([...loadWeightsFile(written.json).keys()], ['x']);
    });

    it('rejects unknown extensions, missing files and shards outside the JSON folder', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'gp-tfjs-weights-'));
      assert.throws(() => loadWeightsFile(path.join(dir, 'w.pt')), (e: unknown) => e instanceof WeightsFileError && /w\.pt: unknown weights format "\.pt"; expected \.safetensors or a TF\.js weights \.json/.test(e.message));
      assert.throws(() => loadWeightsFile(path.join(dir, 'none.json')), /none\.json: no such file/);
      const escape = path.join(dir, 'escape.json');
      writeFileSync(escape, fileText([{ name: 'x', shape: [1], dtype: 'float32' }], ['../outside.bin']));
      assert.throws(() => loadWeightsFile(escape), /escape\.json: cannot read weight shard "\.\.\/outside\.bin" .*must stay inside/);
      const written = writeSupernetTfjsWeights(new Map([['x', { shape: [1], data: new Float32Array([1]) }]]), path.join(dir, 'w.json'));
      unlinkSync(written.bin);
      assert.throws(() => loadWeightsFile(written.json), (e: unknown) => e instanceof TfjsWeightsError && /w\.json: cannot read weight shard "w\.bin" \(holding "x"…\): no such file/.test(e.message));
      assert.throws(() => writeSupernetTfjsWeights(new Map(), path.join(dir, 'w.bin')), /must end in \.json/);
    });
  });
});
