// PLACEHOLDER: replaced by the real reader.
import type { FormatReader } from './types';

export const ultralyticsReader: FormatReader = {
  id: 'ultralytics',
  label: 'Ultralytics YOLO YAML',
  detect: () => false,
  read: () => undefined,
};
