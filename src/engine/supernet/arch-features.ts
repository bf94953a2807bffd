/**
 * Feature encoding of subnets for Greenprint's own accuracy predictors, for any OFA space.
 *
 * It generalises OFA's `spec2feats` (ofa/tutorial/accuracy_predictor.py, fixed there to the MobileNetV3
 * w1.2 space; see ./encoding.ts) to the space a supernet file describes:
 *
 *   [0, S·K)                 kernel one-hot: slot i × sorted ksList at K·i + index
 *   [S·K, S·(K+E))           expand one-hot: slot i × sorted expandList at S·K + E·i + index
 *   [S·(K+E), S·(K+E)+R)     resolution one-hot over the sorted resolutions, only when R > 1
 *
 * where S is the space's slot count (ofaArchShape). As in spec2feats, a slot beyond its stage's depth is
 * inactive and both its one-hots stay all zero, so the ks/e values written there do not matter. Unlike
 * spec2feats, which buckets resolutions by 16 pixels, a resolution must be one of the listed ones: a
 * predictor knows nothing about the others and should say so rather than guess.
 *
 * Every feature is 0 or 1, so the sparse form (`activeIndices`) is exact; the MLP predictor computes its
 * first layer as a sum of the weight rows of the active features.
 */
import { ofaArchShape, type OfaSpace, type OfaSpaceId, type SubnetArch } from '../ofa/spaces';
import { ArchEncodingError } from './encoding';

export { ArchEncodingError };

/** JSON-serialisable description of an encoding, stored with a trained predictor to detect mismatches. */
export interface ArchEncodingSpec {
  readonly kind: 'greenprint.ofa-onehot';
  readonly version: 1;
  readonly space: OfaSpaceId;
  /** Block slots per stage (length of d); sum = length of ks and e. */
  readonly slotsPerStage: readonly number[];
  readonly ksList: readonly number[];
  readonly expandList: readonly number[];
  readonly depthList: readonly number[];
  readonly resolutions: readonly number[];
  readonly segments: readonly { readonly name: 'ks' | 'e' | 'r'; readonly offset: number; readonly length: number }[];
  readonly size: number;
}

export interface ArchFeatureEncoder {
  readonly size: number;
  readonly describe: ArchEncodingSpec;
  /** Most ones an encoded arch can have (both one-hots of every slot plus the resolution's). */
  readonly maxActive: number;
  /** The dense feature vector; `out` (length ≥ size) is zeroed and reused when given. */
  encode(arch: SubnetArch, out?: Float32Array): Float32Array;
  /** Indices of the ones, written into `out` from 0, ascending; returns how many. */
  activeIndices(arch: SubnetArch, out: Int32Array): number;
  /** Feature vector → arch: inactive slots decode as ks = e = 0 (OFA's feature2arch convention). */
  decode(features: ArrayLike<number>): SubnetArch;
}

function sortedUnique(values: readonly number[], what: string): number[] {
  if (values.length === 0) throw new ArchEncodingError(`the ${what} list is empty`);
  for (const v of values) {
    if (!Number.isInteger(v) || v <= 0) throw new ArchEncodingError(`the ${what} list holds ${v}; expected positive whole numbers`);
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

const listText = (values: readonly number[]) => values.join('/');

export function archFeatureEncoder(space: OfaSpace, resolutions: readonly number[]): ArchFeatureEncoder {
  const shape = ofaArchShape(space);
  const ksList = sortedUnique(space.ksList, 'kernel size');
  const expandList = sortedUnique(space.expandList, 'expand ratio');
  const depthList = sortedUnique(space.depthList, 'depth');
  const resolutionList = sortedUnique(resolutions, 'resolution');
  const slots = shape.slots;
  const stages = shape.stages;
  const slotsPerStage = new Array<number>(stages).fill(0);
  for (const stage of shape.stageOfSlot) slotsPerStage[stage]++;
  const K = ksList.length;
  const E = expandList.length;
  const expandOffset = slots * K;
  const resolutionOffset = expandOffset + slots * E;
  const oneHotResolution = resolutionList.length > 1;
  const size = resolutionOffset + (oneHotResolution ? resolutionList.length : 0);
  const maxActive = 2 * slots + (oneHotResolution ? 1 : 0);
  const stageOfSlot = Int32Array.from(shape.stageOfSlot);
  const positionOfSlot = Int32Array.from(shape.positionOfSlot);
  const activeDepth = new Int32Array(stages);

  const describe: ArchEncodingSpec = {
    kind: 'greenprint.ofa-onehot',
    version: 1,
    space: space.space,
    slotsPerStage,
    ksList,
    expandList,
    depthList,
    resolutions: resolutionList,
    segments: [
      { name: 'ks', offset: 0, length: slots * K },
      { name: 'e', offset: expandOffset, length: slots * E },
      ...(oneHotResolution ? [{ name: 'r' as const, offset: resolutionOffset, length: resolutionList.length }] : []),
    ],
    size,
  };

  const slotName = (i: number) => `slot ${i} (stage ${stageOfSlot[i]}, block ${positionOfSlot[i]})`;

  /** Validates the arch and fills activeDepth; returns the resolution's index. */
  const check = (arch: SubnetArch): number => {
    if (!arch || !Array.isArray(arch.ks) || !Array.isArray(arch.e) || !Array.isArray(arch.d)) {
      throw new ArchEncodingError('an arch needs ks, e and d lists');
    }
    if (arch.ks.length !== slots || arch.e.length !== slots) {
      throw new ArchEncodingError(`ks and e need ${slots} entries for the ${space.space} space (got ${arch.ks.length} and ${arch.e.length})`);
    }
    if (arch.d.length !== stages) throw new ArchEncodingError(`d needs ${stages} entries for the ${space.space} space (got ${arch.d.length})`);
    for (let s = 0; s < stages; s++) {
      const depth = arch.d[s];
      if (!depthList.includes(depth)) throw new ArchEncodingError(`d[${s}] = ${depth} is not one of ${listText(depthList)}`);
      // ProxylessNAS's last stage has one slot whatever d says (OFA clips the depth to the stage).
      activeDepth[s] = Math.min(depth, slotsPerStage[s]);
    }
    for (let i = 0; i < slots; i++) {
      if (positionOfSlot[i] >= activeDepth[stageOfSlot[i]]) continue;
      if (!ksList.includes(arch.ks[i])) throw new ArchEncodingError(`${slotName(i)}: ks = ${arch.ks[i]} is not one of ${listText(ksList)}`);
      if (!expandList.includes(arch.e[i])) throw new ArchEncodingError(`${slotName(i)}: e = ${arch.e[i]} is not one of ${listText(expandList)}`);
    }
    const r = resolutionList.indexOf(arch.r);
    if (r < 0) throw new ArchEncodingError(`r = ${arch.r} is not one of the resolutions ${listText(resolutionList)}`);
    return r;
  };

  const activeIndices = (arch: SubnetArch, out: Int32Array): number => {
    const r = check(arch);
    let count = 0;
    for (let i = 0; i < slots; i++) {
      if (positionOfSlot[i] < activeDepth[stageOfSlot[i]]) out[count++] = K * i + ksList.indexOf(arch.ks[i]);
    }
    for (let i = 0; i < slots; i++) {
      if (positionOfSlot[i] < activeDepth[stageOfSlot[i]]) out[count++] = expandOffset + E * i + expandList.indexOf(arch.e[i]);
    }
    if (oneHotResolution) out[count++] = resolutionOffset + r;
    return count;
  };

  const scratch = new Int32Array(maxActive);
  const encode = (arch: SubnetArch, out?: Float32Array): Float32Array => {
    if (out && out.length < size) throw new RangeError(`the output buffer holds ${out.length} values, the encoding needs ${size}`);
    const features = out ?? new Float32Array(size);
    const count = activeIndices(arch, scratch);
    features.fill(0, 0, size);
    for (let i = 0; i < count; i++) features[scratch[i]] = 1;
    return features;
  };

  const decode = (features: ArrayLike<number>): SubnetArch => {
    if (features.length !== size) throw new ArchEncodingError(`expected ${size} features, got ${features.length}`);
    const hot = (offset: number, choices: readonly number[], what: string): number => {
      let found = 0;
      for (let k = 0; k < choices.length; k++) {
        const v = features[offset + k];
        if (v === 1) {
          if (found) throw new ArchEncodingError(`${what} has more than one hot entry`);
          found = choices[k];
        } else if (v !== 0) {
          throw new ArchEncodingError(`${what} holds ${v}, expected 0 or 1`);
        }
      }
      return found;
    };
    const ks: number[] = [];
    const e: number[] = [];
    const count = new Array<number>(stages).fill(0);
    for (let i = 0; i < slots; i++) {
      const kernel = hot(K * i, ksList, `kernel one-hot of ${slotName(i)}`);
      const expand = hot(expandOffset + E * i, expandList, `expand one-hot of ${slotName(i)}`);
      if ((kernel === 0) !== (expand === 0)) throw new ArchEncodingError(`${slotName(i)} has a kernel size without an expand ratio or vice versa`);
      if (kernel !== 0) {
        if (positionOfSlot[i] !== count[stageOfSlot[i]]) throw new ArchEncodingError(`${slotName(i)} is active after an inactive slot of its stage`);
        count[stageOfSlot[i]]++;
      }
      ks.push(kernel);
      e.push(expand);
    }
    // The smallest listed depth that activates exactly this many slots (depths are clipped to the stage).
    const d = count.map((n, s) => {
      const depth = depthList.find((v) => Math.min(v, slotsPerStage[s]) === n);
      if (depth === undefined) throw new ArchEncodingError(`stage ${s} has ${n} active slots, which no depth in ${listText(depthList)} gives`);
      return depth;
    });
    const r = oneHotResolution ? hot(resolutionOffset, resolutionList, 'resolution one-hot') : resolutionList[0];
    if (r === 0) throw new ArchEncodingError('no resolution is set');
    return { ks, e, d, r };
  };

  return { size, describe, maxActive, encode, activeIndices, decode };
}
