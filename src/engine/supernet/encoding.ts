/**
 * The feature encoding of OFA's tutorial accuracy predictor for the OFA-MobileNetV3 space
 * (`ofa/tutorial/accuracy_predictor.py`, `spec2feats` in mit-han-lab/once-for-all), 128 inputs:
 *
 *   [0, 60)    kernel one-hot: slot i (0..19) × {3, 5, 7} at 3·i + {0, 1, 2}
 *   [60, 120)  expand one-hot: slot i × {3, 4, 6} at 60 + 3·i + {0, 1, 2}
 *   [120, 128) resolution one-hot at 120 + (r − 112) // 16   (112…239 → slots 0…7)
 *
 * Slot i belongs to stage i // 4 at depth position i % 4; a slot with i % 4 ≥ d[i // 4] is inactive and
 * both its one-hots stay all zero (spec2feats zeroes ks/e there before encoding). The one-hot orders come
 * from `construct_maps(keys=(3,5,7))` / `(3,4,6)`, which enumerate `set(keys)`: for small ints CPython
 * iterates in ascending order, so 3→0, 5→1, 7→2 and 3→0, 4→1, 6→2.
 */
import type { OfaArch } from '../ofa/spaces';

export const MBV3_PREDICTOR_SLOTS = 20;
export const MBV3_PREDICTOR_STAGES = 5;
export const MBV3_SLOTS_PER_STAGE = 4;
export const MBV3_KERNEL_CHOICES: readonly number[] = [3, 5, 7];
export const MBV3_EXPAND_CHOICES: readonly number[] = [3, 4, 6];
export const MBV3_DEPTH_CHOICES: readonly number[] = [2, 3, 4];
export const MBV3_RESOLUTION_BASE = 112;
export const MBV3_RESOLUTION_STEP = 16;
export const MBV3_RESOLUTION_SLOTS = 8;
const KERNEL_OFFSET = 0;
const EXPAND_OFFSET = 60;
const RESOLUTION_OFFSET = 120;
export const MBV3_PREDICTOR_FEATURES = 128;

/** An OFA-MobileNetV3 subnet with its input resolution (tutorial's `r[0]`, library's `image_size`). */
export interface OfaMbv3SubnetArch extends OfaArch {
  readonly r: number;
}

export class ArchEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchEncodingError';
  }
}

/** Accepts the tutorial dict (`r: [192]`), the library dict (`image_size: 192`) or ours (`r: 192`). */
export function normaliseMbv3Arch(arch: {
  ks: readonly number[]; e: readonly number[]; d: readonly number[];
  r?: number | readonly number[]; image_size?: number;
}): OfaMbv3SubnetArch {
  const r = Array.isArray(arch.r) ? arch.r[0] : (arch.r as number | undefined) ?? arch.image_size;
  if (typeof r !== 'number') throw new ArchEncodingError('arch has no resolution (expected r or image_size)');
  return { ks: arch.ks, e: arch.e, d: arch.d, r };
}

function check(arch: OfaMbv3SubnetArch): void {
  if (arch.ks.length !== MBV3_PREDICTOR_SLOTS || arch.e.length !== MBV3_PREDICTOR_SLOTS) {
    throw new ArchEncodingError(`ks and e need ${MBV3_PREDICTOR_SLOTS} entries (got ${arch.ks.length} and ${arch.e.length})`);
  }
  if (arch.d.length !== MBV3_PREDICTOR_STAGES) throw new ArchEncodingError(`d needs ${MBV3_PREDICTOR_STAGES} entries (got ${arch.d.length})`);
  const slot = Math.floor((arch.r - MBV3_RESOLUTION_BASE) / MBV3_RESOLUTION_STEP);
  if (!Number.isInteger(arch.r) || slot < 0 || slot >= MBV3_RESOLUTION_SLOTS) {
    throw new ArchEncodingError(`resolution ${arch.r} is outside the predictor's range 112…239`);
  }
  for (let stage = 0; stage < MBV3_PREDICTOR_STAGES; stage++) {
    if (!MBV3_DEPTH_CHOICES.includes(arch.d[stage])) {
      throw new ArchEncodingError(`d[${stage}] = ${arch.d[stage]} is not one of ${MBV3_DEPTH_CHOICES.join('/')}`);
    }
  }
  for (let i = 0; i < MBV3_PREDICTOR_SLOTS; i++) {
    if (i % MBV3_SLOTS_PER_STAGE >= arch.d[Math.floor(i / MBV3_SLOTS_PER_STAGE)]) continue;
    if (!MBV3_KERNEL_CHOICES.includes(arch.ks[i])) throw new ArchEncodingError(`ks[${i}] = ${arch.ks[i]} is not one of 3/5/7`);
    if (!MBV3_EXPAND_CHOICES.includes(arch.e[i])) throw new ArchEncodingError(`e[${i}] = ${arch.e[i]} is not one of 3/4/6`);
  }
}

/**
 * The indices of the non-zero features (all ones), written into `out` from 0; returns how many (≤ 41).
 * The predictor works on this sparse form: its first layer is then a sum of weight columns.
 */
export function activeFeatureIndices(arch: OfaMbv3SubnetArch, out: Int32Array): number {
  check(arch);
  let count = 0;
  for (let i = 0; i < MBV3_PREDICTOR_SLOTS; i++) {
    if (i % MBV3_SLOTS_PER_STAGE >= arch.d[(i / MBV3_SLOTS_PER_STAGE) | 0]) continue;
    out[count++] = KERNEL_OFFSET + 3 * i + MBV3_KERNEL_CHOICES.indexOf(arch.ks[i]);
    out[count++] = EXPAND_OFFSET + 3 * i + MBV3_EXPAND_CHOICES.indexOf(arch.e[i]);
  }
  out[count++] = RESOLUTION_OFFSET + Math.floor((arch.r - MBV3_RESOLUTION_BASE) / MBV3_RESOLUTION_STEP);
  return count;
}

/** The dense 128-value feature vector (OFA's `spec2feats`). */
export function encodeMbv3Arch(arch: OfaMbv3SubnetArch): Float32Array {
  const indices = new Int32Array(MBV3_PREDICTOR_FEATURES);
  const count = activeFeatureIndices(arch, indices);
  const features = new Float32Array(MBV3_PREDICTOR_FEATURES);
  for (let i = 0; i < count; i++) features[indices[i]] = 1;
  return features;
}

/**
 * Feature vector → arch (OFA's `feature2arch` convention): inactive slots decode as ks = e = 0, depth is the
 * count of active slots per stage, and r is the lowest resolution of its 16-pixel bucket.
 */
export function decodeMbv3Features(features: ArrayLike<number>): OfaMbv3SubnetArch {
  if (features.length !== MBV3_PREDICTOR_FEATURES) {
    throw new ArchEncodingError(`expected ${MBV3_PREDICTOR_FEATURES} features, got ${features.length}`);
  }
  const hot = (offset: number, choices: readonly number[], what: string): number => {
    let found = 0;
    for (let k = 0; k < choices.length; k++) {
      if (features[offset + k] === 1) {
        if (found) throw new ArchEncodingError(`${what} has more than one hot entry`);
        found = choices[k];
      } else if (features[offset + k] !== 0) {
        throw new ArchEncodingError(`${what} holds ${features[offset + k]}, expected 0 or 1`);
      }
    }
    return found;
  };
  const ks: number[] = [];
  const e: number[] = [];
  const d = new Array<number>(MBV3_PREDICTOR_STAGES).fill(0);
  for (let i = 0; i < MBV3_PREDICTOR_SLOTS; i++) {
    const kernel = hot(KERNEL_OFFSET + 3 * i, MBV3_KERNEL_CHOICES, `kernel slot ${i}`);
    const expand = hot(EXPAND_OFFSET + 3 * i, MBV3_EXPAND_CHOICES, `expand slot ${i}`);
    if ((kernel === 0) !== (expand === 0)) throw new ArchEncodingError(`slot ${i} has a kernel without an expand ratio or vice versa`);
    const stage = Math.floor(i / MBV3_SLOTS_PER_STAGE);
    if (kernel !== 0) {
      if (i % MBV3_SLOTS_PER_STAGE !== d[stage]) throw new ArchEncodingError(`slot ${i} is active after an inactive slot of its stage`);
      d[stage]++;
    }
    ks.push(kernel);
    e.push(expand);
  }
  const resolutionSlot = hot(RESOLUTION_OFFSET, [1, 2, 3, 4, 5, 6, 7, 8], 'resolution');
  if (resolutionSlot === 0) throw new ArchEncodingError('no resolution slot is set');
  return { ks, e, d, r: MBV3_RESOLUTION_BASE + MBV3_RESOLUTION_STEP * (resolutionSlot - 1) };
}

/** Expands per-stage [kernel, expand] lists (d = their lengths) into the 20-slot lists; inactive slots get `fill`. */
export function mbv3ArchFromStages(stages: readonly (readonly [number, number])[][], r: number, fill: readonly [number, number] = [0, 0]): OfaMbv3SubnetArch {
  if (stages.length !== MBV3_PREDICTOR_STAGES) throw new ArchEncodingError(`expected ${MBV3_PREDICTOR_STAGES} stages, got ${stages.length}`);
  const ks: number[] = [];
  const e: number[] = [];
  for (const blocks of stages) {
    for (let j = 0; j < MBV3_SLOTS_PER_STAGE; j++) {
      const [kernel, expand] = blocks[j] ?? fill;
      ks.push(kernel);
      e.push(expand);
    }
  }
  return { ks, e, d: stages.map((blocks) => blocks.length), r };
}
