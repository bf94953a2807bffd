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
 */

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
  throw new PickleError(`refusing to load global ${module}.${name}: Greenprint reads tensor checkpoints only`);
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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const markStack: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;

  const fail = (message: string): never => {
    throw new PickleError(`${label}: ${message}`);
  };
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
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} length ${v} is too large`);
    return Number(v);
  };
  const text = (length: number, what: string) => {
    need(length, what);
    const s = utf8.decode(bytes.subarray(pos, pos + length));
    pos += length;
    return s;
  };
  const line = (what: string) => {
    const endOfLine = bytes.indexOf(0x0a, pos);
    if (endOfLine < 0) fail(`truncated: ${what} at byte ${pos} has no terminating newline`);
    const s = utf8.decode(bytes.subarray(pos, endOfLine));
    pos = endOfLine + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail(`malformed: stack underflow at byte ${pos}`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) fail(`malformed: empty stack at byte ${pos}`);
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
  const resolveGlobal = (module: string, name: string) => {
    if (!TORCH_CHECKPOINT_GLOBALS.has(`${module}.${name}`)) refuseGlobal(module, name);
    return options.findGlobal(module, name);
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) fail(`malformed: SETITEM(S) on a non-dict at byte ${pos}`);
    for (let i = 0; i + 1 < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target) || Object.isFrozen(target)) fail(`malformed: APPEND(S) on a non-list at byte ${pos}`);
    (target as unknown[]).push(...items);
  };

  for (;;) {
    const opAt = pos;
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
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(Object.freeze([])); break; // EMPTY_TUPLE
      case 0x28: markStack.push(stack.length); stack.push(MARK); break; // MARK
      case 0x58: stack.push(text(u32('BINUNICODE'), 'BINUNICODE')); break;
      case 0x8c: stack.push(text(u8('SHORT_BINUNICODE'), 'SHORT_BINUNICODE')); break;
      case 0x8d: stack.push(text(u64('BINUNICODE8'), 'BINUNICODE8')); break;
      case 0x4a: stack.push(i32('BININT')); break;
      case 0x4b: stack.push(u8('BININT1')); break;
      case 0x4d: stack.push(u16('BININT2')); break;
      case 0x8a: { // LONG1: little-endian two's complement of n bytes
        const n = u8('LONG1');
        need(n, 'LONG1');
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[pos + i]);
        if (n > 0 && bytes[pos + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
        pos += n;
        const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
        stack.push(safe ? Number(value) : value);
        break;
      }
      case 0x47: { // BINFLOAT: big-endian IEEE double
        need(8, 'BINFLOAT');
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x74: stack.push(Object.freeze(popMark())); break; // TUPLE
      case 0x85: stack.push(Object.freeze([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(Object.freeze([a, b])); break; } // TUPLE2
      case 0x87: { // TUPLE3
        const c = pop(); const b = pop(); const a = pop();
        stack.push(Object.freeze([a, b, c]));
        break;
      }
      case 0x73: { const value = pop(); const key = pop(); setItems(top(), [key, value]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const value = pop(); append(top(), [value]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x71: memo.set(u8('BINPUT'), top()); break;
      case 0x72: memo.set(u32('LONG_BINPUT'), top()); break;
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET / LONG_BINGET
        const index = op === 0x68 ? u8('BINGET') : u32('LONG_BINGET');
        if (!memo.has(index)) fail(`malformed: memo entry ${index} read before it was written (byte ${opAt})`);
        stack.push(memo.get(index));
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line('GLOBAL module');
        const name = line('GLOBAL name');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail(`malformed: STACK_GLOBAL needs two strings (byte ${opAt})`);
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE: callable(*args) — only for allow-listed, side-effect-free callables
        const args = pop();
        const callable = pop() as PickleGlobal;
        if (!Array.isArray(args)) fail(`malformed: REDUCE arguments are not a tuple (byte ${opAt})`);
        if (!callable || typeof callable !== 'object' || typeof callable.call !== 'function') {
          fail(`malformed: REDUCE on something that is not a callable global (byte ${opAt})`);
        }
        stack.push(callable.call!(args as unknown[]));
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
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default: {
        const name = OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
        fail(`unsupported pickle opcode ${name} at byte ${opAt}: Greenprint reads tensor checkpoints only`);
      }
    }
  }
}
