// PLACEHOLDER: replaced by the real reader.
import type { FormatReader } from './types';

export const ofaNetReader: FormatReader = {
  id: 'ofa-net',
  label: 'OFA network config',
  detect: () => false,
  read: () => undefined,
};
