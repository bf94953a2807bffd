/**
 * fsutil/atomic-write.ts and atomic-folder.ts on real files in os.tmpdir(): the target is the old file or
 * the new one, temporary files are gone on success and on failure, an existing target is kept without
 * overwrite, stale leftovers of dead writers are swept while fresh or live ones are kept, and the writers
 * that used to keep their own temp-then-rename copies (LUT, calibration, predictor, weights convert) leave
 * no temporary file either.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FolderNotEmptyError, writeFolderAtomic } from '../../../src/engine/fsutil/atomic-folder';
import { FileExistsError, isStaleTemp, STALE_TEMP_MS, writeFileAtomic } from '../../../src/engine/fsutil/atomic-write';
import { emptyLut, saveLut } from '../../../src/engine/latency/lut';
import { saveCalibration, type LocalCalibration } from '../../../src/engine/latency/local';
import { convertWeights } from '../../../src/cli/weights';
import { writeSafetensors } from '../../../src/engine/weights/safetensors';

/** A pid that runs nothing: a child that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function ageBy(file: string, ms: number): void {
  const t = (Date.now() - ms) / 1000;
  utimesSync(file, t, t);
}

describe('atomic writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes and replaces a file, leaving only the file', () => {
    const file = path.join(dir, 'a.json');
    writeFileAtomic(file, '{"v":1}');
    writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...readFileSync(file)], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir), ['a.json']);
  });

  it('without overwrite keeps an existing file byte for byte and removes its temporary', () => {
    const file = path.join(dir, 'keep.txt');
    writeFileSync(file, 'mine');
    assert.throws(() => writeFileAtomic(file, 'theirs', { overwrite: false }), (e: Error) => e instanceof FileExistsError && e.message.includes(file));
    assert.equal(readFileSync(file, 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dir), ['keep.txt']);
    writeFileAtomic(path.join(dir, 'new.txt'), 'ok', { overwrite: false });
    assert.equal(readFileSync(path.join(dir, 'new.txt'), 'utf8'), 'ok');
  });

  it('a failing rename (the target is a folder) removes the temporary and leaves the folder alone', () => {
    const target = path.join(dir, 'folder');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'x');
    assert.throws(() => writeFileAtomic(target, 'data'));
    assert.deepEqual(readdirSync(dir), ['folder']);
    assert.deepEqual(readdirSync(target), ['inside']);
  });

  it("sweeps a dead writer's stale temporary of the same file, and keeps fresh or foreign ones", () => {
    const file = path.join(dir, 'lut.json');
    const dead = deadPid();
    const stale = path.join(dir, `.lut.json.gp-${dead}-0123456789ab.tmp`);
    const fresh = path.join(dir, `.lut.json.gp-${dead}-ba9876543210.tmp`);
    const live = path.join(dir, `.lut.json.gp-${process.pid}-aaaaaaaaaaaa.tmp`);
    const other = path.join(dir, `.other.json.gp-${dead}-0123456789ab.tmp`);
    for (const f of [stale, fresh, live, other]) writeFileSync(f, 'half');
    for (const f of [stale, live, other]) ageBy(f, 2 * STALE_TEMP_MS);
    writeFileAtomic(file, 'whole');
    assert.equal(readFileSync(file, 'utf8'), 'whole');
    assert.deepEqual(readdirSync(dir).sort(), [path.basename(fresh), path.basename(live), path.basename(other), 'lut.json'].sort());
  });

  it('calls a temporary stale only when its owner is gone and it is old, or when it is a day old', () => {
    const now = Date.now();
    assert.equal(isStaleTemp(deadPid(), now - 2 * STALE_TEMP_MS, now), true);
    assert.equal(isStaleTemp(deadPid(), now - STALE_TEMP_MS / 2, now), false);
    assert.equal(isStaleTemp(process.pid, now - 2 * STALE_TEMP_MS, now), false);
    assert.equal(isStaleTemp(process.pid, now - 25 * 60 * 60 * 1000, now), true);
  });

  it('the LUT, calibration and converted-weights writers leave no temporary files', () => {
    const lut = path.join(dir, 'x.lut.json');
    const table = emptyLut({ device: { id: 'local-cpu', name: 'This machine' }, backend: 'wasm', runtime: 'tfjs 4', threads: 1, batch: 1, overheadMs: 0 });
    saveLut(lut, table);
    assert.throws(() => saveLut(lut, table), /already exists; Greenprint does not replace a file/);
    saveLut(lut, table, { overwrite: true });
    const calibration = path.join(dir, 'sub', 'local-device.json');
    saveCalibration(calibration, { format: 'greenprint.local-device', version: 1, flopsPerSecond: 1e9, bytesPerSecond: 1e9 } as unknown as LocalCalibration);
    const input = path.join(dir, 'w.safetensors');
    writeFileSync(input, writeSafetensors(new Map([['a', { dtype: 'F32' as const, shape: [2], data: new Float32Array([1, 2]) }]])));
    const output = path.join(dir, 'w2.safetensors');
    convertWeights({ input, output, force: false });
    convertWeights({ input, output, force: true });
    assert.deepEqual(readdirSync(dir).sort(), ['sub', 'w.safetensors', 'w2.safetensors', 'x.lut.json']);
    assert.deepEqual(readdirSync(path.join(dir, 'sub')), ['local-device.json']);
  });
});

describe('atomic folder writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-atomic-dir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const files = [
    { path: 'b/two.bin', data: new Uint8Array([2]) },
    { path: 'one.txt', data: 'one' },
  ];

  it('writes a set into a new or empty folder, and refuses a non-empty one unless replacing', async () => {
    const out = path.join(dir, 'set');
    await writeFolderAtomic(out, files, { tempPrefix: '.t-' });
    assert.deepEqual(readdirSync(out).sort(), ['b', 'one.txt']);
    await assert.rejects(writeFolderAtomic(out, [{ path: 'x', data: 'x' }], { tempPrefix: '.t-' }), FolderNotEmptyError);
    assert.deepEqual(readdirSync(out).sort(), ['b', 'one.txt']);
    await writeFolderAtomic(out, [{ path: 'x', data: 'x' }], { tempPrefix: '.t-', replace: true });
    assert.deepEqual(readdirSync(out), ['x']);
    assert.deepEqual(readdirSync(dir), ['set'], 'no temporary or moved-aside folder');
  });

  it('refuses paths that leave the folder before writing anything', async () => {
    for (const bad of ['../escape', '/abs', 'a/../../b', '']) {
      await assert.rejects(writeFolderAtomic(path.join(dir, 'o'), [{ path: bad, data: 'x' }], { tempPrefix: '.t-' }), /not a plain relative path/);
    }
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(existsSync(path.join(dir, '..', 'escape')), false);
  });
});
