import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FASHION_MNIST_DIR, IdxError, loadMnistLayoutDataset, readIdx } from '../../../src/engine/data/idx';

function idx(shape: number[], values: number[], type = 0x08): Uint8Array {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = type;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return new Uint8Array(Buffer.concat([header, Buffer.from(values)]));
}

describe('IDX reader', () => {
  it('reads raw and gzip-compressed files alike', () => {
    const raw = idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      const read = readIdx(bytes, 'x.idx');
      assert.deepEqual(read.shape, [2, 2, 3]);
      assert.deepEqual([...read.data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }
  });

  it('names the file and the problem for bad headers and truncated data', () => {
    assert.throws(() => readIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 1, 5]), 'a.idx'), (e: Error) => e instanceof IdxError && /a\.idx: not an IDX file/.test(e.message));
    assert.throws(() => readIdx(idx([1], [0, 0, 0, 0], 0x0d), 'f.idx'), /f\.idx: IDX value type 0xd is not supported/);
    assert.throws(() => readIdx(idx([3, 2], [1, 2, 3]), 't.idx'), /t\.idx: header promises 6 values of shape \[3, 2\] but 3 follow/);
  });

  it('checks declared dimensions before sizing anything from them, gzip included', () => {
    assert.throws(() => readIdx(idx([65535, 65535, 65535], [1, 2]), 'big.idx'), /big\.idx: header promises more values \(shape \[65535, 65535, 65535\]\) but 2 follow/);
    const declaredHuge = new Uint8Array(gzipSync(idx([65536, 65536], new Array(64).fill(0))));
    assert.throws(() => readIdx(declaredHuge, 'big.idx.gz'), /big\.idx\.gz: header declares shape \[65536, 65536\], more than the 256 MiB/);
    // More data than the header declares: inflation stops at the declared 4 + 4 + 3 bytes.
    const longer = new Uint8Array(gzipSync(idx([3], new Array(100_000).fill(7))));
    assert.throws(() => readIdx(longer, 'long.idx.gz'), /long\.idx\.gz: decompresses to more than the 11 bytes its header declares/);
    assert.throws(() => readIdx(new Uint8Array(gzipSync(idx([3], [1, 2, 3]))).subarray(0, 12), 'cut.idx.gz'), (e: Error) => e instanceof IdxError && /^cut\.idx\.gz: /.test(e.message));
  });

  it('explains how to install Fashion-MNIST when the folder lacks it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gp-idx-'));
    writeFileSync(path.join(dir, 'README'), 'empty');
    assert.throws(() => loadMnistLayoutDataset(dir), /train-images-idx3-ubyte\(\.gz\): not found — install Fashion-MNIST \(Debian: apt-get install dataset-fashion-mnist\)/);
  });

  it("reads Debian's Fashion-MNIST: 60k/10k 28×28 images, a balanced test split", function () {
    if (!existsSync(FASHION_MNIST_DIR)) this.skip(); // scripts/setup.sh installs it; CI always has it.
    const data = loadMnistLayoutDataset();
    assert.deepEqual(data.train.images.shape, [60000, 28, 28]);
    assert.deepEqual(data.test.images.shape, [10000, 28, 28]);
    const perClass = new Array(10).fill(0);
    for (const label of data.test.labels) perClass[label]++;
    assert.deepEqual(perClass, new Array(10).fill(1000)); // the published split has 1,000 test images per class
  });
});
