/**
 * The tensor names, dtypes and shapes of a `torch.save(state_dict)` file (`pytorch_model.bin`, `.pth`)
 * read without its tensor data, so a multi-gigabyte checkpoint costs a few reads of its metadata:
 * - zip checkpoints (torch ≥ 1.6): the end record in the last 64 KiB, the central directory, then only the
 *   `data.pkl` entry — never a `data/<key>` storage;
 * - legacy checkpoints: the first pickles at the start of the file, which describe every tensor before any
 *   storage byte follows.
 * The pickle runs under the same allow-list and limits as checkpoint.ts; the metadata read is bounded by
 * `MAX_CHECKPOINT_PICKLE_BYTES` (the main pickle) and `MAX_DIRECTORY_BYTES` (the zip directory).
 */
import { CheckpointError, legacyMainPickleStart, MAX_CHECKPOINT_PICKLE_BYTES, tensorShapesOfPickle, type TensorShape } from './checkpoint';
import { PickleError } from './pickle';
import { extractZipEntryRanged, readZipDirectoryRanged, ZipError, type ReadRange } from './zip';
import { errorText } from '../weights/limits';

/** ~100 bytes per entry and one entry per storage: room for 100,000 tensors. */
export const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;

/** Declared content of a checkpoint whose data is never inflated: any size an exact integer can state. */
const ANY_SIZE = Number.MAX_SAFE_INTEGER;

export function readStateDictShapes(read: ReadRange, fileSize: number, fileName: string): TensorShape[] {
  try {
    const head = read(0, 4);
    const isZip = head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
    return isZip ? zipShapes(read, fileSize, fileName) : legacyShapes(read, fileSize, fileName);
  } catch (error) {
    if (error instanceof PickleError || error instanceof CheckpointError || error instanceof ZipError) {
      throw new CheckpointError(error.message.startsWith(`${fileName}:`) ? error.message : `${fileName}: ${error.message}`);
    }
    throw new CheckpointError(`${fileName}: cannot read this checkpoint, it is corrupt or unsupported (${errorText(error)})`);
  }
}

function zipShapes(read: ReadRange, fileSize: number, fileName: string): TensorShape[] {
  const entries = readZipDirectoryRanged(read, fileSize, ANY_SIZE, MAX_DIRECTORY_BYTES);
  const names = [...entries.keys()];
  const pickleName = names.find((name) => name.endsWith('/data.pkl') && name.split('/').length === 2) ?? names.find((name) => name.endsWith('data.pkl'));
  if (!pickleName) throw new CheckpointError('zip archive has no data.pkl: not a PyTorch checkpoint');
  const pickle = extractZipEntryRanged(read, fileSize, entries.get(pickleName)!, MAX_CHECKPOINT_PICKLE_BYTES);
  return tensorShapesOfPickle(pickle, 0, `${fileName}: ${pickleName}`);
}

function legacyShapes(read: ReadRange, fileSize: number, fileName: string): TensorShape[] {
  // The three small pickles and the main one come first; the storages' bytes only after them.
  const head = read(0, Math.min(fileSize, MAX_CHECKPOINT_PICKLE_BYTES));
  return tensorShapesOfPickle(head, legacyMainPickleStart(head, fileName), `${fileName}: main pickle`);
}
