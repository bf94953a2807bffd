/**
 * A seeded mutator over the config samples and fixtures, for the config fuzz run (config-fuzz-child.ts).
 * Every mutant is a pure function of (seed, index): the run, the CI test and a developer reproducing one
 * case by its index all get the same text. Mutations are the ways real files break or are made hostile:
 * truncation, flipped bytes, huge / negative / fractional / non-numeric numbers, injected deep nesting,
 * duplicated keys, a byte-order mark and UTF-16/UTF-32 re-encoding.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** One source file the mutants start from. */
export interface CorpusFile {
  /** Relative to the repository root, with forward slashes. */
  readonly file: string;
  readonly text: string;
}

/** One mutant: the text handed to analyzeText (or the bytes to decode first) and how it was made. */
export interface Mutant {
  readonly index: number;
  readonly file: string;
  /** Human-readable list of the mutations applied, e.g. `number 1e300 at offset 812`. */
  readonly mutation: string;
  readonly text: string;
  /** Set when the mutant is a re-encoding: the bytes to decode with decodeModelText. */
  readonly bytes?: Uint8Array;
  /** Run with an efficiency estimate for this catalogue device. */
  readonly device?: string;
  /** YOLO scale to ask for, to reach every scale row. */
  readonly scale?: string;
}

/** Files analyzeText reads: JSON, YAML and OFA `net.config`/`run.config`. Weights and binaries are skipped. */
const CONFIG_FILE = /\.(json|ya?ml|config)$/i;
/** Big generated tables and weight manifests say nothing new per mutant and slow each case down. */
const MAX_CORPUS_FILE_BYTES = 256 * 1024;

export function loadCorpus(repoRoot: string): CorpusFile[] {
  const out: CorpusFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (CONFIG_FILE.test(name) && stat.size <= MAX_CORPUS_FILE_BYTES) {
        const text = readFileSync(full, 'utf8');
        if (text.indexOf('\0') < 0) out.push({ file: path.relative(repoRoot, full).split(path.sep).join('/'), text });
      }
    }
  };
  walk(path.join(repoRoot, 'samples'));
  walk(path.join(repoRoot, 'test', 'fixtures'));
  return out;
}

/** mulberry32: small, fast, and the same everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The per-case generator: a hash of (seed, index), so any case is reproducible on its own. */
function caseRandom(seed: number, index: number): () => number {
  return rng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

/** Values substituted for a number: what overflows, underflows, divides or breaks a whole-number rule. */
const HOSTILE_NUMBERS = [
  '1000000000', '99999999', '1e300', '-1e300', '1e999', '-1', '-7', '0', '0.5', '2.5', '3.0000001',
  '9007199254740993', '4294967297', '65536', '123456789012', '1e-300', '-0', '"64"', 'null', 'true',
  '[]', '{}', '"abc"', '[3, 3, 3]', '.inf', '.nan', 'NaN', 'Infinity', '0x10', '1_000',
];

const NUMBER = /-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g;

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

function numberSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(text); m; m = NUMBER.exec(text)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

type Mutation = (text: string, r: () => number, yaml: boolean) => { text: string; what: string };

const MUTATIONS: Record<string, Mutation> = {
  truncate(text, r) {
    const at = Math.floor(r() * text.length);
    return { text: text.slice(0, at), what: `truncate at ${at}` };
  },
  flipBytes(text, r) {
    const chars = text.split('');
    const flips = 1 + Math.floor(r() * 4);
    const where: number[] = [];
    for (let k = 0; k < flips && chars.length; k++) {
      const at = Math.floor(r() * chars.length);
      chars[at] = String.fromCharCode(pick(r, [0, 9, 10, 34, 39, 44, 45, 58, 91, 93, 123, 125, 35, 38, 42, 33, 124, 62, 92, 0xfffd, 32 + Math.floor(r() * 95)]));
      where.push(at);
    }
    return { text: chars.join(''), what: `flip ${where.join(',')}` };
  },
  hostileNumber(text, r) {
    const spans = numberSpans(text);
    if (!spans.length) return { text, what: 'no number to replace' };
    const replaced: string[] = [];
    let out = text;
    // Several at once, from the end so earlier offsets stay valid.
    const chosen = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => Math.floor(r() * spans.length)))].sort((a, b) => b - a);
    for (const k of chosen) {
      const [s, e] = spans[k];
      const value = pick(r, HOSTILE_NUMBERS);
      out = out.slice(0, s) + value + out.slice(e);
      replaced.push(`${value}@${s}`);
    }
    return { text: out, what: `number ${replaced.join(' ')}` };
  },
  scaleEveryNumber(text, r) {
    // One factor for all: a whole model 1000× wider or with every count huge.
    const factor = pick(r, [1000, 1e6, 1e9, 1e15]);
    const out = text.replace(NUMBER, (m) => {
      const n = Number(m);
      return Number.isInteger(n) && Math.abs(n) > 1 ? String(n * factor) : m;
    });
    return { text: out, what: `every integer × ${factor}` };
  },
  deepNesting(text, r, yaml) {
    const depth = pick(r, [300, 1000, 20000, 100000]);
    const spans = numberSpans(text);
    const at = spans.length ? spans[Math.floor(r() * spans.length)][0] : Math.floor(r() * text.length);
    const kind = yaml ? pick(r, ['flow', 'dash', 'map']) : pick(r, ['array', 'object']);
    let inject: string;
    if (kind === 'array' || kind === 'flow') inject = '['.repeat(depth) + '1' + ']'.repeat(depth);
    else if (kind === 'object') inject = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    else if (kind === 'dash') inject = '\n' + '- '.repeat(depth) + 'x\n';
    else {
      const levels = Math.min(depth, 3000); // indentation grows quadratically; 3000 levels is already 9 MB
      inject = '\n' + Array.from({ length: levels }, (_, k) => ' '.repeat(k + 1) + 'a:').join('\n') + ' 1\n';
    }
    return { text: text.slice(0, at) + inject + text.slice(at), what: `nest ${kind} ×${depth} at ${at}` };
  },
  duplicateKey(text, r, yaml) {
    const lines = text.split('\n');
    const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => (yaml ? /^\s*[\w.-]+\s*:/.test(l) : /^\s*"[^"]+"\s*:/.test(l)));
    if (!keyed.length) return { text, what: 'no key to duplicate' };
    const [line, i] = pick(r, keyed);
    const copy = yaml ? line : line.replace(/,?\s*$/, ',');
    const variant = copy.replace(/-?\d+(\.\d+)?/, () => pick(r, HOSTILE_NUMBERS));
    lines.splice(i, 0, variant);
    return { text: lines.join('\n'), what: `duplicate key line ${i + 1}` };
  },
  deleteLines(text, r) {
    const lines = text.split('\n');
    const at = Math.floor(r() * lines.length);
    const n = 1 + Math.floor(r() * 5);
    lines.splice(at, n);
    return { text: lines.join('\n'), what: `delete lines ${at + 1}–${at + n}` };
  },
  swapStrings(text, r) {
    // A module, layer class or model type replaced by another name from the same file.
    const strings = [...text.matchAll(/"([A-Za-z_][\w.]*)"|\b([A-Z][A-Za-z0-9]+)\b/g)];
    if (strings.length < 2) return { text, what: 'no string to swap' };
    const target = pick(r, strings);
    const other = pick(r, strings);
    const at = target.index!;
    return { text: text.slice(0, at) + other[0] + text.slice(at + target[0].length), what: `string ${other[0]}@${at}` };
  },
  bom(text) {
    return { text: '\ufeff' + text, what: 'UTF-8 BOM' };
  },
  hugeList(text, r) {
    const spans = numberSpans(text);
    if (!spans.length) return { text, what: 'no number to replace' };
    const [s, e] = pick(r, spans);
    const n = pick(r, [10000, 200000]);
    return { text: text.slice(0, s) + '[' + Array(n).fill('7').join(',') + ']' + text.slice(e), what: `list of ${n} at ${s}` };
  },
};

const ENCODINGS = ['UTF-16 LE BOM', 'UTF-16 BE BOM', 'UTF-16 LE', 'UTF-16 BE', 'UTF-32 LE BOM', 'UTF-32 BE BOM', 'UTF-8 BOM'] as const;

export function encodeText(text: string, encoding: (typeof ENCODINGS)[number]): Uint8Array {
  const codePoints = Array.from(text, (c) => c.codePointAt(0)!);
  if (encoding === 'UTF-8 BOM') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  if (encoding.startsWith('UTF-32')) {
    const le = encoding.includes('LE');
    const out = Buffer.alloc(4 + codePoints.length * 4);
    if (le) out.writeUInt32LE(0xfeff, 0);
    else out.writeUInt32BE(0xfeff, 0);
    codePoints.forEach((cp, i) => (le ? out.writeUInt32LE(cp, 4 + i * 4) : out.writeUInt32BE(cp, 4 + i * 4)));
    return out;
  }
  const le = encoding.includes('LE');
  const withBom = encoding.endsWith('BOM');
  const body = Buffer.from(text, 'utf16le');
  if (!le) body.swap16();
  const bom = withBom ? Buffer.from(le ? [0xff, 0xfe] : [0xfe, 0xff]) : Buffer.alloc(0);
  return Buffer.concat([bom, body]);
}

export function makeMutant(corpus: readonly CorpusFile[], seed: number, index: number): Mutant {
  const r = caseRandom(seed, index);
  const source = corpus[Math.floor(r() * corpus.length)];
  const yaml = /\.ya?ml$/i.test(source.file);
  const device = r() < 0.2 ? 'nvidia-t4' : undefined;
  const scale = yaml && r() < 0.3 ? pick(r, ['n', 's', 'm', 'l', 'x']) : undefined;
  if (r() < 0.08) {
    const encoding = pick(r, ENCODINGS);
    return { index, file: source.file, mutation: `re-encode as ${encoding}`, text: source.text, bytes: encodeText(source.text, encoding), device, scale };
  }
  const names = Object.keys(MUTATIONS);
  // Weighted towards number substitution: it is what found the V8 aborts.
  const weighted = [...names, 'hostileNumber', 'hostileNumber', 'hostileNumber', 'truncate', 'flipBytes'];
  let text = source.text;
  const applied: string[] = [];
  const rounds = r() < 0.25 ? 2 : 1;
  for (let k = 0; k < rounds; k++) {
    const name = pick(r, weighted);
    const result = MUTATIONS[name](text, r, yaml);
    text = result.text;
    applied.push(result.what);
  }
  return { index, file: source.file, mutation: applied.join('; '), text, device, scale };
}
