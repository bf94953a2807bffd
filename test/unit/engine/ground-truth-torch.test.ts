/**
 * Weights as ground truth, PyTorch state dicts: a `pytorch_model.bin` (zip or legacy `torch.save`) or a
 * sharded `pytorch_model.bin.index.json` beside a Hugging Face config.json is read from its metadata only
 * (the zip's directory and data.pkl, the legacy file's leading pickles) and compared with the config's count.
 *
 * The config is the published Qwen/Qwen2.5-3B config.json (test/fixtures/hf, published count 3,085,938,688,
 * tied embeddings); the state dicts are crafted with its 434 real tensor names and shapes (checkpoint-tensors.ts). The zip archives
 * hold data.pkl, byteorder and version but none of the `data/<key>` storages, and the legacy files end after
 * the storage-key list: the metadata reader never opens tensor data, which these files prove by not having it.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import '../../../src/engine/ops';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { siblingBytesReader } from '../../../src/engine/isolated/siblings';
import { loadTorchCheckpoint } from '../../../src/engine/torch/checkpoint';
import { readStateDictShapes } from '../../../src/engine/torch/shapes';
import { fixturePath } from '../fixtures';
import { qwenTensors, type Tensor } from './checkpoint-tensors';
import { cat, enc, MARK, ordered, PROTO2, SETITEMS, STOP, str, tensor, zip } from '../torch/pickle-ops';

const QWEN_PARAMS = 3_085_938_688;
const CONFIG = readFileSync(fixturePath('hf', 'Qwen2.5-3B.config.json'), 'utf8');

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const contiguous = (shape: readonly number[]) => shape.length === 1 ? [1] : [shape[1], 1];

/**
 * The state dict's main pickle, one BFloat16 storage per tensor (key = its index) unless `sharing` names an
 * earlier tensor whose storage it reuses (how `torch.save` writes tied weights).
 */
function statePickle(tensors: readonly Tensor[], sharing: Record<string, string> = {}, legacy = false): Uint8Array {
  const keys = new Map<string, string>();
  const items = tensors.flatMap(([name, shape], i) => {
    const key = sharing[name] !== undefined ? keys.get(sharing[name])! : String(i);
    keys.set(name, key);
    return [...str(name), ...tensor('BFloat16Storage', key, numel(shape), 0, [...shape], contiguous(shape), legacy)];
  });
  return cat(PROTO2, ordered(), MARK, items, SETITEMS, STOP);
}

function zipStateDict(tensors: readonly Tensor[], sharing: Record<string, string> = {}): Uint8Array {
  return zip([
    { name: 'pytorch_model/data.pkl', data: statePickle(tensors, sharing) },
    { name: 'pytorch_model/byteorder', data: enc.encode('little') },
    { name: 'pytorch_model/version', data: enc.encode('3\n') },
  ]);
}

function legacyStateDict(tensors: readonly Tensor[]): Uint8Array {
  const magic = cat(PROTO2, [0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], STOP);
  const protocol = cat(PROTO2, [0x4d, 0xe9, 0x03], STOP); // BININT2 1001
  const sysInfo = cat(PROTO2, [0x7d], str('little_endian'), [0x88, 0x73], STOP); // {little_endian: True}
  const keys = cat(PROTO2, [0x5d], MARK, tensors.flatMap((_, i) => str(String(i))), [0x65], STOP);
  return cat(magic, protocol, sysInfo, statePickle(tensors, {}, true), keys);
}

describe('weights as ground truth (PyTorch state dicts beside a config.json)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'greenprint-truth-torch-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const analyse = (config = CONFIG): AnalysisReport => analyzeText(config, { fileName: 'config.json', readSiblingBytes: siblingBytesReader(dir) });
  const warnings = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity !== 'info');

  it('zip pytorch_model.bin without its storages: 434 tensors, the published count, matched', () => {
    writeFileSync(path.join(dir, 'pytorch_model.bin'), zipStateDict(qwenTensors()));
    const r = analyse();
    assert.deepEqual(warnings(r), []);
    assert.ok(r.notes.includes('Parameters match the 3,085,938,688 in pytorch_model.bin (434 floating-point tensors).'), r.notes.join('\n'));
  });

  it('a tied lm_head sharing the embedding storage is one tensor under two names, counted once', () => {
    const tensors: Tensor[] = [...qwenTensors(), ['lm_head.weight', [151936, 2048]]];
    writeFileSync(path.join(dir, 'pytorch_model.bin'), zipStateDict(tensors, { 'lm_head.weight': 'model.embed_tokens.weight' }));
    const r = analyse();
    assert.deepEqual(warnings(r), []);
    assert.ok(r.notes.includes("Parameters match the 3,085,938,688 in pytorch_model.bin (434 floating-point tensors; 1 tied name sharing another tensor's storage counted once)."), r.notes.join('\n'));
  });

  it('an lm_head in its own storage is a second copy: a warning with both numbers', () => {
    writeFileSync(path.join(dir, 'pytorch_model.bin'), zipStateDict([...qwenTensors(), ['lm_head.weight', [151936, 2048]]]));
    const w = warnings(analyse());
    assert.equal(w.length, 1);
    assert.match(w[0].message, /^pytorch_model\.bin holds 3,397,103,616 parameters \(435 floating-point tensors\) but this config describes 3,085,938,688: 311,164,928 more in the checkpoint\./);
  });

  it('a legacy torch.save file (pickles first, storages after) is read from its leading pickles', () => {
    writeFileSync(path.join(dir, 'pytorch_model.bin'), legacyStateDict(qwenTensors()));
    assert.ok(analyse().notes.includes('Parameters match the 3,085,938,688 in pytorch_model.bin (434 floating-point tensors).'));
  });

  it('pytorch_model.bin.index.json with two shards: each shard state dict is summed', () => {
    const tensors = qwenTensors();
    const weightMap: Record<string, string> = {};
    [tensors.slice(0, 250), tensors.slice(250)].forEach((list, i) => {
      const file = `pytorch_model-0000${i + 1}-of-00002.bin`;
      writeFileSync(path.join(dir, file), zipStateDict(list));
      for (const [name] of list) weightMap[name] = file;
    });
    writeFileSync(path.join(dir, 'pytorch_model.bin.index.json'), JSON.stringify({ metadata: { total_size: 2 * QWEN_PARAMS }, weight_map: weightMap }));
    assert.ok(analyse().notes.includes('Parameters match the 3,085,938,688 in pytorch_model.bin.index.json (2 shards) (434 floating-point tensors).'));

    writeFileSync(path.join(dir, 'pytorch_model.bin.index.json'), JSON.stringify({ weight_map: { ...weightMap, 'model.norm.weight': '../elsewhere.bin' } }));
    assert.match(warnings(analyse())[0].message, /pytorch_model\.bin\.index\.json: weight_map\["model\.norm\.weight"\] must be a \.bin file name in this folder, not "\.\.\/elsewhere\.bin"/);
  });

  it('model.safetensors wins over pytorch_model.bin, as transformers loads it first', () => {
    writeFileSync(path.join(dir, 'pytorch_model.bin'), zipStateDict(qwenTensors().slice(0, 10)));
    const header = Buffer.from(JSON.stringify({ 'model.norm.weight': { dtype: 'BF16', shape: [2048], data_offsets: [0, 4096] } }));
    const file = Buffer.alloc(8 + header.length);
    file.writeBigUInt64LE(BigInt(header.length), 0);
    header.copy(file, 8);
    writeFileSync(path.join(dir, 'model.safetensors'), file);
    assert.match(warnings(analyse())[0].message, /^model\.safetensors holds 2,048 parameters/);
  });

  it('a corrupt or hostile state dict is a warning naming the file; the count from the config stands', () => {
    writeFileSync(path.join(dir, 'pytorch_model.bin'), Buffer.from('PK\x03\x04 not really a zip'));
    let r = analyse();
    assert.match(warnings(r)[0].message, /The weights beside this config could not be compared with it: pytorch_model\.bin: truncated or corrupt zip/);
    assert.equal(r.totals?.params, QWEN_PARAMS);

    const evil = cat(PROTO2, [0x63], enc.encode('os\nsystem\n'), str('echo pwned'), [0x85, 0x52], STOP);
    writeFileSync(path.join(dir, 'pytorch_model.bin'), zip([{ name: 'archive/data.pkl', data: evil }]));
    r = analyse();
    assert.match(warnings(r)[0].message, /pytorch_model\.bin: refusing to load global os\.system/);
  });

  it('shapes read from the metadata equal the tensors the full reader loads (a small archive with its data)', () => {
    const pickle = cat(PROTO2, ordered(), MARK,
      str('w'), tensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1]),
      str('b'), tensor('FloatStorage', '1', 2, 0, [2], [1]),
      SETITEMS, STOP);
    const archive = zip([
      { name: 'archive/data.pkl', data: pickle, deflate: true },
      { name: 'archive/data/0', data: new Uint8Array(24) },
      { name: 'archive/data/1', data: new Uint8Array(8) },
    ]);
    const full = loadTorchCheckpoint(archive, 'small.pt');
    const shapes = readStateDictShapes((offset, length) => archive.subarray(offset, offset + length), archive.length, 'small.pt');
    assert.deepEqual(shapes.map((t) => [t.name, t.dtype, t.shape]), [...full].map(([name, t]) => [name, t.dtype, t.shape]));
  });
});
