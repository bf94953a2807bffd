/** The serving figures as plain-text report lines (CLI and the editor's report view) and one hover sentence. */
import { formatBytes, formatExact } from '../units';
import type { ServingMemory } from './memory';
import type { PartName } from './weights';

const PART_TITLE: Record<PartName, string> = {
  embeddings: 'embeddings',
  lmHead: 'lm_head',
  layerLinear: 'block linear layers',
  experts: 'MoE experts',
  router: 'routers',
  outsideLinear: 'other linear layers',
  other: 'biases, norms, other',
};

export function servingLines(s: ServingMemory, mark: string): string[] {
  const w = s.weights;
  const parts = w.parts.map((p) => `${PART_TITLE[p.part]} ${mark}${formatBytes(p.bytes)}`).join(', ');
  const out = [
    `serving at context ${s.contextLength.toLocaleString('en-US')}, batch ${s.batch}: needs ${mark}${formatBytes(s.totalBytes)} (${s.rule})`,
    `  weights ${mark}${formatExact(w.totalBytes)} B = ${mark}${formatBytes(w.totalBytes)}, ${w.bitsPerWeight.toFixed(2)} bits/weight: ${w.description}`,
    ...(parts ? [`    ${parts}`] : []),
  ];
  if (w.excludedBytes) out.push(`    not loaded: ${mark}${formatBytes(w.excludedBytes)} of stored modules left out of the totals (checkpoint ≈ ${mark}${formatBytes(w.totalBytes + w.excludedBytes)})`);
  out.push(`  KV cache ${mark}${formatBytes(s.kvCacheBytes)}, workspace (one prefill chunk) ${mark}${formatBytes(s.workspaceBytes)}`);
  if (s.target) out.push(`  ${s.target.sentence}`);
  const smallest = s.fits.find((f) => f.device === s.smallestFit);
  out.push(smallest ? `  smallest catalogue device it fits: ${shortName(smallest.deviceName)}, ${formatBytes(smallest.capacityBytes)}` : `  fits on no catalogue device (largest: ${shortName(s.fits.at(-1)?.deviceName ?? 'none')})`);
  return out;
}

/** "NVIDIA L4 (PCIe, 72 W)" → "NVIDIA L4". */
function shortName(name: string): string {
  return name.replace(/\s*\(.*\)\s*$/, '') || name;
}

/** One line for hovers: the target's answer when it has a capacity, else the smallest device that fits. */
export function servingSentence(s: ServingMemory): string {
  if (s.target) return s.target.sentence;
  const smallest = s.fits.find((f) => f.device === s.smallestFit);
  return smallest ? `${smallest.sentence}; the smallest catalogue device it fits` : `needs ${formatBytes(s.totalBytes)} at ${s.contextLength.toLocaleString('en-US')} context, batch ${s.batch}: more than any catalogue device holds`;
}
