import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMPILED_CLI, REPO_ROOT } from '../fixtures';
import { parsePredictorTrainArgs, PredictorSetupError, runPredictorTrain } from '../../../src/cli/predictor';
import { formatArchDatasetJsonl } from '../../../src/engine/supernet/arch-dataset';
import { loadMlpPredictor } from '../../../src/engine/supernet/mlp-predictor';
import { SMALL_RESOLUTIONS, SMALL_SPACE, syntheticSamples } from '../supernet/mlp-helpers';

const CLI = COMPILED_CLI;

function greenprint(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A supernet file for the small test space; `resolutions` omitted → only the arch's r is covered. */
function writeSupernet(dir: string, resolutions: readonly number[] | undefined): string {
  const file = path.join(dir, 'small.supernet.json');
  writeFileSync(file, JSON.stringify({
    kind: 'greenprint.ofa-supernet',
    version: 1,
    space: SMALL_SPACE.space,
    width_mult: SMALL_SPACE.widthMult,
    ks_list: SMALL_SPACE.ksList,
    expand_list: SMALL_SPACE.expandList,
    depth_list: SMALL_SPACE.depthList,
    n_classes: SMALL_SPACE.nClasses,
    ...(resolutions ? { resolutions } : {}),
    arch: { ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [1, 1, 1, 1, 1], r: 224 },
  }));
  return file;
}

describe('greenprint predictor train', function () {
  this.timeout(60000);
  const dir = mkdtempSync(path.join(tmpdir(), 'gp-predictor-cli-'));
  const supernetFile = writeSupernet(dir, SMALL_RESOLUTIONS);
  const dataFile = path.join(dir, 'acc.jsonl');
  // In percent, as OFA's logs write it: the reader converts and says so.
  writeFileSync(dataFile, formatArchDatasetJsonl(syntheticSamples(150, 2).map((s) => ({ ...s, accuracy: 100 * s.accuracy }))));

  it('trains, writes model.json + weights.bin and reports counts and RMSE', async () => {
    const outDir = path.join(dir, 'out1');
    const epochs: number[] = [];
    const outcome = await runPredictorTrain({ dataFile, supernetFile, outDir, epochs: 3, seed: 5, force: false, onEpoch: (p) => epochs.push(p.epoch) });
    assert.deepEqual(epochs, [1, 2, 3]);
    assert.deepEqual(outcome.files, [path.join(outDir, 'model.json'), path.join(outDir, 'weights.bin')]);
    assert.equal(outcome.samples, 150);
    assert.equal(outcome.trainCount + outcome.heldOutCount, 150);
    assert.deepEqual(outcome.resolutions, SMALL_RESOLUTIONS);
    assert.match(outcome.notes.join(), /percentages/);
    assert.ok(outcome.baseAccuracy > 0.5 && outcome.baseAccuracy < 1, 'a fraction after the percent conversion');
    assert.ok(outcome.rmse.heldOut !== null && outcome.rmse.heldOut > 0 && outcome.rmse.heldOut < 0.2);
    const predictor = loadMlpPredictor(outcome.files[0]);
    assert.equal(predictor.metadata.trainedOn.source, 'acc.jsonl');
    assert.equal(predictor.metadata.trainedOn.hidden, 400);
    assert.equal(predictor.metadata.trainedOn.epochs, 3);
  });

  it('refuses existing output before training unless --force', async () => {
    const outDir = path.join(dir, 'out2');
    await runPredictorTrain({ dataFile, supernetFile, outDir, epochs: 1, force: false });
    const before = statSync(path.join(outDir, 'model.json')).mtimeMs;
    await assert.rejects(runPredictorTrain({ dataFile, supernetFile, outDir, epochs: 1, force: false }), (e: Error) => e instanceof PredictorSetupError && /already exist; pass --force/.test(e.message));
    assert.equal(statSync(path.join(outDir, 'model.json')).mtimeMs, before);
    await runPredictorTrain({ dataFile, supernetFile, outDir, epochs: 1, force: true });
    assert.deepEqual(readdirSync(outDir).sort(), ['model.json', 'weights.bin']);
  });

  it('covers only the arch’s r when the supernet lists no resolutions, and says how to fix it', async () => {
    const bare = writeSupernet(mkdtempSync(path.join(tmpdir(), 'gp-predictor-bare-')), undefined);
    await assert.rejects(
      runPredictorTrain({ dataFile, supernetFile: bare, outDir: path.join(dir, 'out3'), epochs: 1, force: false }),
      /acc\.jsonl:\d+: r = 160 is not one of the resolutions 224 \(.*lists no "resolutions", so only its arch's r = 224 is covered; add a "resolutions" list\)/,
    );
    assert.ok(!existsSync(path.join(dir, 'out3')));
  });

  it('parses its arguments and explains what is missing', () => {
    const args = parsePredictorTrainArgs(['d.jsonl', '--supernet', 's.json', '--out', 'o', '--epochs', '7', '--seed', '2', '--force', '--json']);
    assert.deepEqual(args, { dataFile: path.resolve('d.jsonl'), supernetFile: path.resolve('s.json'), outDir: path.resolve('o'), epochs: 7, seed: 2, force: true, json: true });
    assert.throws(() => parsePredictorTrainArgs(['--supernet', 's.json', '--out', 'o']), /Missing DATA/);
    assert.throws(() => parsePredictorTrainArgs(['d.jsonl', '--out', 'o']), /--supernet S\.supernet\.json is required/);
    assert.throws(() => parsePredictorTrainArgs(['d.jsonl', '--supernet', 's.json']), /--out DIR is required/);
    assert.throws(() => parsePredictorTrainArgs(['d.jsonl', '--supernet', 's.json', '--out', 'o', '--epochs', '0']), /--epochs needs a positive whole number/);
    assert.throws(() => parsePredictorTrainArgs(['d.jsonl', '--supernet', 's.json', '--out', 'o', '--generations', '3']), /Unknown option "--generations"/);
  });

  it('runs from the command line: JSON outcome, human summary, and file:line errors for bad data', () => {
    const outDir = path.join(dir, 'cli');
    const json = greenprint('predictor', 'train', dataFile, '--supernet', supernetFile, '--out', outDir, '--epochs', '2', '--json');
    assert.equal(json.code, 0, json.stderr);
    const outcome = JSON.parse(json.stdout);
    assert.equal(outcome.samples, 150);
    assert.equal(outcome.epochs, 2);
    assert.ok(existsSync(path.join(outDir, 'weights.bin')));

    const again = greenprint('predictor', 'train', dataFile, '--supernet', supernetFile, '--out', outDir, '--epochs', '1');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exist; pass --force/);
    const human = greenprint('predictor', 'train', dataFile, '--supernet', supernetFile, '--out', outDir, '--epochs', '1', '--force');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /150 samples: 120 trained on, 30 held out; 1 epochs in [\d.]+ s/);
    assert.match(human.stdout, /RMSE: train [\d.]+ pp, held-out [\d.]+ pp \(predicting the mean [\d.]+ %: [\d.]+ pp\)/);
    assert.match(human.stdout, /Order of the held-out subnets: Kendall τ 0\.\d\d /);
    assert.match(human.stdout, /note: accuracy read as percentages/);

    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'ks,e,d,r,accuracy\n3 3 3 3 3 3 3 3 3 3,3 3 3 3 3 3 3 3 3 3,1 1 1 1 1,224,0.7\n3 3,3 3,1 1 1 1 1,224,0.7\n');
    const rejected = greenprint('predictor', 'train', bad, '--supernet', supernetFile, '--out', path.join(dir, 'never'));
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /bad\.csv:3: ks and e need 10 entries for the mobilenetv3 space \(got 2 and 2\)/);
    assert.ok(!existsSync(path.join(dir, 'never')));
    assert.match(greenprint('predictor', 'fit').stderr, /Try: greenprint predictor train DATA/);
    assert.match(greenprint('--help').stdout, /predictor train DATA/);
  });
});
