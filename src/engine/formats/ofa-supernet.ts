// PLACEHOLDER: replaced by the real reader.
import type { FormatReader } from './types';

export const ofaSupernetReader: FormatReader = {
  id: 'ofa-supernet',
  label: 'OFA supernet + arch',
  detect: () => false,
  read: () => undefined,
};
