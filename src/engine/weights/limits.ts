/**
 * The ceilings every weights reader (safetensors, TF.js weights, PyTorch .pth, IDX data) enforces, stated
 * once each with the reason for its value, and the helpers that keep error messages short.
 *
 * Why ceilings at all: weights files are downloaded data. Without them a 1.4 KB pickle, a 1 MB zip or a
 * 4 MB safetensors file could make the tool allocate gigabytes (issue: peak memory must stay under 1 GB
 * for any input file up to 50 MB). Every ceiling sits well above the largest real file this tool is meant
 * for — the OFA MobileNetV3 w1.2 supernet, 411 tensors and 10.8 M float32 values (43 MB) — so that it only
 * ever stops hostile or corrupt files.
 *
 * Error messages quote at most `QUOTE_LIMIT` characters of anything that came from a file (names, paths,
 * unpickled values), so a crafted file cannot turn an error into a 263 MB message.
 */

const MiB = 1024 * 1024;

/**
 * The most decoded tensor data one weights file may produce (float16/bfloat16 count widened to float32):
 * 256 MiB = 64 M float32 values, about 6× the OFA w1.2 supernet. A reader holds at most the file, this
 * much raw storage and this much decoded data at once, which keeps peak memory under the 1 GB target.
 */
export const MAX_DECODED_WEIGHT_BYTES = 256 * MiB;

/**
 * The largest weights file read from disk (safetensors, a TF.js shard, a .pth): no real file holds more
 * bytes than it decodes to, plus a header, so anything larger cannot be a model this tool can load.
 */
export const MAX_WEIGHTS_FILE_BYTES = MAX_DECODED_WEIGHT_BYTES + 16 * MiB;

/**
 * safetensors JSON header: 8 MiB. The OFA w1.2 supernet's header is about 50 KB (411 entries of
 * ~120 bytes); 8 MiB allows ~70,000 entries while capping what JSON.parse can allocate (~150 MB for a
 * header of nothing but empty objects). The reference implementation's own cap is 100 MB.
 */
export const MAX_SAFETENSORS_HEADER_BYTES = 8 * MiB;

/** Dimensions per tensor: real weights have at most 5 or 6; 32 leaves room while keeping shapes short. */
export const MAX_TENSOR_RANK = 32;

/** A TF.js weights JSON only lists names and shapes: 16 MiB is ~100,000 entries, far past any real model. */
export const MAX_TFJS_MANIFEST_BYTES = 16 * MiB;

/** Tensors in one file: the OFA w1.2 supernet has 411, large public checkpoints a few thousand. */
export const MAX_TENSOR_COUNT = 100_000;

/** Characters of file-supplied text an error message may quote. */
export const QUOTE_LIMIT = 200;

/** `text` cut to `max` characters, saying how much was left out. */
export function clipText(text: string, max = QUOTE_LIMIT): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** `text` as a JSON string literal (control characters escaped), clipped first. */
export function quote(text: string, max = QUOTE_LIMIT): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length - max} more characters)`;
}

/** The message of anything thrown, clipped: for wrapping unexpected errors without echoing whole inputs. */
export function errorText(error: unknown, max = 2 * QUOTE_LIMIT): string {
  return clipText(error instanceof Error ? error.message : String(error), max);
}

/** Human-readable byte count for messages ("256 MiB", "4.0 GiB", "1234 bytes"). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * Element count of a validated shape, or `undefined` when it exceeds `maxElements` (so a crafted shape such
 * as [2^40, 2^40] is refused instead of overflowing into an inexact float).
 */
export function boundedElementCount(shape: readonly number[], maxElements: number): number | undefined {
  let count = 1;
  for (const d of shape) if (d === 0) return 0;
  for (const d of shape) {
    count *= d;
    if (count > maxElements) return undefined;
  }
  return count;
}

/** True for a list of at most `MAX_TENSOR_RANK` non-negative safe integers. */
export function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.length <= MAX_TENSOR_RANK && value.every((d) => Number.isSafeInteger(d) && d >= 0);
}
