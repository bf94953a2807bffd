/**
 * A minimal WebAssembly binary writer, enough to emit small numeric kernels at run time with no build step,
 * no toolchain and no native code: a module that imports one memory and exports functions over i32, f64 and
 * v128 values, with structured control flow, scalar f64 and the 128-bit SIMD instructions a dense layer (f64x2) and a depthwise filter gradient (f32x4) need.
 *
 * Encoding: WebAssembly core specification 2.0, chapter 5 (binary format: LEB128 integers, sections 2 import,
 * 1 type, 3 function, 7 export, 10 code) and the fixed-width SIMD proposal's BinarySIMD.md (prefix 0xFD, then
 * the opcode as unsigned LEB128). Every module is checked by the engine itself (`WebAssembly.validate`) before
 * use, and the kernels built on it are tested against plain JavaScript, so a wrong opcode cannot go unnoticed.
 */

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F64 | typeof V128;

function uleb(value: number, out: number[]): void {
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

function sleb(value: number, out: number[]): void {
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** One function body, written instruction by instruction (stack machine order). */
export class Code {
  readonly bytes: number[] = [];

  private simd(op: number): this {
    this.bytes.push(0xfd);
    uleb(op, this.bytes);
    return this;
  }

  private memarg(align: number, offset: number): this {
    uleb(align, this.bytes);
    uleb(offset, this.bytes);
    return this;
  }

  // Control flow: blocks carry no value (block type 0x40).
  block(): this { this.bytes.push(0x02, 0x40); return this; }
  loop(): this { this.bytes.push(0x03, 0x40); return this; }
  if(): this { this.bytes.push(0x04, 0x40); return this; }
  else(): this { this.bytes.push(0x05); return this; }
  end(): this { this.bytes.push(0x0b); return this; }
  br(depth: number): this { this.bytes.push(0x0c); uleb(depth, this.bytes); return this; }
  brIf(depth: number): this { this.bytes.push(0x0d); uleb(depth, this.bytes); return this; }
  call(index: number): this { this.bytes.push(0x10); uleb(index, this.bytes); return this; }

  get(local: number): this { this.bytes.push(0x20); uleb(local, this.bytes); return this; }
  set(local: number): this { this.bytes.push(0x21); uleb(local, this.bytes); return this; }

  i32(value: number): this { this.bytes.push(0x41); sleb(value | 0, this.bytes); return this; }
  i32Load(offset = 0): this { this.bytes.push(0x28); return this.memarg(2, offset); }
  /** [address, value] → memory. */
  i32Store(offset = 0): this { this.bytes.push(0x36); return this.memarg(2, offset); }
  i32Eqz(): this { this.bytes.push(0x45); return this; }
  i32Eq(): this { this.bytes.push(0x46); return this; }
  i32LtU(): this { this.bytes.push(0x49); return this; }
  i32GtU(): this { this.bytes.push(0x4b); return this; }
  i32GeU(): this { this.bytes.push(0x4f); return this; }
  i32Add(): this { this.bytes.push(0x6a); return this; }
  i32Mul(): this { this.bytes.push(0x6c); return this; }
  i32Shl(): this { this.bytes.push(0x74); return this; }

  f64Load(offset = 0): this { this.bytes.push(0x2b); return this.memarg(3, offset); }
  f64Store(offset = 0): this { this.bytes.push(0x39); return this.memarg(3, offset); }
  f64Const(value: number): this {
    this.bytes.push(0x44, ...new Uint8Array(new Float64Array([value]).buffer));
    return this;
  }
  f64Gt(): this { this.bytes.push(0x64); return this; }
  f64Add(): this { this.bytes.push(0xa0); return this; }
  f64Mul(): this { this.bytes.push(0xa2); return this; }
  /** [a, b, condition] → condition ? a : b. */
  select(): this { this.bytes.push(0x1b); return this; }

  v128Load(offset = 0): this { return this.simd(0x00).memarg(3, offset); }
  v128Load64Splat(offset = 0): this { return this.simd(0x0a).memarg(3, offset); }
  v128Store(offset = 0): this { return this.simd(0x0b).memarg(3, offset); }
  v128Zero(): this { this.simd(0x0c); this.bytes.push(...new Array<number>(16).fill(0)); return this; }
  v128Store64Lane(lane: number, offset = 0): this { this.simd(0x5b).memarg(3, offset); this.bytes.push(lane); return this; }
  v128And(): this { return this.simd(0x4e); }
  f64x2Gt(): this { return this.simd(0x4a); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2Mul(): this { return this.simd(0xf2); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Mul(): this { return this.simd(0xe6); }
}

export interface WasmFunction {
  readonly params: readonly ValueType[];
  readonly results?: readonly ValueType[];
  /** Locals beyond the parameters, numbered after them. */
  readonly locals?: readonly ValueType[];
  readonly body: Code;
  readonly exportAs?: string;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function name(text: string, out: number[]): void {
  // Names here are ASCII identifiers, so UTF-8 is one byte per character.
  uleb(text.length, out);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

/** A module importing `env.memory` (at least `minPages` 64 KiB pages) and defining `functions`, indexed in order. */
export function wasmModule(functions: readonly WasmFunction[], minPages: number): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(functions.length, types);
  for (const f of functions) {
    types.push(0x60);
    uleb(f.params.length, types);
    types.push(...f.params);
    uleb(f.results?.length ?? 0, types);
    types.push(...(f.results ?? []));
  }
  section(1, types, out);
  const imports: number[] = [1];
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, 0x00);
  uleb(minPages, imports);
  section(2, imports, out);
  const declared: number[] = [];
  uleb(functions.length, declared);
  functions.forEach((_, i) => uleb(i, declared));
  section(3, declared, out);
  const exported = functions.map((f, i) => [f, i] as const).filter(([f]) => f.exportAs !== undefined);
  const exports: number[] = [];
  uleb(exported.length, exports);
  for (const [f, i] of exported) {
    name(f.exportAs!, exports);
    exports.push(0x00);
    uleb(i, exports);
  }
  section(7, exports, out);
  const code: number[] = [];
  uleb(functions.length, code);
  for (const f of functions) {
    const body: number[] = [];
    const locals = f.locals ?? [];
    uleb(locals.length, body);
    for (const type of locals) body.push(1, type);
    body.push(...f.body.bytes, 0x0b);
    uleb(body.length, code);
    code.push(...body);
  }
  section(10, code, out);
  return Uint8Array.from(out);
}
