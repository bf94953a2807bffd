/**
 * The device picker's runtime line (src/extension/device-runtime.ts): the table the engine would use for a
 * target (findDeviceLut on a real folder of tables) put in words — TF.js or ONNX Runtime with its execution
 * provider, threads and date — and, where no table exists, what the engine falls back to.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findDeviceLut, listTargetDevices, LOCAL_CPU, lutRuntimeKind, NOTE10, remoteLutDeviceId } from '../../../src/engine/efficiency';
import { LUT_FORMAT } from '../../../src/engine/latency/lut';
import { lutRuntimeLabel, targetRuntimeDetail, type RuntimeContext } from '../../../src/extension/device-runtime';

const lut = (backend: string, runtime: string, threads: number) => ({
  format: LUT_FORMAT,
  version: 1,
  device: { id: 'local-cpu', name: 'This machine (CPU)' },
  backend,
  runtime,
  threads,
  batch: 1,
  createdAt: '2026-12-05T06:00:00.000Z',
  overheadMs: 0,
  entries: {},
});

describe('device picker runtime line', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-view-luts-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const context = (calibrated: boolean): RuntimeContext => ({ lutFor: (id) => findDeviceLut(dir, id), calibrated });

  it('names TF.js and ONNX Runtime backends with the execution provider, threads and the table\'s date', () => {
    assert.equal(lutRuntimeLabel(lut('wasm', 'tfjs-core 4.22.0', 4)), 'TF.js · WebAssembly (tfjs-core 4.22.0), 4 threads, table of 2026-12-05');
    assert.equal(lutRuntimeLabel(lut('ort-cuda', 'onnxruntime-node 1.23.0', 1)), 'ONNX Runtime · CUDA EP (onnxruntime-node 1.23.0), 1 thread, table of 2026-12-05');
    // Imported tables keep their own backend text.
    assert.match(lutRuntimeLabel(lut('tflite', 'TFLite 2.16', 0)), /^tflite \(TFLite 2\.16\), table of/);
  });

  it('without a table: this machine falls back to its calibrated roofline or has none; catalogue devices are rooflines', () => {
    assert.match(targetRuntimeDetail(LOCAL_CPU, context(true)), /roofline from calibrated rates/);
    assert.match(targetRuntimeDetail(LOCAL_CPU, context(false)), /calibrate or build a table/);
    assert.match(targetRuntimeDetail(NOTE10, context(false)), /OFA's published table/);
    const catalogue = listTargetDevices().find((d) => d.kind === 'roofline')!;
    assert.match(targetRuntimeDetail(catalogue, context(false)), /none \(published peak rates\)/);
    assert.match(targetRuntimeDetail({ id: 'remote:pi', kind: 'remote' }, context(false), remoteLutDeviceId('pi')), /build a table on the device/);
  });

  it('with tables on disk: the one the engine picks (the newest for that device) is the one named', () => {
    writeFileSync(path.join(dir, 'local-cpu__wasm__tfjs.lut.json'), JSON.stringify(lut('wasm', 'tfjs-core 4.22.0', 2)));
    const later = new Date(Date.now() + 5000);
    const ortFile = path.join(dir, 'local-cpu__ort-cpu__ort.lut.json');
    writeFileSync(ortFile, JSON.stringify(lut('ort-cpu', 'onnxruntime-node 1.23.0', 8)));
    utimesSync(ortFile, later, later);
    assert.equal(targetRuntimeDetail(LOCAL_CPU, context(true)), 'runtime: ONNX Runtime · CPU EP (onnxruntime-node 1.23.0), 8 threads, table of 2026-12-05');
    writeFileSync(path.join(dir, `${remoteLutDeviceId('pi')}__wasm__tfjs.lut.json`), JSON.stringify({ ...lut('wasm', 'tfjs-core 4.22.0', 4), device: { id: 'remote_pi', name: 'pi' } }));
    assert.match(targetRuntimeDetail({ id: 'remote:pi', kind: 'remote' }, context(false), remoteLutDeviceId('pi')), /^runtime: TF\.js · WebAssembly/);
  });

  it('with both runtimes\' tables, the latency-runtime preference picks that runtime\'s table; without one of its kind, the newest', () => {
    // The ONNX Runtime table above is the newer; asking for TF.js gives the TF.js one, asking for ONNX the ONNX one.
    assert.equal(findDeviceLut(dir, 'local-cpu', 'tfjs')?.backend, 'wasm');
    assert.equal(findDeviceLut(dir, 'local-cpu', 'onnx')?.backend, 'ort-cpu');
    assert.equal(findDeviceLut(dir, 'local-cpu')?.backend, 'ort-cpu');
    assert.equal(findDeviceLut(dir, remoteLutDeviceId('pi'), 'onnx')?.backend, 'wasm', 'no ONNX table on the device: the one it has');
    assert.equal(lutRuntimeKind('remote_pi__ort-wasm__onnxruntime-web_1.31.1.lut.json'), 'onnx');
    assert.equal(lutRuntimeKind('remote_pi__wasm__tfjs-core_4.22.0.lut.json'), 'tfjs');
  });

  it('a table that cannot be read is said so, not hidden', () => {
    writeFileSync(path.join(dir, 'local-gpu__webgl__x.lut.json'), '{ not json');
    assert.match(targetRuntimeDetail({ id: 'local-gpu', kind: 'local-gpu' }, context(false)), /cannot be read/);
  });
});
