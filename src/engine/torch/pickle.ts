/**
 * A deliberately small Python pickle virtual machine, enough to read PyTorch tensor checkpoints
 * (`torch.save` of a state dict) and nothing more.
 *
 * Algorithm: the standard pickle stack machine (CPython `Lib/pickle.py`, `_Unpickler.load`): opcodes push
 * values, MARK opens a frame that TUPLE/SETITEMS/APPENDS collapse, BINPUT/BINGET/MEMOIZE use the memo,
 * STOP returns the top of the stack. Only the opcodes that `torch.save` emits (protocol 2; protocols up to
 * 5 are accepted because FRAME/MEMOIZE/STACK_GLOBAL/SHORT_BINUNICODE appear when other tools re-save) are
 * implemented. Python values map to JS as: dict → Map, list → array, tuple → frozen array, int → number
 * (bigint beyond 2^53), float → number, str → string, None → null.
 *
 * Safety: pickle is a program; a generic unpickler executes arbitrary callables. Here GLOBAL/STACK_GLOBAL
 * resolve only through the caller's `findGlobal`, which must stay inside the allow-list below
 * (`TORCH_CHECKPOINT_GLOBALS`); any other global, and any opcode not implemented, is an error naming it.
 * Nothing is ever executed beyond the pure functions the caller supplies.
 *
 * Resources: the machine itself runs in time linear in the pickle, but memo and DUP let a few bytes build
 * structures that share sub-structures exponentially (a "memo bomb") or nest thousands deep. So it counts
 * opcodes, memo entries, stack values, open MARKs, created objects and container nesting against
 * `PICKLE_LIMITS` and stops with an error naming the limit; and nothing here ever walks an unpickled value
 * except `describePickleValue`, which stops after a few hundred characters.
 */
import { clipText, errorText, quote, QUOTE_LIMIT } from '../weights/limits';

/** The globals a tensor checkpoint legitimately references (`torch.save` of tensors / state dicts). */
export const TORCH_CHECKPOINT_GLOBALS: ReadonlySet<string> = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch.FloatStorage',
  'torch.DoubleStorage',
  'torch.HalfStorage',
  'torch.BFloat16Storage',
  'torch.LongStorage',
  'torch.IntStorage',
  'torch.ShortStorage',
  'torch.CharStorage',
  'torch.ByteStorage',
  'torch.BoolStorage',
  'torch.UntypedStorage',
]);

/**
 * Ceilings for one pickle. A state-dict pickle costs about 35 opcodes, 6 memo entries and 8 objects per
 * tensor, and PyTorch's pickler batches SETITEMS by 1000, so its stack stays in the low thousands and its
 * nesting under 10. The OFA w1.2 supernet (411 tensors) needs ~15,000 opcodes; these ceilings allow
 * state dicts of ~25,000 tensors while bounding the worst crafted pickle to roughly 150 MB of JS objects.
 */
export const PICKLE_LIMITS = {
  /** Opcodes executed. */
  maxOps: 1_000_000,
  /** Distinct memo slots (BINPUT/LONG_BINPUT/MEMOIZE). */
  maxMemo: 200_000,
  /** Values on the stack at once. */
  maxStack: 100_000,
  /** MARKs open at once (each is one level of tuple/list/dict literal nesting). */
  maxOpenMarks: 100,
  /** Depth of containers inside containers (a state dict is 4–5 deep). */
  maxNesting: 100,
  /** Containers, strings and rebuilt objects created (an empty Map alone costs ~240 bytes). */
  maxObjects: 300_000,
  /** Length of a GLOBAL's module or name line (Python identifiers, dotted). */
  maxGlobalName: 256,
} as const;

/** A resolved global: a marker (e.g. a storage type) and, when callable, the pure function REDUCE applies. */
export interface PickleGlobal {
  readonly module: string;
  readonly name: string;
  readonly call?: (args: readonly unknown[]) => unknown;
}

export interface PickleLoadOptions {
  /** Resolves `module.name`; must throw for anything outside the allow-list. */
  readonly findGlobal: (module: string, name: string) => PickleGlobal;
  /** BINPERSID handler (PyTorch stores tensor storages out of band behind persistent ids). */
  readonly persistentLoad?: (pid: unknown) => unknown;
  /** Used in error messages ("acc_predictor.pth: main pickle"). */
  readonly label?: string;
}

export interface PickleResult {
  readonly value: unknown;
  /** Byte offset just past STOP: legacy checkpoints concatenate several pickles and raw storage bytes. */
  readonly end: number;
}

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** Error for a global outside the allow-list; shared so every caller words it the same way. */
export function refuseGlobal(module: string, name: string): never {
  throw new PickleError(`refusing to load global ${clipText(`${module}.${name}`)}: Greenprint reads tensor checkpoints only`);
}

function isPickleGlobal(value: unknown): value is PickleGlobal {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map)
    && typeof (value as PickleGlobal).module === 'string' && typeof (value as PickleGlobal).name === 'string';
}

/**
 * A short, Python-like rendering of an unpickled value for error messages: at most `max` characters. It
 * visits one item per character printed at most, so shared (memo bomb) or cyclic structures cost nothing.
 */
export function describePickleValue(value: unknown, max = QUOTE_LIMIT): string {
  let out = '';
  let full = false;
  const emit = (s: string): boolean => {
    if (full) return false;
    if (out.length + s.length > max) {
      out += s.slice(0, max - out.length);
      full = true;
      return false;
    }
    out += s;
    return true;
  };
  const walk = (v: unknown, depth: number): boolean => {
    if (v === null || v === undefined) return emit('None');
    if (typeof v === 'string') return emit(quote(v, max));
    if (typeof v === 'number' || typeof v === 'bigint') return emit(String(v));
    if (typeof v === 'boolean') return emit(v ? 'True' : 'False');
    if (v instanceof Uint8Array) return emit(`<${v.length} bytes>`);
    if (depth >= 8) return emit('…');
    if (Array.isArray(v)) {
      const tuple = Object.isFrozen(v);
      if (!emit(tuple ? '(' : '[')) return false;
      for (let i = 0; i < v.length; i++) {
        if (i > 0 && !emit(', ')) return false;
        if (!walk(v[i], depth + 1)) return false;
      }
      return emit(tuple && v.length === 1 ? ',)' : tuple ? ')' : ']');
    }
    if (v instanceof Map) {
      if (!emit('{')) return false;
      let first = true;
      for (const [key, item] of v) {
        if (!first && !emit(', ')) return false;
        first = false;
        if (!walk(key, depth + 1) || !emit(': ') || !walk(item, depth + 1)) return false;
      }
      return emit('}');
    }
    if (isPickleGlobal(v)) return emit(clipText(`${v.module}.${v.name}`, max));
    return emit('<object>');
  };
  walk(value, 0);
  return full ? `${out}…` : out;
}

const MARK = Symbol('pickle-mark');

const OPCODE_NAMES: Record<number, string> = {
  0x63: 'GLOBAL', 0x93: 'STACK_GLOBAL', 0x52: 'REDUCE', 0x62: 'BUILD', 0x51: 'BINPERSID', 0x50: 'PERSID',
  0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
  0x49: 'INT', 0x4c: 'LONG', 0x46: 'FLOAT', 0x53: 'STRING', 0x56: 'UNICODE', 0x64: 'DICT', 0x6c: 'LIST',
  0x74: 'TUPLE', 0x70: 'PUT', 0x67: 'GET', 0x8b: 'LONG4', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8e: 'BINBYTES8', 0x96: 'BYTEARRAY8', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER', 0x30: 'POP', 0x31: 'POP_MARK',
  0x32: 'DUP',
};

/** Runs one pickle starting at `start`; returns the unpickled value and where it ended. */
export function loadPickle(bytes: Uint8Array, start: number, options: PickleLoadOptions): PickleResult {
  const label = options.label ?? 'pickle';
  const limits = PICKLE_LIMITS;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const markStack: number[] = [];
  const memo = new Map<number, unknown>();
  /** Nesting depth of containers that hold containers; a container absent here is 1 deep, anything else 0. */
  const nested = new Map<object, number>();
  const depthOf = (value: object) => nested.get(value) ?? (Array.isArray(value) || value instanceof Map ? 1 : 0);
  let objects = 0;
  let ops = 0;
  let pos = start;

  const fail = (message: string): never => {
    throw new PickleError(`${label}: ${message}`);
  };
  const tooMuch = (what: string, limit: number, opAt: number): never =>
    fail(`${what} exceeds ${limit.toLocaleString('en-US')} at byte ${opAt}: not a tensor checkpoint Greenprint can read (crafted or corrupt pickle)`);
  const need = (count: number, what: string) => {
    if (pos + count > bytes.length) {
      fail(`truncated: ${what} at byte ${pos} needs ${count} byte(s) but the file ends at byte ${bytes.length}`);
    }
  };
  const u8 = (what: string) => { need(1, what); return bytes[pos++]; };
  const u16 = (what: string) => { need(2, what); const v = view.getUint16(pos, true); pos += 2; return v; };
  const i32 = (what: string) => { need(4, what); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u32 = (what: string) => { need(4, what); const v = view.getUint32(pos, true); pos += 4; return v; };
  const u64 = (what: string) => {
    need(8, what);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`truncated: ${what} at byte ${pos - 8} declares ${v} bytes but the file has ${bytes.length}`);
    return Number(v);
  };
  const decode = (at: number, end: number, what: string): string => {
    try {
      return utf8.decode(bytes.subarray(at, end));
    } catch {
      return fail(`malformed: ${what} at byte ${at} is not valid UTF-8`);
    }
  };
  const created = <T>(value: T, opAt: number): T => {
    if (++objects > limits.maxObjects) tooMuch('number of objects', limits.maxObjects, opAt);
    return value;
  };
  const text = (length: number, what: string, opAt: number) => {
    need(length, what);
    const s = decode(pos, pos + length, what);
    pos += length;
    return created(s, opAt);
  };
  const line = (what: string) => {
    const limit = Math.min(bytes.length, pos + limits.maxGlobalName + 1);
    const endOfLine = bytes.subarray(0, limit).indexOf(0x0a, pos);
    if (endOfLine < 0) {
      if (limit < bytes.length) fail(`malformed: ${what} at byte ${pos} is longer than ${limits.maxGlobalName} characters`);
      fail(`truncated: ${what} at byte ${pos} has no terminating newline`);
    }
    const s = decode(pos, endOfLine, what);
    pos = endOfLine + 1;
    return s;
  };
  const push = (value: unknown, opAt: number) => {
    if (stack.length >= limits.maxStack) tooMuch('stack size', limits.maxStack, opAt);
    stack.push(value);
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail(`malformed: stack underflow at byte ${pos}`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail(`malformed: empty stack at byte ${pos}`);
    return stack[stack.length - 1];
  };
  /** Pops everything above the innermost MARK (and the mark itself). */
  const popMark = () => {
    const markAt = markStack.pop();
    if (markAt === undefined) fail(`malformed: no MARK open at byte ${pos}`);
    const items = stack.splice(markAt as number);
    items.shift();
    return items;
  };
  /** Records that `items` now sit inside `container`, refusing nesting deeper than the limit. */
  const nest = (container: object, items: readonly unknown[], opAt: number) => {
    const before = depthOf(container);
    let depth = before;
    for (const item of items) {
      if (typeof item === 'object' && item !== null) depth = Math.max(depth, depthOf(item) + 1);
    }
    if (depth > limits.maxNesting) tooMuch('nesting depth', limits.maxNesting, opAt);
    if (depth !== before) nested.set(container, depth);
  };
  const tuple = (items: unknown[], opAt: number) => {
    const value = created(Object.freeze(items), opAt);
    nest(value, items, opAt);
    return value;
  };
  const container = <T extends object>(value: T, opAt: number): T => created(value, opAt);
  const resolveGlobal = (module: string, name: string) => {
    if (!TORCH_CHECKPOINT_GLOBALS.has(`${module}.${name}`)) refuseGlobal(module, name);
    return options.findGlobal(module, name);
  };
  const setItems = (target: unknown, items: unknown[], opAt: number) => {
    if (!(target instanceof Map)) fail(`malformed: SETITEM(S) on a non-dict at byte ${opAt}`);
    if (items.length % 2 !== 0) fail(`malformed: SETITEMS with an odd number of items at byte ${opAt}`);
    nest(target as Map<unknown, unknown>, items, opAt);
    for (let i = 0; i + 1 < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[], opAt: number) => {
    if (!Array.isArray(target) || Object.isFrozen(target)) fail(`malformed: APPEND(S) on a non-list at byte ${opAt}`);
    nest(target as unknown[], items, opAt);
    for (const item of items) (target as unknown[]).push(item);
  };
  /** Runs a caller-supplied function (REDUCE, BINPERSID); its errors gain the label and position. */
  const callOut = (what: string, fn: () => unknown, opAt: number): unknown => {
    try {
      return created(fn(), opAt);
    } catch (error) {
      if (error instanceof PickleError) throw error;
      return fail(`${what} at byte ${opAt}: ${errorText(error)}`);
    }
  };

  for (;;) {
    const opAt = pos;
    if (++ops > limits.maxOps) tooMuch('number of opcodes', limits.maxOps, opAt);
    const op = u8('opcode');
    switch (op) {
      case 0x80: // PROTO
        if (u8('PROTO') > 5) fail(`pickle protocol above 5 at byte ${opAt}`);
        break;
      case 0x95: // FRAME: a length hint only; the frame's opcodes follow inline.
        need(8, 'FRAME');
        pos += 8;
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x7d: push(container(new Map(), opAt), opAt); break; // EMPTY_DICT
      case 0x5d: push(container([], opAt), opAt); break; // EMPTY_LIST
      case 0x29: push(tuple([], opAt), opAt); break; // EMPTY_TUPLE
      case 0x28: // MARK
        if (markStack.length >= limits.maxOpenMarks) tooMuch('number of open MARKs', limits.maxOpenMarks, opAt);
        markStack.push(stack.length);
        push(MARK, opAt);
        break;
      case 0x58: push(text(u32('BINUNICODE'), 'BINUNICODE', opAt), opAt); break;
      case 0x8c: push(text(u8('SHORT_BINUNICODE'), 'SHORT_BINUNICODE', opAt), opAt); break;
      case 0x8d: push(text(u64('BINUNICODE8'), 'BINUNICODE8', opAt), opAt); break;
      case 0x4a: push(i32('BININT'), opAt); break;
      case 0x4b: push(u8('BININT1'), opAt); break;
      case 0x4d: push(u16('BININT2'), opAt); break;
      case 0x8a: { // LONG1: little-endian two's complement of n bytes
        const n = u8('LONG1');
        need(n, 'LONG1');
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[pos + i]);
        if (n > 0 && bytes[pos + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
        pos += n;
        const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
        push(safe ? Number(value) : created(value, opAt), opAt);
        break;
      }
      case 0x47: { // BINFLOAT: big-endian IEEE double
        need(8, 'BINFLOAT');
        push(view.getFloat64(pos, false), opAt);
        pos += 8;
        break;
      }
      case 0x4e: push(null, opAt); break; // NONE
      case 0x88: push(true, opAt); break; // NEWTRUE
      case 0x89: push(false, opAt); break; // NEWFALSE
      case 0x74: push(tuple(popMark(), opAt), opAt); break; // TUPLE
      case 0x85: push(tuple([pop()], opAt), opAt); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push(tuple([a, b], opAt), opAt); break; } // TUPLE2
      case 0x87: { // TUPLE3
        const c = pop(); const b = pop(); const a = pop();
        push(tuple([a, b, c], opAt), opAt);
        break;
      }
      case 0x73: { const value = pop(); const key = pop(); setItems(top(), [key, value], opAt); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items, opAt); break; } // SETITEMS
      case 0x61: { const value = pop(); append(top(), [value], opAt); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items, opAt); break; } // APPENDS
      case 0x71: case 0x72: case 0x94: { // BINPUT / LONG_BINPUT / MEMOIZE
        const index = op === 0x71 ? u8('BINPUT') : op === 0x72 ? u32('LONG_BINPUT') : memo.size;
        if (!memo.has(index) && memo.size >= limits.maxMemo) tooMuch('memo size', limits.maxMemo, opAt);
        memo.set(index, top());
        break;
      }
      case 0x68: case 0x6a: { // BINGET / LONG_BINGET
        const index = op === 0x68 ? u8('BINGET') : u32('LONG_BINGET');
        if (!memo.has(index)) fail(`malformed: memo entry ${index} read before it was written (byte ${opAt})`);
        push(memo.get(index), opAt);
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line('GLOBAL module');
        const name = line('GLOBAL name');
        push(resolveGlobal(module, name), opAt);
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail(`malformed: STACK_GLOBAL needs two strings (byte ${opAt})`);
        push(resolveGlobal(module as string, name as string), opAt);
        break;
      }
      case 0x52: { // REDUCE: callable(*args) — only for allow-listed, side-effect-free callables
        const args = pop();
        const callable = pop();
        if (!Array.isArray(args)) fail(`malformed: REDUCE arguments are not a tuple (byte ${opAt})`);
        if (!isPickleGlobal(callable) || typeof callable.call !== 'function') {
          fail(`malformed: REDUCE on ${describePickleValue(callable, 80)}, which is not a callable global (byte ${opAt})`);
        }
        const fn = (callable as PickleGlobal).call!;
        push(callOut(`${clipText((callable as PickleGlobal).name, 80)}(…)`, () => fn(args as unknown[]), opAt), opAt);
        break;
      }
      case 0x62: { // BUILD: sets instance state
        const state = pop();
        const target = top();
        // A state dict's BUILD carries `_metadata` (module versions); it names no tensors, so it is dropped.
        if (!(target instanceof Map) || !(state instanceof Map)) {
          fail(`unsupported: BUILD on something other than a dict (byte ${opAt})`);
        }
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail(`unexpected persistent id at byte ${opAt}`);
        push(callOut('persistent id', () => options.persistentLoad!(pid), opAt), opAt);
        break;
      }
      case 0x30: // POP (CPython pops the open MARK when nothing sits above it)
        if (stack.length > 0 && stack[stack.length - 1] === MARK) popMark();
        else pop();
        break;
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top(), opAt); break; // DUP
      default: {
        const name = OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
        fail(`unsupported pickle opcode ${name} at byte ${opAt}: Greenprint reads tensor checkpoints only`);
      }
    }
  }
}
