/**
 * A child process for extract-out.test.ts: runs `runExtract(request)` with a hook that, after the file
 * number `pauseAfter` of the set is written into the temporary folder, prints `PAUSED <temp folder>` and
 * waits (up to 20 s, or until a signal aborts the write), so the test can kill it mid-write. Exits 0 when
 * the extraction completes, 128 + signal number when a signal interrupted it, 1 on any other error.
 *   node extract-child.js '<ExtractRequest JSON>' <pauseAfter>
 */
import { constants } from 'node:os';
import { runExtract, WriteInterruptedError, type ExtractRequest } from '../../../src/engine/supernet/run-extract';

const request = JSON.parse(process.argv[2]) as ExtractRequest;
const pauseAfter = Number(process.argv[3]);
let written = 0;

runExtract(request, {
  async afterFile(_relative, tempDir, signal) {
    if (++written !== pauseAfter) return;
    process.stdout.write(`PAUSED ${tempDir}\n`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20_000);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  },
}).then(
  () => {
    process.stdout.write('DONE\n');
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = e instanceof WriteInterruptedError ? 128 + (constants.signals[e.signal] ?? 0) : 1;
  },
);
