/**
 * supernetTargets (src/engine/supernet/targets.ts): which devices can price a supernet, its FLOPs and latency
 * ranges, and the first search's defaults, on the two bundled samples. Nothing about the samples is
 * hard-coded: ranges are checked against the engine's own cost models on the extreme subnets, against
 * random subnets of the space, and (for exactness on costs that are not monotone) against brute force.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSupernetSpace } from '../../../src/engine/formats/ofa-supernet';
import { loadOfaLutSet } from '../../../src/engine/latency/ofa-lut';
import { lutFileName, saveLut } from '../../../src/engine/latency/lut';
import { ofaArchShape, ofaSpaceLayout, type OfaSpace, type SubnetArch } from '../../../src/engine/ofa/spaces';
import { macsModel, note10LatencyModel } from '../../../src/engine/supernet/efficiency-model';
import { costRange, middleOf, supernetTargets } from '../../../src/engine/supernet/targets';
import { samplePath } from '../fixtures';

const FMNIST = samplePath('ofa', 'fashion-mnist', 'fmnist-mbv3.supernet.json');
const W12_SAMPLE = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');
const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'gp-targets-'));

/** A seeded random subnet of a space (mulberry32). */
function randomArchs(space: OfaSpace, resolutions: readonly number[], count: number, seed = 7): SubnetArch[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const { slots, stages } = ofaArchShape(space);
  return Array.from({ length: count }, () => ({
    ks: Array.from({ length: slots }, () => pick(space.ksList)),
    e: Array.from({ length: slots }, () => pick(space.expandList)),
    d: Array.from({ length: stages }, () => pick(space.depthList)),
    r: pick(resolutions),
  }));
}

/** The subnet with every choice at one end of its list. */
function uniformArch(space: OfaSpace, r: number, end: 'first' | 'last'): SubnetArch {
  const at = (xs: readonly number[]) => (end === 'first' ? Math.min(...xs) : Math.max(...xs));
  const { slots, stages } = ofaArchShape(space);
  return { ks: new Array(slots).fill(at(space.ksList)), e: new Array(slots).fill(at(space.expandList)), d: new Array(stages).fill(at(space.depthList)), r };
}

describe('supernet targets and limits', () => {
  describe('the Fashion-MNIST sample', () => {
    const text = readFileSync(FMNIST, 'utf8');
    const description = readSupernetSpace(text, FMNIST)!;
    const resolutions = description.resolutions ?? [description.resolution!];
    const flopsOf = (a: SubnetArch) => 2 * macsModel(description.space)(a);
    const result = supernetTargets({ file: FMNIST, text, lutDirectory: emptyDir(), preferredDevice: 'local-cpu' });

    it('spans FLOPs from the smallest subnet (every choice smallest) to the largest (every choice largest)', () => {
      // MACs grow with every choice, so the extremes are the uniform subnets at the end resolutions.
      assert.equal(result.flops.min.cost, flopsOf(uniformArch(description.space, Math.min(...resolutions), 'first')));
      assert.equal(result.flops.max.cost, flopsOf(uniformArch(description.space, Math.max(...resolutions), 'last')));
      assert.equal(result.flops.min.cost, flopsOf(result.flops.min.arch));
      assert.ok(result.flops.max.cost > 2 * result.flops.min.cost, `a space worth searching: ${result.flops.min.cost}–${result.flops.max.cost}`);
      for (const arch of randomArchs(description.space, resolutions, 500)) {
        const f = flopsOf(arch);
        assert.ok(f >= result.flops.min.cost && f <= result.flops.max.cost, `${f} outside the range`);
      }
    });

    it('has no latency table anywhere, so it defaults to a FLOPs limit in the middle of that range on this machine', () => {
      assert.ok(!result.targets.some((t) => t.searchable));
      const { min, max } = result.flops;
      assert.equal(result.defaults.device, 'local-cpu');
      assert.equal(result.defaults.constraint, 'flops');
      assert.equal(result.defaults.max, middleOf(result.flops));
      assert.ok(Math.abs(result.defaults.max - (min.cost + max.cost) / 2) <= 0.05 * (max.cost - min.cost), `${result.defaults.max} is the middle of ${min.cost}–${max.cost}`);
      assert.match(result.defaults.reason, /middle of the space’s FLOPs/);
    });

    it('says how each device prices it: Note10 not at all, catalogue devices by roofline, this machine once calibrated', () => {
      const byId = new Map(result.targets.map((t) => [t.id, t]));
      assert.equal(byId.get('note10-ofa')!.method, 'none');
      assert.match(byId.get('note10-ofa')!.how, /MobileNetV3 w1\.2/);
      assert.equal(byId.get('local-cpu')!.method, 'none');
      assert.match(byId.get('local-cpu')!.how, /Greenprint: Calibrate This Machine/);
      assert.match(byId.get('local-cpu')!.how, /Build Latency Table/);
      assert.ok(result.targets.filter((t) => t.method === 'roofline').length >= 3, 'catalogue devices priced by roofline');
      const calibrated = supernetTargets({ file: FMNIST, text, lutDirectory: emptyDir(), calibrated: true });
      assert.equal(calibrated.targets.find((t) => t.id === 'local-cpu')!.method, 'calibrated-roofline');
    });
  });

  describe('the MobileNetV3 w1.2 sample (OFA’s Note10 tables)', () => {
    const text = readFileSync(W12_SAMPLE, 'utf8');
    const description = readSupernetSpace(text, W12_SAMPLE)!;
    const resolutions = description.resolutions!;
    const note10 = note10LatencyModel(description.space);

    it('is priced on the Note10 with the range of its fastest and slowest subnet, and defaults to a latency limit there', () => {
      const result = supernetTargets({ file: W12_SAMPLE, text, lutDirectory: emptyDir(), preferredDevice: 'local-cpu' });
      const target = result.targets.find((t) => t.id === 'note10-ofa')!;
      assert.equal(target.searchable, true);
      assert.match(target.how, /the supernet’s own latency tables \(ofa-w12\/note10-lut\)/);
      const range = target.latencyMs!;
      assert.equal(range.min.cost, note10(range.min.arch));
      assert.equal(range.max.cost, note10(range.max.arch));
      for (const arch of randomArchs(description.space, resolutions, 400)) {
        const ms = note10(arch);
        assert.ok(ms >= range.min.cost - 1e-9 && ms <= range.max.cost + 1e-9, `${ms} ms outside ${range.min.cost}–${range.max.cost}`);
      }
      // The sample itself is OFA's tutorial result under 25 ms: the range must hold it on both sides.
      assert.ok(range.min.cost < 25 && range.max.cost > 25, `${range.min.cost}–${range.max.cost} ms`);
      assert.deepEqual({ device: result.defaults.device, constraint: result.defaults.constraint }, { device: 'note10-ofa', constraint: 'latency' });
      assert.equal(result.defaults.max, middleOf(range));
    });

    it('prefers a table measured on this machine when it covers every block, and says when one does not', () => {
      // OFA's r = 192 table filed as this machine's: it covers a space searched at 192 only.
      const dir = emptyDir();
      const table = { ...loadOfaLutSet().get(192)!, device: { id: 'local-cpu', name: 'This machine (CPU)' } };
      saveLut(path.join(dir, lutFileName('local-cpu', table.backend, table.runtime)), table);
      const all = supernetTargets({ file: W12_SAMPLE, text, lutDirectory: dir });
      const uncovered = all.targets.find((t) => t.id === 'local-cpu')!;
      assert.equal(uncovered.searchable, false);
      assert.match(uncovered.how, /does not cover/);
      assert.equal(all.defaults.device, 'note10-ofa');

      const only192 = JSON.stringify({ ...JSON.parse(text), resolutions: [192] });
      const covered = supernetTargets({ file: W12_SAMPLE, text: only192, lutDirectory: dir });
      const local = covered.targets.find((t) => t.id === 'local-cpu')!;
      assert.equal(local.searchable, true);
      assert.match(local.how, /measured on this machine/);
      assert.equal(covered.defaults.device, 'local-cpu');
      // Same table, same figures: the ranges on both devices agree.
      const n10 = covered.targets.find((t) => t.id === 'note10-ofa')!.latencyMs!;
      assert.ok(Math.abs(local.latencyMs!.min.cost - n10.min.cost) < 1e-9 && Math.abs(local.latencyMs!.max.cost - n10.max.cost) < 1e-9);
      // The user's own choice wins when it can price the space.
      assert.equal(supernetTargets({ file: W12_SAMPLE, text: only192, lutDirectory: dir, preferredDevice: 'note10-ofa' }).defaults.device, 'note10-ofa');
    });
  });

  describe('costRange', () => {
    it('finds the exact extremes of an additive cost that is not monotone in any choice (brute force on a small space)', () => {
      const space: OfaSpace = { space: 'mobilenetv3', widthMult: 1, ksList: [3, 5], expandList: [3, 6], depthList: [1, 2], nClasses: 10 };
      const stageSlots = ofaSpaceLayout(space).stages.map((s) => s.slots);
      const PRICED = 3;
      // Seeded cell costs, positive and negative, per resolution, stage, first-or-inner block, kernel and expand.
      let seed = 11;
      const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 0.7;
      const cells = new Map<string, number>();
      const cell = (...key: number[]) => {
        const k = key.join(',');
        if (!cells.has(k)) cells.set(k, next());
        return cells.get(k)!;
      };
      const cost = (a: SubnetArch) => {
        let total = cell(a.r);
        let slot = 0;
        stageSlots.forEach((count, s) => {
          // Stages 3 and 4 cost nothing, so brute force need only walk stages 0–2.
          if (s < PRICED) for (let p = 0; p < Math.min(count, a.d[s]); p++) total += cell(a.r, s, p === 0 ? 0 : 1, a.ks[slot + p], a.e[slot + p]);
          slot += count;
        });
        return total;
      };
      const resolutions = [24, 28];
      const rest = { d: 1, ks: [3, 3], e: [3, 3] };
      let lo = Infinity;
      let hi = -Infinity;
      // Every subnet of the priced stages: per stage depth 1 (one of 4 blocks) or 2 (16 pairs), 20³ × 2 resolutions.
      const stageOptions: { d: number; ks: number[]; e: number[] }[] = [];
      for (const d of space.depthList) {
        const blocks = space.ksList.flatMap((k) => space.expandList.map((e) => [k, e]));
        if (d === 1) for (const [k, e] of blocks) stageOptions.push({ d, ks: [k, 3], e: [e, 3] });
        else for (const [k1, e1] of blocks) for (const [k2, e2] of blocks) stageOptions.push({ d, ks: [k1, k2], e: [e1, e2] });
      }
      for (const r of resolutions) {
        const walk = (s: number, chosen: typeof stageOptions) => {
          if (s === PRICED) {
            const all = [...chosen, ...new Array(stageSlots.length - PRICED).fill(rest)];
            const c = cost({ r, d: all.map((o) => o.d), ks: all.flatMap((o) => o.ks), e: all.flatMap((o) => o.e) });
            lo = Math.min(lo, c);
            hi = Math.max(hi, c);
            return;
          }
          for (const o of stageOptions) walk(s + 1, [...chosen, o]);
        };
        walk(0, []);
      }
      const range = costRange(space, resolutions, cost);
      assert.ok(Math.abs(range.min.cost - lo) < 1e-9, `min ${range.min.cost} vs brute force ${lo}`);
      assert.ok(Math.abs(range.max.cost - hi) < 1e-9, `max ${range.max.cost} vs brute force ${hi}`);
      assert.equal(range.min.cost, cost(range.min.arch));
    });
  });
});
