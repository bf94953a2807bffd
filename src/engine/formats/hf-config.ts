// PLACEHOLDER: replaced by the real reader.
import type { FormatReader } from './types';

export const hfConfigReader: FormatReader = {
  id: 'hf-config',
  label: 'Hugging Face config.json',
  detect: () => false,
  read: () => undefined,
};
