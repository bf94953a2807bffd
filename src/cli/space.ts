import { readSupernetSpace } from '../engine/formats/ofa-supernet';
import type { OfaSpace } from '../engine/ofa/spaces';

/** The OFA space of a supernet file with the resolutions a LUT build covers by default; undefined for other files. */
export function spaceFromSupernet(text: string, file: string): { space: OfaSpace; resolutions: readonly number[]; label: string } | undefined {
  const read = readSupernetSpace(text, file);
  if (!read) return undefined;
  const resolutions = read.resolutions ?? [read.resolution ?? 224];
  return { space: read.space, resolutions, label: `OFA ${read.space.space} w${read.space.widthMult}` };
}
