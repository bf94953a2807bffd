/**
 * Grid carbon intensity by region and PUE defaults, from `resources/carbon/regions.json` (bundled at
 * build time). Lookup order follows CodeCarbon: an explicit number wins, then the region table
 * (countries by ISO 3166-1 alpha-2 code or name, cloud regions as `provider:region`), and callers that
 * name nothing get the world average. Country values are Our World in Data 2023 (via CodeCarbon); GCP
 * regions are Google's 2024 figures (via CodeCarbon); AWS/Azure regions come from ML CO2 Impact and
 * are flagged `stale` (2016–2019 sources). PUE: 1.0 on a personal device, 1.56 for an unknown data
 * centre (Uptime Institute 2024), provider values from Green Algorithms v3.0.
 */
import regionsJson from '../../../resources/carbon/regions.json';

export type RegionKind = 'world' | 'country' | 'cloud';
export type CloudProvider = 'gcp' | 'aws' | 'azure';

export interface CarbonRegion {
  readonly id: string;
  readonly name: string;
  readonly kind: RegionKind;
  readonly provider?: CloudProvider;
  /** Annual-average, location-based grid intensity. */
  readonly gCO2ePerKWh: number;
  readonly year: number;
  readonly source: string;
  /** True when the value comes from a source older than the country table (ML CO2 Impact's 2016–2019 data). */
  readonly stale?: boolean;
}

export type PueId = 'device' | 'datacenter-average' | 'hyperscale' | CloudProvider;

export interface PueDefault {
  readonly id: PueId;
  readonly value: number;
  readonly applies: string;
  readonly source: string;
  readonly year: number;
}

export class CarbonDataError extends Error {}

interface RegionsFile {
  readonly regions: CarbonRegion[];
  readonly pue: PueDefault[];
}

function validate(raw: unknown, where: string): RegionsFile {
  const doc = raw as Partial<RegionsFile>;
  if (!Array.isArray(doc?.regions) || !Array.isArray(doc?.pue)) throw new CarbonDataError(`${where}: expected "regions" and "pue" arrays`);
  const seen = new Set<string>();
  for (const [i, r] of doc.regions.entries()) {
    const at = `${where} regions[${i}] (${JSON.stringify(r?.id)})`;
    if (typeof r?.id !== 'string' || !r.id) throw new CarbonDataError(`${at}: id is missing`);
    if (seen.has(r.id.toLowerCase())) throw new CarbonDataError(`${at}: duplicate region id`);
    seen.add(r.id.toLowerCase());
    if (typeof r.gCO2ePerKWh !== 'number' || !(r.gCO2ePerKWh >= 0) || r.gCO2ePerKWh > 2000) {
      throw new CarbonDataError(`${at}: gCO2ePerKWh must be a number between 0 and 2000, got ${JSON.stringify(r.gCO2ePerKWh)}`);
    }
    if (!Number.isInteger(r.year) || typeof r.source !== 'string' || !r.source) throw new CarbonDataError(`${at}: year and source are required`);
  }
  for (const [i, p] of doc.pue.entries()) {
    if (typeof p?.value !== 'number' || !(p.value >= 1) || p.value > 3) throw new CarbonDataError(`${where} pue[${i}]: value must be between 1 and 3`);
  }
  return doc as RegionsFile;
}

let data: RegionsFile | undefined;
function table(): RegionsFile {
  data ??= validate(regionsJson, 'resources/carbon/regions.json');
  return data;
}

export function listRegions(): readonly CarbonRegion[] {
  return table().regions;
}

export const WORLD_REGION_ID = 'world';

/**
 * Finds a region by id (case-insensitive: `FR`, `fr`, `gcp:europe-west9`, `world`) or by exact name
 * (`France`). Unknown ids throw an error that lists the known ones, grouped by kind.
 */
export function resolveRegion(idOrName: string): CarbonRegion {
  const key = idOrName.trim().toLowerCase();
  const regions = table().regions;
  const found = regions.find((r) => r.id.toLowerCase() === key) ?? regions.find((r) => r.name.toLowerCase() === key);
  if (found) return found;
  const ids = (kind: RegionKind) => regions.filter((r) => r.kind === kind).map((r) => r.id).join(', ');
  throw new CarbonDataError(
    `Unknown carbon region "${idOrName}". Use "world", a country code (${ids('country')}) or a cloud region (${ids('cloud')}).`,
  );
}

export function listPueDefaults(): readonly PueDefault[] {
  return table().pue;
}

export function pueDefault(id: PueId): PueDefault {
  const p = table().pue.find((x) => x.id === id);
  if (!p) throw new CarbonDataError(`Unknown PUE default "${id}". Known: ${table().pue.map((x) => x.id).join(', ')}.`);
  return p;
}

/**
 * The PUE to assume when the user gives none: the provider's figure for a cloud region; for a country or
 * the world average (which say where the electricity comes from, not what building the device is in),
 * the industry-average data centre when the hardware lives in one, else the personal-device 1.0.
 */
export function defaultPueFor(region: CarbonRegion, inDataCentre: boolean): PueDefault {
  if (region.provider) return pueDefault(region.provider);
  return pueDefault(inDataCentre ? 'datacenter-average' : 'device');
}
