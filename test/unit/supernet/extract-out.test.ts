/**
 * `runExtract`'s output folder on disk: refusals leave every byte as it was; --force replaces only an
 * earlier extraction, whole; a failure or a signal mid-write leaves no temporary folder and the previous
 * contents intact; a kill -9's leftover never blocks a rerun and is swept once stale. Real files in
 * os.tmpdir() on a small random supernet (width 0.35, grey 28×28 input, ~4 MB of weights); the kills are
 * real signals to a child process (extract-child.ts) paused inside the write.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXTRACT_TEMP_PREFIX, ExtractSetupError, runExtract, type ExtractRequest } from '../../../src/engine/supernet/run-extract';
import { randomSupernetWeights } from '../../../src/engine/supernet/weights';
import { writeSafetensors } from '../../../src/engine/weights/safetensors';

const SPACE = { space: 'mobilenetv3' as const, widthMult: 0.35, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10, inChannels: 1 };
const ARCH_A = { ks: new Array(20).fill(3), e: new Array(20).fill(3), d: [2, 2, 2, 2, 2], r: 28 };
const ARCH_B = { ks: new Array(20).fill(7), e: new Array(20).fill(6), d: [4, 4, 4, 4, 4], r: 28 };
const FILES = ['model.onnx', 'model.safetensors', 'net.config', 'run.config', 'tfjs/group1-shard1of1.bin', 'tfjs/model.json'];

/** Every file under `dir` (relative, '/'-separated) with its bytes: equal snapshots mean nothing changed. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string, prefix: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else out.set(`${prefix}${name}`, readFileSync(full).toString('base64'));
    }
  };
  walk(dir, '');
  return out;
}

/** Greenprint's temporary and moved-aside folders in `dir`. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('.greenprint-'));
}

/** A supernet description + weights in `<tmp>/net/`, extraction targets next to it. */
function setup() {
  const root = mkdtempSync(path.join(tmpdir(), 'gp-extract-out-'));
  const netDir = path.join(root, 'net');
  mkdirSync(netDir);
  const supernetFile = path.join(netDir, 'tiny.supernet.json');
  writeFileSync(supernetFile, JSON.stringify({ kind: 'greenprint.ofa-supernet', version: 1, space: 'mobilenetv3', width_mult: 0.35, in_channels: 1, n_classes: 10, resolutions: [28], weights: 'tiny.safetensors', arch: ARCH_A }));
  writeFileSync(path.join(netDir, 'tiny.safetensors'), writeSafetensors(randomSupernetWeights(SPACE, 11)));
  writeFileSync(path.join(netDir, 'notes.md'), 'my notes\n');
  const request = (outDir: string, extra: Partial<ExtractRequest> = {}): ExtractRequest => ({ supernetFile, outDir, force: false, ...extra });
  return { root, netDir, supernetFile, request };
}

function childExtract(request: ExtractRequest, pauseAfter: number) {
  const script = path.join(__dirname, 'extract-child.js');
  const child = spawn(process.execPath, [script, JSON.stringify(request), String(pauseAfter)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const paused = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child never paused (stdout ${stdout}, stderr ${stderr})`)), 30_000);
    child.stdout.on('data', () => {
      const m = /PAUSED (.+)\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(() => reject(new Error(`the child exited before pausing (stdout ${stdout}, stderr ${stderr})`)));
  });
  return { child, paused, exited };
}

describe('extract: the output folder', function () {
  this.timeout(60_000);
  const roots: string[] = [];
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  const fresh = () => {
    const s = setup();
    roots.push(s.root);
    return s;
  };

  it('writes the whole set into a new folder and leaves nothing else beside it', async () => {
    const { root, request } = fresh();
    const out = path.join(root, 'a');
    const outcome = await runExtract(request(out));
    assert.deepEqual([...snapshot(out).keys()], FILES);
    assert.deepEqual(outcome.files.map((f) => path.relative(out, f).split(path.sep).join('/')), ['net.config', 'run.config', 'model.safetensors', 'model.onnx', 'tfjs/model.json', 'tfjs/group1-shard1of1.bin']);
    assert.deepEqual(leftovers(root), []);
    // A new folder inside the supernet's folder (the panel's default) is fine: it holds none of the inputs.
    const netDir = path.dirname(request(out).supernetFile);
    await runExtract(request(path.join(netDir, 'tiny-subnet')));
    assert.deepEqual([...snapshot(path.join(netDir, 'tiny-subnet')).keys()], FILES);
    assert.deepEqual(leftovers(netDir), []);
  });

  it('refuses a non-empty folder without force and changes nothing in it', async () => {
    const { root, request } = fresh();
    const out = path.join(root, 'mine');
    mkdirSync(out);
    writeFileSync(path.join(out, 'report.txt'), 'keep me');
    const before = snapshot(out);
    await assert.rejects(runExtract(request(out)), (e: Error) => e instanceof ExtractSetupError && e.message.includes(out) && /not empty \(report\.txt\).*--force/.test(e.message));
    // An earlier extraction is refused the same way without force.
    const earlier = path.join(root, 'earlier');
    await runExtract(request(earlier));
    const earlierBefore = snapshot(earlier);
    await assert.rejects(runExtract(request(earlier, { arch: ARCH_B })), /already exists and is not empty \(net\.config, run\.config, model\.safetensors, model\.onnx, tfjs\)/);
    assert.deepEqual(snapshot(out), before);
    assert.deepEqual(snapshot(earlier), earlierBefore);
    assert.deepEqual(leftovers(root), []);
  });

  it("refuses the supernet's own folder, a folder above it and one holding its weights, even with force", async () => {
    const { root, netDir, request } = fresh();
    const before = snapshot(root);
    await assert.rejects(runExtract(request(netDir, { force: true })), (e: Error) => e instanceof ExtractSetupError && /is the supernet description's folder.*not even with --force/.test(e.message));
    await assert.rejects(runExtract(request(root, { force: true })), /contains the supernet description's folder/);
    // Weights kept elsewhere: their folder is protected too.
    const weightsDir = path.join(root, 'weights');
    mkdirSync(weightsDir);
    const weightsFile = path.join(weightsDir, 'w.safetensors');
    writeFileSync(weightsFile, readFileSync(path.join(netDir, 'tiny.safetensors')));
    await assert.rejects(runExtract(request(weightsDir, { weightsFile, force: true })), /contains the supernet weights/);
    await assert.rejects(runExtract(request(weightsFile, { weightsFile, force: true })), /is the supernet weights/);
    // Through a symbolic link to the supernet's folder as well (where the system allows links).
    const link = path.join(root, 'link');
    let linked = false;
    try {
      symlinkSync(netDir, link, 'dir');
      linked = true;
    } catch {
      // Windows without the privilege: the realpath check is covered by the plain cases.
    }
    if (linked) await assert.rejects(runExtract(request(link, { force: true })), /is the supernet description's folder/);
    rmSync(weightsDir, { recursive: true });
    if (linked) rmSync(link);
    assert.deepEqual(snapshot(root), before, 'nothing the user wrote changed');
  });

  it('with force replaces an earlier extraction with a complete new set, and refuses a folder with anything else in it', async () => {
    const { root, request } = fresh();
    const out = path.join(root, 'subnet');
    await runExtract(request(out));
    const small = readFileSync(path.join(out, 'model.safetensors')).length;
    const outcome = await runExtract(request(out, { arch: ARCH_B, force: true }));
    assert.deepEqual([...snapshot(out).keys()], FILES, 'exactly the new set');
    assert.ok(readFileSync(path.join(out, 'model.safetensors')).length > small, 'the larger subnet replaced the smaller one');
    assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'tfjs', 'model.json'), 'utf8')).userDefinedMetadata.arch, ARCH_B);
    assert.ok(outcome.params > 0);
    assert.deepEqual(leftovers(root), [], 'no temporary or moved-aside folder left');

    writeFileSync(path.join(out, 'README.md'), 'about this subnet');
    const before = snapshot(out);
    await assert.rejects(runExtract(request(out, { force: true })), /holds README\.md, which an extraction does not write; --force replaces only the folder of an earlier extraction/);
    assert.deepEqual(snapshot(out), before);
    // An empty folder is fine without force.
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    await runExtract(request(empty));
    assert.deepEqual([...snapshot(empty).keys()], FILES);
  });

  it('a failure mid-write leaves no temporary folder and the previous contents intact', async () => {
    const { root, request } = fresh();
    const out = path.join(root, 'subnet');
    await runExtract(request(out));
    const before = snapshot(out);
    let seen = 0;
    const failAfterTwo = {
      afterFile() {
        if (++seen === 2) throw new Error('disk full (injected)');
      },
    };
    await assert.rejects(runExtract(request(out, { arch: ARCH_B, force: true }), failAfterTwo), /disk full \(injected\)/);
    assert.equal(seen, 2);
    assert.deepEqual(snapshot(out), before);
    assert.deepEqual(leftovers(root), []);
    // Into a new folder: it is not created at all.
    seen = 0;
    await assert.rejects(runExtract(request(path.join(root, 'new')), failAfterTwo), /injected/);
    assert.equal(existsSync(path.join(root, 'new')), false);
    // Between moving the old folder aside and renaming the new one in: the old one is moved back.
    await assert.rejects(
      runExtract(request(out, { arch: ARCH_B, force: true }), {
        afterMoveAside(aside) {
          assert.ok(existsSync(aside) && !existsSync(out));
          throw new Error('rename failed (injected)');
        },
      }),
      /rename failed \(injected\)/,
    );
    assert.deepEqual(snapshot(out), before);
    assert.deepEqual(leftovers(root), []);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`a child process sent ${signal} while writing leaves no temporary files and the old set intact`, async () => {
      const { root, request } = fresh();
      const out = path.join(root, 'subnet');
      await runExtract(request(out));
      const before = snapshot(out);
      const run = childExtract(request(out, { arch: ARCH_B, force: true }), 3);
      const temp = await run.paused;
      assert.ok(existsSync(temp) && path.basename(temp).startsWith(EXTRACT_TEMP_PREFIX), 'paused inside the temporary folder');
      assert.ok(readdirSync(temp).length > 0, 'some files were already written');
      run.child.kill(signal);
      const exit = await run.exited;
      assert.equal(exit.code, signal === 'SIGTERM' ? 143 : 130, exit.stderr);
      assert.match(exit.stderr, new RegExp(`interrupted by ${signal}; nothing was changed there`));
      assert.equal(existsSync(temp), false);
      assert.deepEqual(leftovers(root), []);
      assert.deepEqual(snapshot(out), before);
    });
  }

  it("a kill -9's leftover does not block a plain rerun and is swept once stale", async () => {
    const { root, request } = fresh();
    const out = path.join(root, 'subnet');
    const run = childExtract(request(out), 2);
    const temp = await run.paused;
    run.child.kill('SIGKILL');
    const exit = await run.exited;
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(existsSync(temp), 'kill -9 cannot clean up: the half-written temporary folder stays');
    assert.equal(existsSync(out), false, 'and --out never appeared');

    await runExtract(request(out));
    assert.deepEqual([...snapshot(out).keys()], FILES, 'the rerun wrote the whole set');
    assert.ok(existsSync(temp), 'a fresh leftover is left alone (its owner might still be writing)');

    // Twenty minutes later (and its owner long gone) the next write beside it removes it.
    const past = (Date.now() - 20 * 60 * 1000) / 1000;
    utimesSync(temp, past, past);
    await runExtract(request(out, { force: true, arch: ARCH_B }));
    assert.equal(existsSync(temp), false);
    assert.deepEqual(leftovers(root), []);
  });

  it('registers its signal handlers only while writing', async () => {
    const counts = () => ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
    const { root, request } = fresh();
    const before = counts();
    let during: number[] = [];
    await runExtract(request(path.join(root, 'x')), {
      afterFile() {
        during = counts();
      },
    });
    assert.deepEqual(during, before.map((n) => n + 1));
    assert.deepEqual(counts(), before);
  });
});
