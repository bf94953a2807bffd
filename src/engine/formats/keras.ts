// PLACEHOLDER: replaced by the real reader.
import type { FormatReader } from './types';

export const kerasReader: FormatReader = {
  id: 'keras',
  label: 'Keras / TF.js layers model',
  detect: () => false,
  read: () => undefined,
};
