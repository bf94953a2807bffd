import { readSupernetSpace } from '../engine/formats/ofa-supernet';
import type { OfaSpace } from '../engine/formats/ofa/spaces';

/** The OFA space of a supernet file, with the resolution a LUT build defaults to; undefined for other files. */
export function spaceFromSupernet(text: string, file: string): { space: OfaSpace; resolution: number; label: string } | undefined {
  const read = readSupernetSpace(text, file);
  if (!read) return undefined;
  const resolution = read.resolution ?? read.resolutions?.[read.resolutions.length - 1] ?? 224;
  return { space: read.space, resolution, label: `OFA ${read.space.space} w${read.space.widthMult}` };
}
