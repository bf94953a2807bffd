/** Carbon estimates: region intensities and PUE defaults (regions.ts), energy and CO2e formulas (estimate.ts). */
export * from './regions';
export * from './estimate';
