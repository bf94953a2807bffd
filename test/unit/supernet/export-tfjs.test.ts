import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type { OfaArch, OfaSpace } from '../../../src/engine/ofa/spaces';
import { initBackend, type RuntimeInfo } from '../../../src/engine/runtime/backend';
import { staticForward } from '../../../src/engine/runtime/ofa-forward';
import { subnetToTfjsGraphModel, TfjsExportError, type TfjsGraphModelJson } from '../../../src/engine/supernet/export-tfjs';
import { extractSubnet } from '../../../src/engine/supernet/extract';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import { randomSupernetWeights } from '../../../src/engine/supernet/weights';
import type { FloatTensor } from '../../../src/engine/weights/safetensors';

const SPACE: OfaSpace = { space: 'mobilenetv3', widthMult: 0.5, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10 };
const RESOLUTION = 32;
const BATCH = 2;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

type Blocks = { conv: { kernel_size: number; stride: number; use_se: boolean } }[];

describe('TF.js graph-model export of extracted subnets', function () {
  this.timeout(120_000);
  const supernet = randomSupernetWeights(SPACE, 7);
  let rt: RuntimeInfo;
  const dir = mkdtempSync(path.join(tmpdir(), 'gp-tfjs-export-'));
  let serial = 0;

  before(async () => {
    rt = await initBackend();
  });

  /** Writes model.json + shard to disk and loads them the way TF.js's file/http loaders do (paths resolved from the manifest). */
  async function loadFromDisk(modelJson: TfjsGraphModelJson, bin: Uint8Array): Promise<GraphModel> {
    const folder = path.join(dir, `m${serial++}`);
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(path.join(folder, modelJson.weightsManifest[0].paths[0]), bin);
    const json = JSON.parse(readFileSync(path.join(folder, 'model.json'), 'utf8'));
    const { io } = rt.tf;
    return loadGraphModel({
      load: () =>
        io.getModelArtifactsForJSON(json, async (manifest) => {
          const shards = manifest.flatMap((group) => group.paths.map((p) => new Uint8Array(readFileSync(path.join(folder, p)))));
          const total = shards.reduce((a, s) => a + s.length, 0);
          const joined = new Uint8Array(total);
          let at = 0;
          for (const s of shards) {
            joined.set(s, at);
            at += s.length;
          }
          return [io.getWeightSpecs(manifest), joined.buffer];
        }),
    });
  }

  function randomInput(seed: number, channels = 3) {
    const rng = createRng(seed);
    return rt.tf.tensor4d(new Float32Array(BATCH * RESOLUTION * RESOLUTION * channels).map(() => 2 * rng.next() - 1), [BATCH, RESOLUTION, RESOLUTION, channels]);
  }

  /** max |graph model − staticForward| and max |logit| for one subnet. */
  async function compare(netConfig: Record<string, unknown>, tensors: Map<string, FloatTensor>, seed: number, fuse = true, channels = 3) {
    const { tf } = rt;
    const { modelJson, bin } = subnetToTfjsGraphModel(netConfig, tensors, { resolution: RESOLUTION, fuse });
    const model = await loadFromDisk(modelJson, bin);
    const input = randomInput(seed, channels);
    const exported = model.predict(input) as import('@tensorflow/tfjs-core').Tensor;
    const reference = staticForward(tf, netConfig, tensors, input);
    assert.deepEqual(exported.shape, [BATCH, SPACE.nClasses]);
    const a = exported.dataSync();
    const b = reference.dataSync();
    tf.dispose([input, exported, reference]);
    model.dispose();
    assert.ok(a.every(Number.isFinite));
    return { diff: maxAbsDiff(a, b), scale: Math.max(...Array.from(b, Math.abs)), modelJson, bin };
  }

  it(`matches staticForward for random subnets (batch ${BATCH} @${RESOLUTION}, ≤ 1e-5), fused and unfused`, async () => {
    const rng = createRng(11);
    const diffs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const arch = sampleArch(SPACE, [RESOLUTION], rng);
      const { netConfig, tensors } = extractSubnet(SPACE, supernet, arch);
      const r = await compare(netConfig, tensors, 100 + i, i !== 3);
      diffs.push(r.diff);
      assert.ok(r.diff <= 1e-5, `subnet ${i}: max abs diff ${r.diff}`);
      assert.ok(r.scale > 0.05, `logits are trivially small (${r.scale}), the bound would mean nothing`);
      if (i === 0) {
        // eslint-disable-next-line no-console
        console.log(`      model.json ${JSON.stringify(r.modelJson).length} bytes, shard ${r.bin.length} bytes, ${r.modelJson.modelTopology.node.length} nodes`);
      }
    }
    // eslint-disable-next-line no-console
    console.log(`      max |graph model − staticForward|: ${diffs.map((d) => d.toExponential(2)).join(', ')}`);
  });

  it('matches for a space with its own stride schedule (stride-1 first conv, stages [1,2,1,2,1])', async () => {
    const small: OfaSpace = { ...SPACE, strides: { firstConv: 1, stages: [1, 2, 1, 2, 1] } };
    const rng = createRng(13);
    for (let i = 0; i < 2; i++) {
      const arch = sampleArch(small, [RESOLUTION], rng);
      const { netConfig, tensors } = extractSubnet(small, randomSupernetWeights(small, 8), arch);
      assert.equal((netConfig.first_conv as { stride: number }).stride, 1);
      const r = await compare(netConfig, tensors, 200 + i);
      assert.ok(r.diff <= 1e-5, `subnet ${i}: max abs diff ${r.diff}`);
      assert.ok(r.scale > 0.05, `logits are trivially small (${r.scale})`);
    }
  });

  it('matches with 7×7 kernels, a stride-2 SE block and every activation present', async () => {
    const arch: OfaArch = { ks: Array(20).fill(7), e: Array(20).fill(6), d: [4, 4, 4, 4, 4] };
    const { netConfig, tensors } = extractSubnet(SPACE, supernet, arch);
    const blocks = netConfig.blocks as Blocks;
    assert.ok(blocks.some((b) => b.conv.kernel_size === 7 && b.conv.stride === 2 && b.conv.use_se), 'the arch has a 7×7 stride-2 SE block');
    for (const fuse of [true, false]) {
      const r = await compare(netConfig, tensors, 5, fuse);
      // eslint-disable-next-line no-console
      console.log(`      largest subnet (fuse ${fuse}): max diff ${r.diff.toExponential(2)}, max |logit| ${r.scale.toFixed(2)}`);
      assert.ok(r.diff <= 1e-5, `fuse ${fuse}: max abs diff ${r.diff}`);
      const ops = new Set(r.modelJson.modelTopology.node.map((n) => n.op));
      for (const op of ['Placeholder', 'Const', 'Pad', 'Relu6', 'AddV2', 'RealDiv', 'Mul', 'Mean', 'Reshape', 'Identity']) assert.ok(ops.has(op), `${op} missing`);
      const expected = fuse ? ['_FusedConv2D', 'FusedDepthwiseConv2dNative', '_FusedMatMul'] : ['Conv2D', 'DepthwiseConv2dNative', 'MatMul', 'BiasAdd', 'Relu'];
      for (const op of expected) assert.ok(ops.has(op), `${op} missing (fuse ${fuse})`);
      if (fuse) {
        // The relu stages' convs carry their activation: fused_ops [BiasAdd, Relu], base64 as in a converted GraphDef.
        const fusedOps = r.modelJson.modelTopology.node.flatMap((n) => ((n.attr?.fused_ops as { list: { s: string[] } } | undefined)?.list.s ?? []).map((s) => atob(s)));
        assert.ok(fusedOps.includes('Relu') && fusedOps.includes('BiasAdd'), fusedOps.join(','));
        assert.equal(ops.has('Relu'), false, 'no separate Relu when fused');
      }
    }
  });

  it('keeps every weight in the manifest, none inline, and names the graph after the PyTorch modules', () => {
    const arch = sampleArch(SPACE, [RESOLUTION], createRng(3));
    const { netConfig, tensors } = extractSubnet(SPACE, supernet, arch);
    const { modelJson, bin } = subnetToTfjsGraphModel(netConfig, tensors, { resolution: RESOLUTION });
    const consts = modelJson.modelTopology.node.filter((n) => n.op === 'Const');
    const manifest = modelJson.weightsManifest[0].weights;
    assert.deepEqual(consts.map((n) => n.name).sort(), manifest.map((w) => w.name).sort());
    assert.equal(bin.length, manifest.reduce((a, w) => a + 4 * w.shape.reduce((x, y) => x * y, 1), 0));
    const placeholder = modelJson.modelTopology.node.find((n) => n.op === 'Placeholder')!;
    assert.deepEqual((placeholder.attr!.shape as { shape: { dim: { size: string }[] } }).shape.dim.map((d) => Number(d.size)), [-1, RESOLUTION, RESOLUTION, 3]);
    // BN is folded: every weight of the net config except BN statistics appears once, transposed.
    const stem = manifest.find((w) => w.name === 'first_conv/filter')!;
    assert.deepEqual(stem.shape, [3, 3, 3, tensors.get('first_conv.conv.weight')!.shape[0]]);
    assert.ok(manifest.some((w) => w.name === 'blocks.1/depth_conv/filter'));
    assert.equal(manifest.find((w) => w.name === 'classifier/kernel')!.shape.join(','), `${tensors.get('classifier.linear.weight')!.shape[1]},10`);
  });

  it('reads the input channels from the first conv (a 1-channel stem) and rejects a contradicting inputChannels', async () => {
    const arch = sampleArch(SPACE, [RESOLUTION], createRng(21));
    const { netConfig, tensors } = extractSubnet(SPACE, supernet, arch);
    const stem = tensors.get('first_conv.conv.weight')!;
    const rng = createRng(4);
    const gray = new Map(tensors);
    gray.set('first_conv.conv.weight', { dtype: 'F32', shape: [stem.shape[0], 1, 3, 3], data: new Float32Array(stem.shape[0] * 9).map(() => rng.next() - 0.5) });
    const grayConfig = { ...netConfig, first_conv: { ...(netConfig.first_conv as object), in_channels: 1 } };
    const r = await compare(grayConfig, gray, 9, true, 1);
    assert.ok(r.diff <= 1e-5, `max abs diff ${r.diff}`);
    assert.equal(r.modelJson.signature.inputs.input.tensorShape.dim[3].size, '1');
    assert.throws(() => subnetToTfjsGraphModel(grayConfig, gray, { resolution: RESOLUTION, inputChannels: 3 }), (e: unknown) => e instanceof TfjsExportError && /inputChannels 3 .*first_conv\.conv\.weight/.test(e.message));
    assert.throws(() => subnetToTfjsGraphModel(netConfig, gray, { resolution: RESOLUTION }), /first_conv\.in_channels 3 disagrees/);
  });

  it('names the missing tensor when the weights do not fit the config', () => {
    const arch = sampleArch(SPACE, [RESOLUTION], createRng(8));
    const { netConfig, tensors } = extractSubnet(SPACE, supernet, arch);
    const broken = new Map(tensors);
    broken.delete('blocks.2.conv.depth_conv.bn.running_var');
    assert.throws(() => subnetToTfjsGraphModel(netConfig, broken, { resolution: RESOLUTION }), /weights lack "blocks\.2\.conv\.depth_conv\.bn\.running_var"/);
  });
});
