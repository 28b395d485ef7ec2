import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { crc32 } from './crc32.ts';
import { ErrorCode, SkyloomError } from './errors.ts';
import type { EncodedValue } from './spill-codec.ts';
import type { PooledFile } from './spill-file-pool.ts';

/**
 * One spill file: written crash-safely (a temp file in the same directory, written durably, then
 * renamed), so a file under its final name is always complete; read back with its CRC-32
 * (`crc32.ts`) checked against the one taken at write time, so a corrupt, truncated or missing file
 * fails the reader with a typed error naming the ref and the file, never wrong data.
 *
 * Few round trips, on purpose: each awaited file operation resumes only when the event loop gets a
 * turn, which in a busy laptop run is once per step, so a chain of operations takes that many steps.
 * Writes open with O_DSYNC (a write resolves once its data is on disk: the fsync, with no separate
 * call) and close while renaming; reads know the layout from the write and take the whole file in one
 * `readv` into the value's own buffers, then close without waiting.
 *
 * Layout (little-endian): `SKYSPIL1`, u32 skeleton length, u32 buffer count, 8 reserved bytes, one f64
 * length per buffer, the skeleton, then each buffer; each section padded to 8 bytes so typed-array
 * views stay aligned. Does not cover deciding what or when to spill, nor deleting (see `SpillStore`).
 * The directory is not fsynced after the rename: spill files never outlive the process that wrote them.
 */

/**
 * The file operations used, so tests can inject failures (disk full). Node's `fs/promises` by default,
 * which opens 'w' (create or truncate) and 'r+' (overwrite) with O_DSYNC: the spill writer relies on
 * a resolved write being durable.
 */
export interface SpillIo {
  open(path: string, flags: 'w' | 'r' | 'r+'): Promise<SpillFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export interface SpillFileHandle {
  writev(buffers: NodeJS.ArrayBufferView[], position?: number): Promise<{ bytesWritten: number }>;
  readv(buffers: NodeJS.ArrayBufferView[], position: number): Promise<{ bytesRead: number }>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

const openFlags = {
  w: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC,
  'r+': constants.O_RDWR | constants.O_DSYNC,
  r: constants.O_RDONLY,
} as const;

export const nodeSpillIo: SpillIo = { open: (path, flags) => open(path, openFlags[flags]), rename, unlink };

/** What the store remembers of a written file, to read it back in one go and check it. */
export interface SpillFileInfo {
  readonly file: string;
  readonly fileBytes: number;
  readonly crc: number;
  readonly skeletonBytes: number;
  readonly bufferBytes: readonly number[];
}

/** Who the file belongs to, for error messages. */
export interface SpillFileOwner {
  readonly ref: string;
  readonly unitPath?: string;
}

const magic = Buffer.from('SKYSPIL1', 'latin1');
const fixedHeader = 24;
const pad = (n: number): number => (8 - (n % 8)) % 8;
const zeros = new Uint8Array(8);

/**
 * Writes `encoded` to `file` via a temp file. With `reuse` (a file no ref owns any more, see
 * `SpillFilePool`), the temp file is that file, overwritten in place (and cut to size). Rejects with
 * `SKY_SPILL_WRITE` (cause kept); leaves no temp file behind.
 */
export async function writeSpillFile(io: SpillIo, file: string, encoded: EncodedValue, owner: SpillFileOwner, reuse?: PooledFile): Promise<SpillFileInfo> {
  const parts = layout(encoded);
  let crc = 0;
  let fileBytes = 0;
  for (const part of parts) {
    crc = crc32(part, crc);
    fileBytes += part.byteLength;
  }
  // A pooled file holds no ref's data: it is the temp file itself, so its reuse costs no extra rename.
  let temp = `${file}.tmp`;
  try {
    const pooled = reuse && (await io.open(reuse.file, 'r+').catch(() => undefined));
    if (reuse && pooled) temp = reuse.file;
    else if (reuse) void io.unlink(reuse.file).catch(() => {}); // unusable: it must not outlive the store
    const handle = pooled ?? (await io.open(temp, 'w'));
    try {
      // Cut first: the durable write then covers the new size too.
      if (reuse && pooled && reuse.bytes > fileBytes) await handle.truncate(fileBytes);
      await writeAll(handle, parts, fileBytes);
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
    await Promise.all([handle.close(), io.rename(temp, file)]);
  } catch (cause) {
    await io.unlink(temp).catch(() => {});
    throw new SkyloomError(ErrorCode.SpillWrite, `could not write spill file ${file} for ref ${owner.ref}: ${reasonOf(cause)}`, details(owner, cause));
  }
  return { file, fileBytes, crc, skeletonBytes: encoded.skeleton.byteLength, bufferBytes: encoded.buffers.map((b) => b.byteLength) };
}

/** Reads a file written by `writeSpillFile`. Rejects with `SKY_SPILL_MISSING` or `SKY_SPILL_CORRUPT`. */
export async function readSpillFile(io: SpillIo, info: SpillFileInfo, owner: SpillFileOwner): Promise<{ skeleton: Uint8Array; buffers: ArrayBuffer[] }> {
  let handle: SpillFileHandle;
  try {
    handle = await io.open(info.file, 'r');
  } catch (cause) {
    const code = (cause as { code?: string }).code === 'ENOENT' ? ErrorCode.SpillMissing : ErrorCode.SpillCorrupt;
    const what = code === ErrorCode.SpillMissing ? 'is missing' : `cannot be opened (${reasonOf(cause)})`;
    throw new SkyloomError(code, `spill file ${info.file} of ref ${owner.ref} ${what}`, details(owner, cause));
  }
  try {
    return await readChecked(handle, info, owner);
  } finally {
    void handle.close().catch(() => {}); // nothing waits for it: the data is already in hand
  }
}

/** Reads the whole file with one `readv` into the parts the write described, then checks them. */
async function readChecked(handle: SpillFileHandle, info: SpillFileInfo, owner: SpillFileOwner): Promise<{ skeleton: Uint8Array; buffers: ArrayBuffer[] }> {
  const corrupt = (why: string): SkyloomError =>
    new SkyloomError(ErrorCode.SpillCorrupt, `spill file ${info.file} of ref ${owner.ref} is corrupt: ${why}`, details(owner, undefined));
  const header = new Uint8Array(fixedHeader + 8 * info.bufferBytes.length);
  const skeleton = new Uint8Array(info.skeletonBytes);
  const buffers = info.bufferBytes.map((n) => new ArrayBuffer(n));
  const parts = sections(header, skeleton, buffers, (n) => new Uint8Array(n));
  const probe = new Uint8Array(1); // a byte past the end must not exist
  const got = await readAll(handle, [...parts, probe], info.fileBytes);
  if (got < info.fileBytes) throw corrupt(`truncated at byte ${got} of ${info.fileBytes}`);
  if (got > info.fileBytes) throw corrupt('longer than written');
  const view = new DataView(header.buffer);
  if (!magic.equals(header.subarray(0, 8))) throw corrupt('bad magic');
  const lengths = new Float64Array(header.buffer, fixedHeader);
  const described = view.getUint32(8, true) === skeleton.byteLength && view.getUint32(12, true) === buffers.length && info.bufferBytes.every((n, i) => lengths[i] === n);
  if (!described) throw corrupt('its header does not describe what was written');
  let crc = 0;
  for (const part of parts) crc = crc32(part, crc);
  if (crc !== info.crc) throw corrupt(`checksum ${hex(crc)} differs from ${hex(info.crc)} taken when it was written`);
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
