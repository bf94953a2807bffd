/** `greenprint devices` and `greenprint regions`: the catalogues --device and --region choose from. */
import { listRegions, listTargetDevices } from '../../engine';
import type { Args } from '../args';

export function devices(args: Args): number {
  const list = listTargetDevices();
  if (args.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
  else process.stdout.write(list.map((d) => `${d.id.padEnd(24)} ${d.kind.padEnd(10)} ${d.name}`).join('\n') + '\n');
  return 0;
}

export function regions(args: Args): number {
  const list = listRegions();
  if (args.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
  else process.stdout.write(list.map((r) => `${r.id.padEnd(28)} ${String(Math.round(r.gCO2ePerKWh)).padStart(5)} gCO2e/kWh  ${r.name} (${r.year})`).join('\n') + '\n');
  return 0;
}
