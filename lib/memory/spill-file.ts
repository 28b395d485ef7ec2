import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { spillChecksum, type SpillChecksumKind } from './spill-checksum.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import type { EncodedValue } from './spill-codec.ts';

/**
 * One spill file: written into a temp file (a pooled or freshly opened one, see `SpillFilePool`),
 * then renamed to its final name — so a file under its final name is always complete; read back with
 * its checksum (`spill-checksum.ts`: every byte in verify mode, sampled outside it) checked against
 * the one taken at write time, so a truncated, missing or corrupt file fails the reader with a typed
 * error naming the ref and the file, never wrong data (outside verify mode, a change of a few bytes
 * inside a 4 KiB page may go unseen: see there).
 *
 * Not synced to disk unless asked (`sync`, for files kept after the run): a spill file is read only by
 * the process that wrote it, through the page cache, and deleted when the run ends (resume reads the
 * ledger, never spill files), so making it survive a machine crash would cost disk waits for nothing —
 * on this project's machine `fdatasync` was 0.2-0.4× of `bench/laptop`'s inline time. A file deleted
 * before the kernel's writeback never reaches the disk at all.
 *
 * One round trip each way, on purpose: an awaited file operation resumes only when the event loop
 * gets a turn, which in a busy laptop run is about once per step, so a chain of operations takes that
 * many steps, and the memory a write holds is held as long. `writeSpillFile` therefore takes a file
 * that is already open and resolves after one `writev`, when the data is in the page cache and
 * readable through the open handle (the store may drop the value then); the rest comes after, as
 * the `finish` task it returns (cut to size, `fdatasync` if asked, rename), which the store runs in the
 * background, a few at a time. Reads take the whole file in one `readv` through the handle the write
 * used, straight into fresh buffers (not zero-filled: the read overwrites them all).
 *
 * Layout (little-endian): `SKYSPIL1`, u32 skeleton length, u32 buffer count, 8 reserved bytes, one f64
 * length per buffer, the skeleton, then each buffer; each section padded to 8 bytes so typed-array
 * views stay aligned. Does not cover deciding what or when to spill, nor deleting (see `SpillStore`).
 * The directory is not fsynced after the rename: spill files never outlive the process that wrote them.
 */

/** The file operations used, so tests can inject failures (disk full). Node's `fs/promises` by default. */
export interface SpillIo {
  open(path: string, flags: 'w' | 'r' | 'r+'): Promise<SpillFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export interface SpillFileHandle {
  writev(buffers: NodeJS.ArrayBufferView[], position?: number): Promise<{ bytesWritten: number }>;
  readv(buffers: NodeJS.ArrayBufferView[], position: number): Promise<{ bytesRead: number }>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** Spill files are read through the handle they were written with, so 'w' opens for reading too. */
const openFlags = {
  w: constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
  'r+': constants.O_RDWR,
  r: constants.O_RDONLY,
} as const;

export const nodeSpillIo: SpillIo = { open: (path, flags) => open(path, openFlags[flags]), rename, unlink };

/** What the store remembers of a written file, to read it back in one go and check it. */
export interface SpillFileInfo {
  readonly file: string;
  readonly fileBytes: number;
  readonly checksum: number;
  readonly checksumKind: SpillChecksumKind;
  readonly skeletonBytes: number;
  readonly bufferBytes: readonly number[];
}

/** Who the file belongs to, for error messages. */
export interface SpillFileOwner {
  readonly ref: string;
  readonly unitPath?: string;
}

/** The owner of `ref`'s file, naming `unitPath` when it is known. */
export function spillFileOwner(ref: string, unitPath: string | undefined): SpillFileOwner {
  return unitPath === undefined ? { ref } : { ref, unitPath };
}

/** A file open for writing: a pooled file or a fresh temp file, its path now and its size on disk. */
export interface OpenSpillFile {
  readonly path: string;
  readonly handle: SpillFileHandle;
  readonly bytes: number;
}

/** A written spill file: readable now through `handle`; `finish` cuts it to size, syncs it if asked and renames it. */
export interface WrittenSpillFile {
  readonly info: SpillFileInfo;
  readonly handle: SpillFileHandle;
  /** Run once: cut the file to size, `fdatasync` it with `sync`, rename it to `info.file`. Rejects with `SKY_SPILL_WRITE`. */
  readonly finish: () => Promise<void>;
}

/**
 * How a file is written. `sync`: `fdatasync` before the rename (files that outlive the run).
 * `verify`: checksum every byte, and again after the write, to name a value changed in place while it
 * was written as `SKY_PRISTINE_VIOLATION`; without it the checksum is sampled and taken once, and such
 * a file fails its read back as `SKY_SPILL_CORRUPT` instead, or goes unseen if the change is small.
 */
export interface SpillWriteMode {
  readonly sync: boolean;
  readonly verify: boolean;
}

const magic = Buffer.from('SKYSPIL1', 'latin1');
const fixedHeader = 24;
const pad = (n: number): number => (8 - (n % 8)) % 8;
const zeros = new Uint8Array(8);

/**
 * Writes `encoded` into `target` (a temp file no ref owns, open for writing) with one `writev`;
 * resolves once the bytes are readable through the handle. Renaming it to `file` is left to the
 * returned `finish` task. Rejects with `SKY_SPILL_WRITE` (cause kept), having closed and deleted
 * `target`, or with `SKY_PRISTINE_VIOLATION` (`mode.verify`) if a buffer changed during the write.
 */
export async function writeSpillFile(
  io: SpillIo,
  target: OpenSpillFile,
  file: string,
  encoded: EncodedValue,
  owner: SpillFileOwner,
  mode: SpillWriteMode,
): Promise<WrittenSpillFile> {
  const parts = layout(encoded);
  const checksumKind: SpillChecksumKind = mode.verify ? 'full' : 'sampled';
  const checksum = spillChecksum(parts, checksumKind);
  const fileBytes = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const { handle } = target;
  try {
    await writeAll(handle, parts, fileBytes);
    // The buffers are written as they are, while units run: if one changed during the write, the file
    // no longer matches its checksum. That is a mutation of a stored value, not a disk fault: say so.
    if (mode.verify && spillChecksum(parts, checksumKind) !== checksum) throw changedWhileWritten(file, owner);
  } catch (cause) {
    await handle.close().catch(() => {});
    await io.unlink(target.path).catch(() => {});
    throw writeError(file, owner, cause);
  }
  const info: SpillFileInfo = { file, fileBytes, checksum, checksumKind, skeletonBytes: encoded.skeleton.byteLength, bufferBytes: encoded.buffers.map((b) => b.byteLength) };
  const finish = async (): Promise<void> => {
    try {
      if (target.bytes > fileBytes) await handle.truncate(fileBytes); // a larger pooled file: no stale tail on disk
      if (mode.sync) await handle.datasync();
      await io.rename(target.path, file);
    } catch (cause) {
      throw writeError(file, owner, cause);
    }
  };
  return { info, handle, finish };
}

/** Opens a new, empty temp file for `writeSpillFile`. Rejects with `SKY_SPILL_WRITE`. */
export async function openTempFile(io: SpillIo, path: string, owner: SpillFileOwner): Promise<OpenSpillFile> {
  try {
    return { path, handle: await io.open(path, 'w'), bytes: 0 };
  } catch (cause) {
    throw writeError(path, owner, cause);
  }
}

/**
 * Reads a file written by `writeSpillFile`, through `handle` if the file is still open (one round
 * trip), else by opening `info.file`, into `spare` buffers of the right sizes (any content) or new ones.
 * Rejects with `SKY_SPILL_MISSING` or `SKY_SPILL_CORRUPT`.
 */
export async function readSpillFile(
  io: SpillIo,
  info: SpillFileInfo,
  owner: SpillFileOwner,
  handle?: SpillFileHandle,
  spare: (bytes: number) => ArrayBuffer | undefined = () => undefined,
): Promise<{ skeleton: Uint8Array; buffers: ArrayBuffer[] }> {
  if (handle) return readChecked(handle, info, owner, spare);
  let opened: SpillFileHandle;
  try {
    opened = await io.open(info.file, 'r');
  } catch (cause) {
    const code = (cause as { code?: string }).code === 'ENOENT' ? ErrorCode.SpillMissing : ErrorCode.SpillCorrupt;
    const what = code === ErrorCode.SpillMissing ? 'is missing' : `cannot be opened (${reasonOf(cause)})`;
    throw new SkyloomError(code, `spill file ${info.file} of ref ${owner.ref} ${what}`, details(owner, cause));
  }
  try {
    return await readChecked(opened, info, owner, spare);
  } finally {
    void opened.close().catch(() => {}); // nothing waits for it: the data is already in hand
  }
}

/** Not zero-filled (zeroing 16 MiB costs ~2 ms of this thread): a read fills every byte, or fails. */
function newBuffer(bytes: number): ArrayBuffer {
  return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
}

/** Reads the whole file with one `readv` into the parts the write described (`spare` buffers or new ones), then checks them. */
async function readChecked(
  handle: SpillFileHandle,
  info: SpillFileInfo,
  owner: SpillFileOwner,
  spare: (bytes: number) => ArrayBuffer | undefined,
): Promise<{ skeleton: Uint8Array; buffers: ArrayBuffer[] }> {
  const corrupt = (why: string): SkyloomError =>
    new SkyloomError(ErrorCode.SpillCorrupt, `spill file ${info.file} of ref ${owner.ref} is corrupt: ${why}`, details(owner, undefined));
  const header = new Uint8Array(fixedHeader + 8 * info.bufferBytes.length);
  const skeleton = new Uint8Array(info.skeletonBytes);
  const buffers = info.bufferBytes.map((n) => spare(n) ?? newBuffer(n));
  const parts = sections(header, skeleton, buffers, (n) => new Uint8Array(n));
  // A longer file is not an error: a pooled file may not be cut to size yet, and the CRC covers what counts.
  const got = await readAll(handle, parts, info.fileBytes);
  if (got < info.fileBytes) throw corrupt(`truncated at byte ${got} of ${info.fileBytes}`);
  const view = new DataView(header.buffer);
  if (!magic.equals(header.subarray(0, 8))) throw corrupt('bad magic');
  const lengths = new Float64Array(header.buffer, fixedHeader);
  const described = view.getUint32(8, true) === skeleton.byteLength && view.getUint32(12, true) === buffers.length && info.bufferBytes.every((n, i) => lengths[i] === n);
  if (!described) throw corrupt('its header does not describe what was written');
  const checksum = spillChecksum(parts, info.checksumKind);
  if (checksum !== info.checksum) {
    throw corrupt(`checksum ${hex(checksum)} differs from ${hex(info.checksum)} taken when it was written: the file changed, or a unit changed the value in place while it was written (verify mode names that unit)`);
  }
  return { skeleton, buffers };
}

/** `readv` until `fileBytes` are in (one call, normally) or the file ends; returns the bytes read. */
async function readAll(handle: SpillFileHandle, parts: Uint8Array[], fileBytes: number): Promise<number> {
  let got = 0;
  let rest = parts;
  while (got < fileBytes) {
    const { bytesRead } = await handle.readv(rest, got);
    if (bytesRead <= 0) break;
    got += bytesRead;
    rest = skipBytes(rest, bytesRead);
  }
  return got;
}

function layout(encoded: EncodedValue): Uint8Array[] {
  const header = new Uint8Array(fixedHeader + 8 * encoded.buffers.length);
  header.set(magic, 0);
  const view = new DataView(header.buffer);
  view.setUint32(8, encoded.skeleton.byteLength, true);
  view.setUint32(12, encoded.buffers.length, true);
  encoded.buffers.forEach((b, i) => view.setFloat64(fixedHeader + 8 * i, b.byteLength, true));
  return sections(header, encoded.skeleton, encoded.buffers, (n) => zeros.subarray(0, n));
}

/** The file's sections in order, each followed by `padding` up to 8 bytes; empty ones left out. */
function sections(header: Uint8Array, skeleton: Uint8Array, buffers: readonly ArrayBuffer[], padding: (bytes: number) => Uint8Array): Uint8Array[] {
  const parts = [header, skeleton, padding(pad(skeleton.byteLength))];
  for (const buffer of buffers) parts.push(new Uint8Array(buffer), padding(pad(buffer.byteLength)));
  return parts.filter((p) => p.byteLength > 0);
}

/** `writev` may write less than asked (large files): go on from where it stopped. */
async function writeAll(handle: SpillFileHandle, parts: Uint8Array[], total: number): Promise<void> {
  let written = 0;
  let rest = parts;
  while (written < total) {
    const { bytesWritten } = await handle.writev(rest, written);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    written += bytesWritten;
    rest = skipBytes(rest, bytesWritten);
  }
}

function skipBytes(parts: Uint8Array[], bytes: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = bytes;
  for (const part of parts) {
    if (skip >= part.byteLength) {
      skip -= part.byteLength;
      continue;
    }
    rest.push(skip > 0 ? part.subarray(skip) : part);
    skip = 0;
  }
  return rest;
}

function changedWhileWritten(file: string, owner: SpillFileOwner): SkyloomError {
  const who = owner.unitPath === undefined ? 'a unit' : `unit ${owner.unitPath} (its latest borrower)`;
  const message = `ref ${owner.ref} changed while it was written to spill file ${file}: ${who} wrote into a stored buffer in place; make a new version with put() instead`;
  return new SkyloomError(ErrorCode.PristineViolation, message, details(owner, undefined));
}

function writeError(file: string, owner: SpillFileOwner, cause: unknown): SkyloomError {
  if (cause instanceof SkyloomError) return cause;
  return new SkyloomError(ErrorCode.SpillWrite, `could not write spill file ${file} for ref ${owner.ref}: ${reasonOf(cause)}`, details(owner, cause));
}

function details(owner: SpillFileOwner, cause: unknown): { ref: string; unitPath?: string; cause?: unknown } {
  return { ref: owner.ref, ...(owner.unitPath === undefined ? {} : { unitPath: owner.unitPath }), ...(cause === undefined ? {} : { cause }) };
}

function reasonOf(cause: unknown): string {
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
