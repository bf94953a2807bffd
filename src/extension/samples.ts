/**
 * The samples the Getting Started walkthrough opens, without the editor (unit-tested in test/unit/package/).
 *
 * Where they come from:
 *   - a checkout of the repository opened as the workspace has them in `samples/` (found by `samples/NOTICE.md`);
 *   - an installed .vsix carries a copy of the same folder (see .vscodeignore). The extension's folder is not the
 *     user's to write in (extracting a subnet writes beside its supernet), so "Open Samples" first copies the
 *     shipped folder into one the user picks, adding missing files and never replacing one that exists.
 * The .vsix ships each file once: the OFA w1.2 sample's predictor and Note10 tables are the engine's own
 * (resources/), so RESOURCE_FILLS puts them where the sample's description points when copying.
 * The list of samples is read from the folder, so retrained or added samples need no change here.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** A file that marks a samples folder (the licences table every copy carries). */
export const SAMPLES_MARKER = 'NOTICE.md';

/** Files a copied samples folder gets from the extension's resources/ (folder-relative → extension-relative). */
export const RESOURCE_FILLS: readonly { readonly to: string; readonly from: string }[] = [
  { to: 'ofa/ofa-w12/acc_predictor.pth', from: 'resources/ofa/acc_predictor.pth' },
  ...[160, 176, 192, 208, 224].map((r) => ({ to: `ofa/ofa-w12/note10-lut/${r}_lookup_table.yaml`, from: `resources/luts/note10/${r}_lookup_table.yaml` })),
];

export type SampleKind = 'supernet' | 'ofa-net' | 'yolo' | 'huggingface' | 'keras';

export interface SampleEntry {
  /** Path relative to the samples folder, with `/`. */
  readonly file: string;
  readonly kind: SampleKind;
  /** What the walkthrough's picker shows. */
  readonly label: string;
  readonly detail: string;
}

const KIND_ORDER: readonly SampleKind[] = ['supernet', 'yolo', 'huggingface', 'keras', 'ofa-net'];

const DETAIL: Record<SampleKind, string> = {
  supernet: 'OFA supernet: search it for subnets in the Greenprint panel',
  'ofa-net': 'Once-for-All subnet (net.config): params and MACs per block',
  yolo: 'Ultralytics YOLO model YAML: every scale, params and GFLOPs',
  huggingface: 'Hugging Face config.json: params, prefill/decode FLOPs, KV cache',
  keras: 'Keras / TF.js layers model: params and MACs per layer',
};

/** The kind of a sample file from its place and name, or undefined for sidecars, notices and data. */
export function sampleKind(relative: string): SampleKind | undefined {
  const parts = relative.split('/');
  const name = parts[parts.length - 1];
  if (name.endsWith('.source.json') || !/\.(json|ya?ml|config)$/.test(name)) return undefined;
  if (name.endsWith('.supernet.json')) return 'supernet';
  if (parts[0] === 'ofa' && name === 'net.config') return 'ofa-net';
  if (parts[0] === 'yolo' && /\.ya?ml$/.test(name)) return 'yolo';
  if (parts[0] === 'huggingface' && (name === 'config.json' || name.endsWith('.config.json'))) return 'huggingface';
  if (parts[0] === 'keras' && name.endsWith('.json')) return 'keras';
  return undefined;
}

/** A samples folder is small and shallow: a walk stops at these, so a folder that only looks like one stays cheap. */
const MAX_DEPTH = 4;
const MAX_FILES = 2000;

/** Every file under `root` (relative, `/`-separated), skipping hidden folders and node_modules. */
function walk(root: string, depth = MAX_DEPTH, prefix = '', out: string[] = []): string[] {
  if (depth < 0) return out;
  for (const entry of readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    if (out.length >= MAX_FILES) break;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') walk(root, depth - 1, relative, out);
    else if (entry.isFile()) out.push(relative);
  }
  return out;
}

/** Whether `dir` looks like a Greenprint samples folder: the marker and an `ofa/` folder beside it. */
export function isSamplesFolder(dir: string): boolean {
  return existsSync(path.join(dir, SAMPLES_MARKER)) && existsSync(path.join(dir, 'ofa'));
}

/** Whether a supernet description names weights that exist (then a subnet can be extracted from it). */
function supernetHasWeights(root: string, relative: string): boolean {
  const dir = path.dirname(path.join(root, relative));
  // A quick look for the weights beside it; the panel reads the description properly.
  return readdirSync(dir).some((name) => name.endsWith('.safetensors'));
}

/** The samples in a folder, supernets with weights first, then by kind and name. */
export function listSamples(root: string): SampleEntry[] {
  const entries: (SampleEntry & { rank: number })[] = [];
  for (const file of walk(root)) {
    const kind = sampleKind(file);
    if (!kind) continue;
    const withWeights = kind === 'supernet' && supernetHasWeights(root, file);
    const name = kind === 'ofa-net' || file.endsWith('/config.json') ? path.posix.dirname(file) : file;
    entries.push({
      file,
      kind,
      label: name,
      detail: withWeights ? `${DETAIL[kind]}, and extract them (weights included)` : DETAIL[kind],
      rank: KIND_ORDER.indexOf(kind) * 2 + (withWeights ? 0 : 1),
    });
  }
  return entries.sort((a, b) => a.rank - b.rank || a.file.localeCompare(b.file)).map(({ rank: _rank, ...entry }) => entry);
}

export interface CopyOutcome {
  /** Files written (relative to the destination). */
  readonly copied: readonly string[];
  /** Files that already existed and were left as they were. */
  readonly kept: readonly string[];
}

/**
 * Copies the samples folder `from` into `to` (created if needed), then the RESOURCE_FILLS from `extensionRoot`.
 * Existing files are never replaced: a user's edits to an earlier copy survive a second "Open Samples".
 */
export function copySamples(from: string, to: string, extensionRoot: string): CopyOutcome {
  if (!isSamplesFolder(from)) throw new Error(`${from} is not a Greenprint samples folder (no ${SAMPLES_MARKER} and ofa/).`);
  if (existsSync(to) && !statSync(to).isDirectory()) throw new Error(`${to} exists and is not a folder.`);
  const copied: string[] = [];
  const kept: string[] = [];
  const place = (source: string, relative: string) => {
    const target = path.join(to, ...relative.split('/'));
    if (existsSync(target)) {
      kept.push(relative);
      return;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target);
    copied.push(relative);
  };
  for (const relative of walk(from)) place(path.join(from, ...relative.split('/')), relative);
  for (const fill of RESOURCE_FILLS) {
    const source = path.join(extensionRoot, ...fill.from.split('/'));
    if (existsSync(source) && !copied.includes(fill.to) && !kept.includes(fill.to)) place(source, fill.to);
  }
  return { copied, kept };
}
