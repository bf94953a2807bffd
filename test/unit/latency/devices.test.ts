import * as assert from 'node:assert/strict';
import {
  DeviceCatalogueError,
  getDevice,
  listDevices,
  peakFor,
  validateDevice,
  validateDeviceCatalogue,
} from '../../../src/engine/devices';

const VALID = {
  id: 'toy',
  name: 'Toy device',
  class: 'cpu',
  peakFlops: { fp32: 100 },
  memoryBandwidth: 10,
  powerW: 1,
  efficiency: { compute: 1, memory: 1, reason: 'arithmetic test device' },
  sources: [{ what: 'made up', where: 'this test', year: 2025 }],
};

describe('device catalogue', () => {
  it('ships 12–16 validated devices covering every class, each with sources', () => {
    const devices = listDevices();
    assert.ok(devices.length >= 12 && devices.length <= 16, `${devices.length} devices`);
    const classes = new Set(devices.map((d) => d.class));
    for (const c of ['mobile-soc', 'edge-gpu', 'server-gpu', 'desktop-gpu', 'cpu', 'npu']) assert.ok(classes.has(c as never), `class ${c}`);
    for (const d of devices) assert.ok(d.sources.length > 0 && d.efficiency.reason.length > 20, d.id);
  });

  it('holds the datasheet figures of the anchor GPUs', () => {
    const a100 = getDevice('nvidia-a100-sxm4-80gb');
    assert.equal(a100.peakFlops.fp16, 312e12);
    assert.equal(a100.memoryBandwidth, 2039e9);
    assert.equal(a100.powerW, 400);
    const t4 = getDevice('nvidia-t4');
    assert.deepEqual([t4.peakFlops.fp32, t4.peakFlops.fp16, t4.peakFlops.int8, t4.memoryBandwidth, t4.powerW], [8.1e12, 65e12, 130e12, 320e9, 70]);
    // Derived figure: 4 cores × 2.4 GHz × 16 FLOP/cycle.
    assert.equal(getDevice('rpi5').peakFlops.fp32, 4 * 2.4e9 * 16);
  });

  it('names the known devices when an id is unknown', () => {
    assert.throws(() => getDevice('nvidia-a200'), (e: Error) => {
      assert.ok(e instanceof DeviceCatalogueError);
      assert.match(e.message, /Unknown device "nvidia-a200"/);
      assert.match(e.message, /nvidia-a100-sxm4-80gb/);
      assert.match(e.message, /coral-edge-tpu/);
      return true;
    });
  });

  it('picks the peak for a dtype, falls back from bf16 to fp16, and refuses a precision the device lacks', () => {
    const t4 = getDevice('nvidia-t4');
    assert.equal(peakFor(t4, 'float32'), 8.1e12);
    assert.equal(peakFor(t4, 'bfloat16'), 65e12);
    assert.equal(peakFor(t4, 'int4'), 130e12);
    assert.throws(() => peakFor(getDevice('coral-edge-tpu'), 'float32'), /"coral-edge-tpu" has no fp32 peak \(it lists int8\)/);
  });

  it('rejects malformed entries naming the device and the field', () => {
    assert.equal(validateDevice(VALID, 'x').id, 'toy');
    const bad = (patch: object) => () => validateDevice({ ...VALID, ...patch }, 'my-devices.json devices[0]');
    assert.throws(bad({ class: 'gpu' }), /my-devices\.json devices\[0\]: device "toy": class "gpu" is not one of/);
    assert.throws(bad({ peakFlops: { fp32: -1 } }), /peakFlops\.fp32 must be a positive number/);
    assert.throws(bad({ peakFlops: { fp64: 1 } }), /peakFlops\.fp64 is not a known precision/);
    assert.throws(bad({ peakFlops: {} }), /needs at least one of/);
    assert.throws(bad({ efficiency: { compute: 1.5, memory: 1, reason: 'r' } }), /efficiency\.compute must be a fraction in \(0, 1\]/);
    assert.throws(bad({ sources: [] }), /sources must list/);
    assert.throws(bad({ memoryBandwidth: '10 GB/s' }), /memoryBandwidth must be a positive number/);
    assert.throws(() => validateDeviceCatalogue({ devices: [VALID, VALID] }, 'f.json'), /duplicate device id "toy"/);
    assert.throws(() => validateDeviceCatalogue([VALID], 'f.json'), /f\.json: expected an object with a "devices" array/);
  });
});
