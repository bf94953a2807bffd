/**
 * The devices latency predictions are made for, and how each is priced. What a runtime measures
 * (`Measurement`) is runtime/types.ts: the latency layer builds on the runtime, not the other way round.
 */

/** What a device is and how Greenprint knows its latency. */
export type DeviceKind = 'local-cpu' | 'local-gpu' | 'lut' | 'roofline' | 'remote';

export interface DeviceDescription {
  /** Stable id used in settings, CLI flags and LUT files, e.g. `local-cpu`, `note10-ofa`, `jetson-orin-nano`. */
  readonly id: string;
  readonly name: string;
  readonly kind: DeviceKind;
}
