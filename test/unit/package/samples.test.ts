/**
 * The walkthrough's samples (src/extension/samples.ts) on the repository's real samples/ folder: what the picker
 * lists, and the copy "Open Samples" makes for an installed extension — byte-identical files, the OFA w1.2
 * sample's predictor and Note10 tables filled in from resources/ (the .vsix ships them once), a user's files
 * never replaced, and a copy the engine reads: the copied supernets' descriptions resolve their weights,
 * predictor and tables.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSupernetSpace } from '../../../src/engine';
import { copySamples, isSamplesFolder, listSamples, RESOURCE_FILLS, sampleKind } from '../../../src/extension/samples';
import { REPO_ROOT } from '../fixtures';

const SAMPLES = path.join(REPO_ROOT, 'samples');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('walkthrough samples', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'gp-samples-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('tells sample files from sidecars, notices and data', () => {
    assert.equal(sampleKind('ofa/fashion-mnist/fmnist-mbv3.supernet.json'), 'supernet');
    assert.equal(sampleKind('ofa/v100_gpu64-5ms/net.config'), 'ofa-net');
    assert.equal(sampleKind('yolo/yolo11.yaml'), 'yolo');
    assert.equal(sampleKind('huggingface/qwen3-8b/config.json'), 'huggingface');
    assert.equal(sampleKind('keras/vgg19.model.json'), 'keras');
    for (const other of ['yolo/yolo11.yaml.source.json', 'NOTICE.md', 'ofa/fashion-mnist/predictor/model.json', 'ofa/fashion-mnist/predictor-data.jsonl', 'ofa/note10_lat-30ms/run.config', 'ofa/fashion-mnist/training-report.json']) {
      assert.equal(sampleKind(other), undefined, other);
    }
  });

  it('lists the repository samples, the supernet with weights first', () => {
    const samples = listSamples(SAMPLES);
    assert.equal(samples[0].kind, 'supernet');
    assert.match(samples[0].file, /^ofa\/fashion-mnist\/.+\.supernet\.json$/);
    assert.match(samples[0].detail, /extract/);
    const files = samples.map((s) => s.file);
    for (const expected of ['ofa/mbv3-w12-note10-25ms.supernet.json', 'yolo/yolo12.yaml', 'huggingface/gpt2-large.config.json', 'huggingface/qwen3-8b/config.json', 'keras/vgg19.model.json', 'ofa/v100_gpu64-5ms/net.config']) {
      assert.ok(files.includes(expected), expected);
    }
    assert.ok(files.every((f) => !f.endsWith('.source.json')));
    assert.equal(samples.find((s) => s.file === 'huggingface/qwen3-8b/config.json')?.label, 'huggingface/qwen3-8b');
  });

  it('copies a shipped samples folder byte for byte and fills the w1.2 sample from resources/', () => {
    // What an installed .vsix holds: the samples without ofa-w12/ (see .vscodeignore).
    const shipped = path.join(tmp, 'extension', 'samples');
    cpSync(SAMPLES, shipped, { recursive: true, filter: (src) => !src.includes(`${path.sep}ofa-w12`) });
    const to = path.join(tmp, 'greenprint-samples');
    const outcome = copySamples(shipped, to, REPO_ROOT);
    assert.deepEqual(outcome.kept, []);
    for (const fill of RESOURCE_FILLS) {
      assert.ok(outcome.copied.includes(fill.to), fill.to);
      assert.equal(sha(path.join(to, fill.to)), sha(path.join(SAMPLES, fill.to)), `${fill.to} equals the repository's sample copy`);
    }
    for (const sample of listSamples(shipped)) assert.equal(sha(path.join(to, sample.file)), sha(path.join(shipped, sample.file)));

    // The engine reads the copied supernets, and what they point at exists.
    for (const sample of listSamples(to).filter((s) => s.kind === 'supernet')) {
      const file = path.join(to, sample.file);
      const description = readSupernetSpace(readFileSync(file, 'utf8'), file);
      assert.ok(description, sample.file);
      const assets = description.assets;
      for (const asset of [assets.weights, assets.accuracyPredictor, assets.latencyTables?.path]) {
        if (asset) assert.ok(existsSync(path.resolve(path.dirname(file), asset)), `${sample.file}: ${asset}`);
      }
    }
    // A JSON sample that names its schema by a relative path would show "unable to load schema" in the copy.
    for (const sample of listSamples(to).filter((s) => s.file.endsWith('.json'))) {
      const schema = (JSON.parse(readFileSync(path.join(to, sample.file), 'utf8')) as { $schema?: unknown }).$schema;
      if (typeof schema === 'string' && !/^[a-z]+:/i.test(schema)) {
        assert.ok(existsSync(path.resolve(path.dirname(path.join(to, sample.file)), schema)), `${sample.file}: $schema ${schema} does not resolve in the copy`);
      }
    }
  });

  it('never replaces a file that exists in the destination, and adds what is missing', () => {
    const to = path.join(tmp, 'copy');
    copySamples(SAMPLES, to, REPO_ROOT);
    const edited = path.join(to, 'yolo', 'yolo11.yaml');
    writeFileSync(edited, '# my edit\n');
    rmSync(path.join(to, 'yolo', 'yolo12.yaml'));
    const again = copySamples(SAMPLES, to, REPO_ROOT);
    assert.deepEqual(again.copied, ['yolo/yolo12.yaml']);
    assert.ok(again.kept.includes('yolo/yolo11.yaml'));
    assert.equal(readFileSync(edited, 'utf8'), '# my edit\n');
  });

  it('takes only a NOTICE.md with ofa/ beside it for a samples folder, and skips node_modules and hidden folders', () => {
    assert.ok(isSamplesFolder(SAMPLES));
    writeFileSync(path.join(tmp, 'NOTICE.md'), 'a project notice');
    assert.ok(!isSamplesFolder(tmp));
    for (const dir of ['ofa/node_modules/pkg', 'ofa/.cache', 'ofa/real']) mkdirSync(path.join(tmp, dir), { recursive: true });
    for (const file of ['ofa/node_modules/pkg/x.supernet.json', 'ofa/.cache/y.supernet.json', 'ofa/real/z.supernet.json']) writeFileSync(path.join(tmp, file), '{}');
    assert.ok(isSamplesFolder(tmp));
    assert.deepEqual(listSamples(tmp).map((s) => s.file), ['ofa/real/z.supernet.json']);
  });

  it('refuses a folder that is not a samples folder, and a destination that is a file', () => {
    assert.throws(() => copySamples(path.join(REPO_ROOT, 'schemas'), path.join(tmp, 'x'), REPO_ROOT), /not a Greenprint samples folder/);
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, '');
    assert.throws(() => copySamples(SAMPLES, file, REPO_ROOT), /not a folder/);
  });
});
