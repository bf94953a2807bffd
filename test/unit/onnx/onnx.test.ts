/**
 * ONNX models read by ranges (files/onnx): initializers counted once without reading their data, nodes
 * translated into the op registry, dynamic dimensions bound, and operators without a rule reported, never
 * priced at zero in silence. The models are written here (write-onnx.ts) with the structure of published
 * networks, so their counts meet published figures.
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { resnet18Graph, writeOnnx, type GraphSpec } from './write-onnx';

const analyze = (bytes: Uint8Array, name = 'model.onnx', extra: { inputSize?: [number, number]; seqLen?: number } = {}): AnalysisReport =>
  analyzeModelFile(memoryByteSource(name, bytes), { fileName: name, reportUnknown: true, ...extra }).report;
const errors = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

/** BatchNorm channels of ResNet-18: bn1 64 + layer1 4×64 + layer2 5×128 + layer3 5×256 + layer4 5×512. */
const RESNET18_BN_CHANNELS = 64 + 4 * 64 + 5 * 128 + 5 * 256 + 5 * 512;

describe('ONNX reader', () => {
  it('ResNet-18 with external data: torchvision\'s 11,689,512 parameters plus the BatchNorm running statistics ONNX stores, 1.81 GMACs', () => {
    const r = analyze(writeOnnx(resnet18Graph({ external: 'resnet18.weights' })), 'resnet18.onnx');
    assert.deepEqual(errors(r), []);
    assert.equal(r.format, 'onnx');
    assert.equal(r.totals?.params, 11_689_512 + 2 * RESNET18_BN_CHANNELS);
    // torchvision's model table: "GFLOPS 1.81" for resnet18 (multiply-adds, as fvcore counts them).
    assert.equal((r.totals!.macs / 1e9).toFixed(2), '1.81');
    assert.equal(r.unverified, undefined);
    assert.match(r.notes.join('\n'), /with external data, not opened/);
    assert.match(r.notes.join('\n'), /batch_size = 1 \(batch\)/);
    const fc = r.layers.find((l) => l.name === 'fc')!;
    assert.equal(fc.params, 512 * 1000 + 1000);
    assert.equal(fc.macs, 512 * 1000);
    assert.deepEqual(r.layers.find((l) => l.name === 'conv1')?.outputShape, [64, 112, 112]);
  });

  it('inline initializers are passed over by length; batch and image size bind the dynamic axes', () => {
    const graph = resnet18Graph();
    const bytes = writeOnnx({ ...graph, inputs: [{ name: 'input', dims: ['N', 3, 'H', 'W'] }] });
    assert.ok(bytes.length > 4 * 11_000_000, 'weights are inline');
    const r = analyze(bytes, 'resnet18.onnx', { inputSize: [112, 112] });
    const full = analyze(writeOnnx(resnet18Graph({ external: 'w.bin' })), 'resnet18.onnx');
    assert.deepEqual(errors(r), []);
    assert.equal(r.totals?.params, 11_689_512 + 2 * RESNET18_BN_CHANNELS);
    // Half the side, about a quarter of the work (layer4's 4×4 maps at 112 px against 7×7 at 224 make it a little more).
    const ratio = r.totals!.macs / full.totals!.macs;
    assert.ok(ratio > 0.25 && ratio < 0.33, `${ratio}`);
    assert.deepEqual(r.layers.find((l) => l.name === 'conv1')?.outputShape, [64, 56, 56]);
    assert.match(r.notes.join('\n'), /H = 112, W = 112/);
  });

  it('an operator without a rule: listed with its node count, figures unverified, the recorded shape carried on', () => {
    const graph: GraphSpec = {
      name: 'g', inputs: [{ name: 'x', dims: [1, 8] }], outputs: [{ name: 'z', dims: [1, 4] }],
      initializers: [{ name: 'w', dims: [8, 4] }],
      nodes: [
        { op: 'FancyNorm', inputs: ['x'], outputs: ['y'] },
        { op: 'MatMul', inputs: ['y', 'w'], outputs: ['z'] },
      ],
      valueInfo: [{ name: 'y', dims: [1, 8] }],
    };
    const r = analyze(writeOnnx(graph));
    assert.match(r.unverified?.reason ?? '', /no counting rule for FancyNorm \(1 node\)/);
    assert.equal(r.totals?.params, 32);
    assert.equal(r.totals?.macs, 32);
  });

  it('a shared weight read by two MatMuls is one parameter tensor, not two', () => {
    const graph: GraphSpec = {
      name: 'g', inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'z', dims: [1, 4] }],
      initializers: [{ name: 'w', dims: [4, 4] }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] },
        { op: 'Relu', inputs: ['y'], outputs: ['y2'] },
        { op: 'MatMul', inputs: ['y2', 'w'], outputs: ['z'] },
      ],
    };
    const r = analyze(writeOnnx(graph));
    assert.equal(r.totals?.params, 16, JSON.stringify(r.diagnostics));
    assert.equal(r.totals?.macs, 32);
  });

  describe('broken and hostile files: an error naming the file, no weight byte read', () => {
    const failsWith = (bytes: Uint8Array, pattern: RegExp, name = 'bad.onnx') => {
      const r = analyze(bytes, name);
      assert.equal(r.totals, undefined);
      assert.match(errors(r).join('\n'), pattern);
      assert.match(errors(r).join('\n'), new RegExp(name.replace('.', '\\.')));
    };

    it('truncated protobuf anywhere', () => {
      const bytes = writeOnnx(resnet18Graph({ external: 'w.bin' }));
      for (const cut of [3, 40, 1000, bytes.length - 10]) failsWith(bytes.subarray(0, cut), /truncated|malformed|no graph/);
    });

    it('wrong wire types, a web page or a Git LFS pointer saved as .onnx', () => {
      failsWith(Buffer.from([0x0f, 0x01]), /wire type 7/);
      failsWith(Buffer.from('<!DOCTYPE html>\n<html lang="en">'), /web page|HTML/);
      failsWith(Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n'), /Git LFS pointer/);
    });

    it('external data that leaves the model\'s folder is refused', () => {
      const graph = { ...resnet18Graph({ external: '../../etc/passwd' }) };
      failsWith(writeOnnx(graph), /outside the model's folder/);
    });

    it('absurd dimensions', () => {
      const graph: GraphSpec = {
        name: 'g', inputs: [{ name: 'x', dims: [1, 8] }], outputs: [{ name: 'z' }],
        initializers: [{ name: 'w', dims: [2 ** 30, 2 ** 30, 2 ** 30], external: 'w.bin' }],
        nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['z'] }],
      };
      failsWith(writeOnnx(graph), /past 2\^53/);
    });

    it('a dynamic axis nothing binds', () => {
      const graph: GraphSpec = { name: 'g', inputs: [{ name: 'ids', dims: ['batch', 'sequence'] }], outputs: [{ name: 'ids' }], initializers: [], nodes: [] };
      const r = analyzeModelFile(memoryByteSource('seq.onnx', writeOnnx(graph)), { fileName: 'seq.onnx', reportUnknown: true }).report;
      assert.match(errors(r).join('\n'), /seq\.onnx: graph input "ids" has a dynamic sequence \(axis 1\)/);
    });
  });
});
