import { strict as assert } from 'node:assert';
import { evaluate } from '../../../src/engine/cost';
import { GraphBuilder } from '../../../src/engine/graph';
import { OFA_CONVENTION } from '../../../src/engine/ofa/common';
import type { ModelIR } from '../../../src/engine/ir';
import { initBackend, type RuntimeInfo } from '../../../src/engine/runtime/backend';
import { buildTfjsModel, expectedStoredShape, UnsupportedOpError } from '../../../src/engine/runtime/tfjs-model';
import { fixturePath, samplePath } from '../fixtures';
import { irOfFile } from './helpers';

function irOf(build: (g: GraphBuilder, layer: number) => number[], name = 'synthetic'): ModelIR {
  const g = new GraphBuilder();
  const layer = g.addLayer({ name: 'all', type: 'Test', range: { start: 0, end: 0 } });
  const outputs = build(g, layer);
  return {
    format: 'ofa-net', modelName: name, layers: g.layers, nodes: g.nodes, outputs,
    convention: OFA_CONVENTION, inputDescription: 'test', dtype: 'float32',
  };
}

/** Runs the IR and asserts that every node's TF.js tensor has the cost model's shape (NHWC for maps). */
function assertShapesMatch(rt: RuntimeInfo, ir: ModelIR, batch = 1): number {
  const expected = evaluate(ir, { batch }).nodeShapes;
  const model = buildTfjsModel(ir, rt.tf, { batch });
  const inputs = model.makeInputs();
  let checked = 0;
  const outputs = model.predict(inputs, (node, t) => {
    assert.ok(expected[node.id], `${node.name}: the cost model has no shape`);
    assert.deepEqual(t.shape, expectedStoredShape(expected[node.id]!, batch), `${node.name} (${node.op})`);
    checked++;
  });
  const values = outputs.flatMap((o) => Array.from(o.dataSync()));
  assert.ok(values.every(Number.isFinite), `${ir.modelName}: outputs are finite`);
  for (const o of outputs) o.dispose();
  for (const t of inputs) t.dispose();
  model.dispose();
  assert.equal(checked, ir.nodes.length);
  return checked;
}

describe('runtime: IR → TF.js model', function () {
  this.timeout(120_000);
  let rt: RuntimeInfo;
  before(async () => {
    rt = await initBackend();
  });

  it('picks a native backend when installed, else wasm (single-threaded under Node), noting why', () => {
    if (rt.backend === 'wasm') {
      // Reached only after both native packages failed to load, and each failure is recorded.
      assert.deepEqual(rt.notes.map((n) => n.split(':')[0]), ['tensorflow-gpu', 'tensorflow']);
      assert.equal(rt.threads, 1);
      assert.match(rt.runtime, /^@tensorflow\/tfjs-core 4\.22\.0 \+ tfjs-backend-wasm 4\.22\.0/);
    } else {
      assert.ok(rt.backend === 'tensorflow' || rt.backend === 'tensorflow-gpu', rt.backend);
    }
  });

  it('executes the OFA note10 30 ms net at 64 px with every tensor shaped as the cost model says', () => {
    const ir = irOfFile(samplePath('ofa', 'note10_lat-30ms', 'net.config'), { inputSize: [64, 64] });
    assert.ok(assertShapesMatch(rt, ir) > 100);
  });

  it('executes the OFA supernet sample, Keras VGG19 at 32×32, MobileNet v1 and YOLO11n/12n at 64×64', () => {
    const cases: [string, ModelIR][] = [
      ['supernet', irOfFile(samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), { inputSize: [64, 64] })],
      ['vgg19', irOfFile(samplePath('keras', 'vgg19.model.json'), { inputSize: [32, 32] })],
      ['mobilenet', irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [64, 64] })],
      ['yolo12n', irOfFile(samplePath('yolo', 'yolo12.yaml'), { inputSize: [64, 64], scale: 'n' })],
      ['yolo11n', irOfFile(samplePath('yolo', 'yolo11.yaml'), { inputSize: [64, 64], scale: 'n' })],
    ];
    for (const [, ir] of cases) assertShapesMatch(rt, ir);
  });

  it('executes the newer YOLO heads at 64×64: classify (dense with probeRepeats), v10 (both heads), v9e (CBLinear/CBFuse resizeLike)', function () {
    this.timeout(120_000);
    const cases: ModelIR[] = [
      irOfFile(fixturePath('ultralytics', 'yolo11-cls.yaml'), { inputSize: [64, 64], scale: 'n' }),
      irOfFile(fixturePath('ultralytics', 'yolov10n.yaml'), { inputSize: [64, 64] }),
      irOfFile(fixturePath('ultralytics', 'yolov9e.yaml'), { inputSize: [64, 64] }),
    ];
    const ops = new Set(cases.flatMap((ir) => ir.nodes.map((n) => n.op)));
    assert.ok(cases[0].nodes.some((n) => n.op === 'dense' && (n.attrs as { probeRepeats?: number }).probeRepeats) && ops.has('resizeLike'), [...ops].join(', '));
    for (const ir of cases) assertShapesMatch(rt, ir);
  });

  it('runs batch 2 with the batch as the leading axis', () => {
    const ir = irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [32, 32] });
    assertShapesMatch(rt, ir, 2);
  });

  it('covers the generic and Keras/YOLO ops: groups, padding, broadcasting, concat/slice axes, transposed convs', () => {
    const ir = irOf((g, l) => {
      const x = g.add('input', { shape: [8, 12, 10] }, [], -1);
      const grouped = g.add('conv2d', { filters: 12, kernel: [3, 3], stride: [2, 2], padding: [1, 1], groups: 4, bias: true }, [x], l);
      const depthwise = g.add('conv2d', { filters: 16, kernel: [3, 3], padding: 'same', groups: 8 }, [x], l);
      const dilated = g.add('conv2d', { filters: 4, kernel: [3, 3], dilation: [2, 2], padding: 'valid' }, [x], l);
      const maxPadded = g.add('pool2d', { kind: 'max', kernel: [3, 3], stride: [2, 2], padding: [1, 1] }, [x], l);
      const avg = g.add('pool2d', { kind: 'avg', kernel: [2, 2] }, [x], l);
      const gate = g.add('globalPool', { kind: 'avg', keepDims: true }, [x], l);
      const scaled = g.add('elementwise', { fn: 'multiply' }, [x, gate], l);
      const row = g.add('input', { shape: [10] }, [], -1);
      const shifted = g.add('elementwise', { fn: 'subtract' }, [scaled, row], l);
      const mx = g.add('elementwise', { fn: 'maximum' }, [shifted, x], l);
      const mean = g.add('elementwise', { fn: 'average' }, [mx, x, scaled], l);
      const cat = g.add('concat', { axis: 0 }, [mean, depthwise], l);
      const catH = g.add('concat', { axis: 1 }, [x, x], l);
      const piece = g.add('slice', { axis: 0, start: 4, size: 8 }, [cat], l);
      const pieceW = g.add('slice', { axis: -1, start: 2, size: 5 }, [catH], l);
      const up = g.add('upsample', { scale: [2, 2], mode: 'nearest' }, [piece], l);
      const upBilinear = g.add('upsample', { scale: [1.5, 1.5], mode: 'bilinear' }, [grouped], l);
      const padded = g.add('zeroPad', { pad: [1, 2, 0, 3] }, [pieceW], l);
      const flat = g.add('reshape', { shape: [8, -1] }, [up], l);
      const dense2d = g.add('dense', { units: 6, bias: true }, [flat], l);
      const denseMap = g.add('dense', { units: 3 }, [avg], l);
      const kdw = g.add('conv2d', { depthMultiplier: 2, kernel: [3, 3], stride: [2, 2], padding: 'same', bias: true }, [x], l);
      const kdense = g.add('dense', { units: 5, kerasAxes: true }, [kdw], l);
      const kbn = g.add('batchNorm', { center: true, scale: true, countRunningStats: true }, [kdense], l);
      const kcat = g.add('concat', { axis: -1, kerasAxes: true }, [kbn, kbn], l);
      const shared = g.add('sharedCall', { op: 'conv2d', attrs: { filters: 4, kernel: [1, 1] } }, [kcat], l);
      const perm = g.add('permute', { dims: [3, 1, 2], kerasAxes: true }, [shared], l);
      const crop = g.add('crop2d', { crop: [1, 0, 2, 1] }, [x], l);
      const kt = g.add('convTranspose2d', { filters: 6, kernel: [3, 3], stride: [2, 2], padding: 'same' }, [crop], l);
      const yt = g.add('convTranspose2d', { filters: 4, kernel: [2, 2], stride: [2, 2], padding: [0, 0], bias: true }, [maxPadded], l);
      const cs = g.add('channelScale', {}, [yt], l);
      const ln = g.add('norm', { kind: 'layer', axes: [-1], kerasAxes: true, bias: true, scale: true }, [kt], l);
      const prelu = g.add('prelu', { sharedAxes: [1, 2], kerasAxes: true }, [ln], l);
      const bn = g.add('batchNorm', {}, [dilated], l);
      const flat2 = g.add('flatten', {}, [bn], l);
      const id = g.add('identity', {}, [flat2], l);
      return [padded, dense2d, denseMap, perm, cs, prelu, id, upBilinear];
    });
    assertShapesMatch(rt, ir);
    assertShapesMatch(rt, ir, 3);
  });

  it('runs the sequence and IR-axis variants of the merged ops: conv1d, pool1d, globalPool over steps, IR permute/PReLU, standardize, scales', () => {
    const ir = irOf((g, l) => {
      const seq = g.add('input', { shape: [12, 6] }, [], -1);
      const c1 = g.add('conv1d', { filters: 4, kernel: 3, padding: 'causal', bias: true }, [seq], l);
      const p1 = g.add('pool1d', { kind: 'avg', kernel: 2 }, [c1], l);
      const gmax = g.add('globalPool', { kind: 'max', keepDims: true }, [p1], l);
      const std = g.add('standardize', { withCount: false }, [seq], l);
      const ls = g.add('channelScale', {}, [std], l);
      const map = g.add('input', { shape: [8, 4, 5] }, [], -1);
      const perm = g.add('permute', { dims: [2, 0, 1] }, [map], l);
      const pr = g.add('prelu', { sharedAxes: [1, 2] }, [map], l);
      const cs = g.add('channelScale', {}, [pr], l);
      return [gmax, ls, perm, cs];
    });
    assertShapesMatch(rt, ir);
  });

  it('keeps the IR element order through an IR-axes permute', () => {
    const ir = irOf((g, l) => [g.add('permute', { dims: [1, 0] }, [g.add('input', { shape: [2, 3] }, [], -1)], l)]);
    const model = buildTfjsModel(ir, rt.tf, { batch: 1 });
    const x = rt.tf.tensor3d([[[0, 1, 2], [10, 11, 12]]]);
    const [out] = model.predict([x]);
    assert.deepEqual(Array.from(out.dataSync()), [0, 10, 1, 11, 2, 12]);
    out.dispose(); x.dispose(); model.dispose();
  });

  it('computes activations as their definitions say (h_swish, h_sigmoid, relu6, gelu, silu, softmax)', () => {
    const fns = ['relu', 'relu6', 'h_swish', 'hardswish', 'h_sigmoid', 'silu', 'swish', 'gelu', 'tanh', 'sigmoid', 'none', 'linear', 'softmax', 'nn.SiLU()'];
    const ir = irOf((g, l) => {
      const x = g.add('input', { shape: [4] }, [], -1);
      return fns.map((fn) => g.add('activation', { fn }, [x], l));
    });
    const model = buildTfjsModel(ir, rt.tf, { batch: 1 });
    const x = rt.tf.tensor2d([[-3, 0, 1, 7]]);
    const outs = model.predict([x]);
    const got = Object.fromEntries(fns.map((fn, i) => [fn, Array.from(outs[i].dataSync())]));
    const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-4, `${v} ≠ ${b[i]}`));
    close(got.relu, [0, 0, 1, 7]);
    close(got.relu6, [0, 0, 1, 6]);
    // h_swish(x) = x·ReLU6(x+3)/6: -3 → 0, 1 → 1·4/6, 7 → 7·6/6.
    close(got.h_swish, [0, 0, 4 / 6, 7]);
    close(got.hardswish, got.h_swish);
    close(got.h_sigmoid, [0, 0.5, 4 / 6, 1]);
    // silu(1) = 1/(1+e^-1) = 0.731059; gelu(1) = Φ(1) = 0.841345; gelu(-3) = -3·Φ(-3) = -0.004050.
    close(got.silu, [-3 / (1 + Math.exp(3)), 0, 0.731059, 7 / (1 + Math.exp(-7))]);
    close(got['nn.SiLU()'], got.silu);
    close(got.gelu, [-0.00405, 0, 0.841345, 7]);
    close(got.none, [-3, 0, 1, 7]);
    const e = [-3, 0, 1, 7].map(Math.exp);
    const sum = e.reduce((s, v) => s + v, 0);
    close(got.softmax, e.map((v) => v / sum));
    for (const o of outs) if (o !== x) o.dispose();
    x.dispose();
    model.dispose();
  });

  it('keeps the IR element order through reshape, concat and slice despite the NHWC layout', () => {
    const ir = irOf((g, l) => {
      const a = g.add('input', { shape: [2, 1, 3] }, [], -1);
      const b = g.add('input', { shape: [1, 1, 3] }, [], -1);
      const cat = g.add('concat', { axis: 0 }, [a, b], l);
      const mid = g.add('slice', { axis: 0, start: 1, size: 2 }, [cat], l);
      return [g.add('reshape', { shape: [6] }, [mid], l)];
    });
    const model = buildTfjsModel(ir, rt.tf, { batch: 1 });
    // Channels-first a = [[0,1,2],[10,11,12]], b = [[20,21,22]], stored NHWC.
    const a = rt.tf.tensor4d([[[[0, 10], [1, 11], [2, 12]]]]);
    const b = rt.tf.tensor4d([[[[20], [21], [22]]]]);
    const [out] = model.predict([a, b]);
    assert.deepEqual(Array.from(out.dataSync()), [10, 11, 12, 20, 21, 22]);
    out.dispose(); a.dispose(); b.dispose(); model.dispose();
  });

  it('creates the same weights for the same seed and frees them all on dispose', () => {
    const ir = irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [32, 32] });
    const before = rt.tf.memory().numTensors;
    const run = (seed: number) => {
      const model = buildTfjsModel(ir, rt.tf, { batch: 1, seed });
      const inputs = model.makeInputs();
      const [out] = model.predict(inputs);
      const values = Array.from(out.dataSync());
      out.dispose();
      inputs.forEach((t) => t.dispose());
      model.dispose();
      return values;
    };
    const first = run(5);
    assert.deepEqual(run(5), first);
    assert.notDeepEqual(run(6), first);
    assert.equal(rt.tf.memory().numTensors, before);
  });

  it('names the layer and op it cannot run', () => {
    const ir = irOf((g, l) => {
      const x = g.add('input', { shape: [6, 8] }, [], -1);
      return [g.add('rnn', { cell: 'lstm', units: 4, returnSequences: false, bias: true }, [x], l)];
    });
    assert.throws(() => buildTfjsModel(ir, rt.tf, { batch: 1 }), (e: Error) =>
      e instanceof UnsupportedOpError && /layer all \(Test\)/.test(e.message) && /"rnn" is not buildable in TF\.js/.test(e.message));
    const attention = irOf((g, l) => {
      const t = g.add('input', { shape: [4, 8] }, [], -1);
      return [g.add('attention', { heads: 2, kvHeads: 2, headDim: 4 }, [t, t, t], l)];
    });
    assert.throws(() => buildTfjsModel(attention, rt.tf, { batch: 1 }), /op "attention" is not buildable in TF\.js/);
    const badAct = irOf((g, l) => [g.add('activation', { fn: 'bogus' }, [g.add('input', { shape: [4] }, [], -1)], l)]);
    assert.throws(() => buildTfjsModel(badAct, rt.tf, { batch: 1 }), /activation "bogus" is not supported/);
  });
});
