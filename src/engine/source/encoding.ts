/**
 * Turns a config file's bytes into text. Editors on Windows save JSON with a UTF-8 byte-order mark, and
 * PowerShell's `>` writes UTF-16; read as plain UTF-8 those became "invalid JSON" or "not a model config"
 * without a word about the encoding. This decodes UTF-8 (with or without BOM), UTF-16 LE/BE (with BOM, or
 * without one when its zero bytes give it away) and UTF-32 LE/BE, and names the file and the encoding in
 * the error when the bytes are not valid in the encoding they announce.
 */

export type TextEncodingName = 'UTF-8' | 'UTF-8 with BOM' | 'UTF-16 LE' | 'UTF-16 BE' | 'UTF-32 LE' | 'UTF-32 BE';

/** The decoded text (byte-order mark removed) and the encoding it was read as. */
export interface DecodedText {
  readonly text: string;
  readonly encoding: TextEncodingName;
}

/** Thrown when bytes cannot be read in the encoding they announce; the message names file and encoding. */
export class TextEncodingError extends Error {
  constructor(
    message: string,
    readonly fileName: string,
    readonly encoding: TextEncodingName,
  ) {
    super(message);
    this.name = 'TextEncodingError';
  }
}

/**
 * Decodes a model config's bytes to text, dropping any byte-order mark (so offsets count from the first
 * character an editor shows). Throws TextEncodingError, naming the file and the encoding, for a UTF-32 file
 * with code points outside Unicode. Malformed UTF-8 and UTF-16 are decoded with U+FFFD in place of the bad
 * bytes, as editors show them, so a truncated file is still analysed up to where it breaks.
 */
export function decodeModelText(bytes: Uint8Array, fileName: string): string {
  return decodeModelTextWithEncoding(bytes, fileName).text;
}

export function decodeModelTextWithEncoding(bytes: Uint8Array, fileName: string): DecodedText {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: utf8(b.subarray(3)), encoding: 'UTF-8 with BOM' };
  // UTF-32 LE's mark starts with UTF-16 LE's, so it is tested first.
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return utf32(b.subarray(4), true, fileName);
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return utf32(b.subarray(4), false, fileName);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { text: utf16(b.subarray(2), true), encoding: 'UTF-16 LE' };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { text: utf16(b.subarray(2), false), encoding: 'UTF-16 BE' };
  const guess = guessWithoutMark(b);
  if (guess === 'UTF-32 LE' || guess === 'UTF-32 BE') return utf32(b, guess === 'UTF-32 LE', fileName);
  if (guess === 'UTF-16 LE' || guess === 'UTF-16 BE') return { text: utf16(b, guess === 'UTF-16 LE'), encoding: guess };
  return { text: utf8(b), encoding: 'UTF-8' };
}

function utf8(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(b);
}

function utf16(b: Uint8Array, littleEndian: boolean): string {
  if (littleEndian) return new TextDecoder('utf-16le', { fatal: false, ignoreBOM: true }).decode(b);
  // Swap to little-endian rather than rely on ICU data for 'utf-16be'.
  const swapped = new Uint8Array(b.length);
  for (let i = 0; i + 1 < b.length; i += 2) {
    swapped[i] = b[i + 1];
    swapped[i + 1] = b[i];
  }
  if (b.length % 2) swapped[b.length - 1] = b[b.length - 1];
  return new TextDecoder('utf-16le', { fatal: false, ignoreBOM: true }).decode(swapped);
}

function utf32(b: Uint8Array, littleEndian: boolean, fileName: string): DecodedText {
  const encoding: TextEncodingName = littleEndian ? 'UTF-32 LE' : 'UTF-32 BE';
  if (b.length % 4 !== 0) {
    throw new TextEncodingError(`${fileName}: ${encoding} text must be a multiple of 4 bytes long, but it is ${b.length} bytes (truncated?).`, fileName, encoding);
  }
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < b.length; i += 4) {
    const cp = littleEndian
      ? (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0
      : ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new TextEncodingError(
        `${fileName}: not valid ${encoding} text: byte ${i} holds 0x${cp.toString(16)}, which is no Unicode character. Save the file as UTF-8.`,
        fileName,
        encoding,
      );
    }
    chunk.push(cp);
    if (chunk.length === 8192) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  if (chunk.length) parts.push(String.fromCodePoint(...chunk));
  return { text: parts.join(''), encoding };
}

/**
 * UTF-16 and UTF-32 without a mark, told by where the zero bytes are in the first kilobyte: config text is
 * mostly ASCII, so every other byte (UTF-16) or three of every four (UTF-32) are zero. Text in UTF-8 has no
 * zero bytes at all.
 */
function guessWithoutMark(b: Uint8Array): TextEncodingName | undefined {
  const n = Math.min(b.length, 1024) & ~3;
  if (n < 4) return undefined;
  const zerosAt = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) if (b[i] === 0) zerosAt[i & 3]++;
  const quarter = n / 4;
  const mostly = (count: number) => count >= quarter * 0.9;
  const rarely = (count: number) => count <= quarter * 0.1;
  if (rarely(zerosAt[0]) && mostly(zerosAt[1]) && mostly(zerosAt[2]) && mostly(zerosAt[3])) return 'UTF-32 LE';
  if (mostly(zerosAt[0]) && mostly(zerosAt[1]) && mostly(zerosAt[2]) && rarely(zerosAt[3])) return 'UTF-32 BE';
  if (rarely(zerosAt[0]) && rarely(zerosAt[2]) && mostly(zerosAt[1]) && mostly(zerosAt[3])) return 'UTF-16 LE';
  if (mostly(zerosAt[0]) && mostly(zerosAt[2]) && rarely(zerosAt[1]) && rarely(zerosAt[3])) return 'UTF-16 BE';
  return undefined;
}
