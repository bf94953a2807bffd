/**
 * Limits for searches on the bundled Fashion-MNIST sample supernet, taken from its own FLOPs range (the
 * engine's `supernetTargets`, which the panel and the CLI use for their defaults), so tests that search it
 * keep a feasible, non-trivial budget whatever space the sample is trained on.
 */
import { readFileSync } from 'node:fs';
import { supernetTargets } from '../../src/engine/supernet/targets';
import { samplePath } from './fixtures';

export const FMNIST_SUPERNET = samplePath('ofa', 'fashion-mnist', 'fmnist-mbv3.supernet.json');

/** `fraction` of the way from the sample's cheapest subnet's FLOPs to its dearest, to two significant digits. */
export function sampleFlopsLimit(fraction: number): number {
  const { flops } = supernetTargets({ file: FMNIST_SUPERNET, text: readFileSync(FMNIST_SUPERNET, 'utf8'), lutDirectory: '/nonexistent' });
  return Number((flops.min.cost + fraction * (flops.max.cost - flops.min.cost)).toPrecision(2));
}
