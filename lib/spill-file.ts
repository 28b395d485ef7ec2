import { open, rename, unlink } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { ErrorCode, SkyloomError } from './errors.ts';
import type { EncodedValue } from './spill-codec.ts';

/**
 * One spill file: written crash-safely (a temp file in the same directory, fsync, rename), so a file
 * under its final name is always complete; read back with its CRC-32 (zlib's, ~7 GB/s here) checked
 * against the one taken at write time, so a corrupt, truncated or missing file fails the reader with a
 * typed error naming the ref and the file, never wrong data.
 *
 * Layout (little-endian): `SKYSPIL1`, u32 skeleton length, u32 buffer count, 8 reserved bytes, one f64
 * length per buffer, the skeleton, then each buffer; each section padded to 8 bytes so typed-array
 * views stay aligned. Does not cover deciding what or when to spill, nor deleting (see `SpillStore`).
 * The directory is not fsynced after the rename: spill files never outlive the process that wrote them.
 */

/** The file operations used, so tests can inject failures (disk full). Node's `fs/promises` by default. */
export interface SpillIo {
  open(path: string, flags: 'w' | 'r'): Promise<SpillFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export interface SpillFileHandle {
  writev(buffers: NodeJS.ArrayBufferView[], position?: number): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export const nodeSpillIo: SpillIo = { open: (path, flags) => open(path, flags), rename, unlink };

/** What the store remembers of a written file, to check it on read-back. */
export interface SpillFileInfo {
  readonly file: string;
  readonly fileBytes: number;
  readonly crc: number;
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

/** Writes `encoded` to `file` via a temp file. Rejects with `SKY_SPILL_WRITE` (cause kept); leaves no temp file behind. */
export async function writeSpillFile(io: SpillIo, file: string, encoded: EncodedValue, owner: SpillFileOwner): Promise<SpillFileInfo> {
  const parts = layout(encoded);
  let crc = 0;
  let fileBytes = 0;
  for (const part of parts) {
    crc = crc32(part, crc);
    fileBytes += part.byteLength;
  }
  const temp = `${file}.tmp`;
  try {
    const handle = await io.open(temp, 'w');
    try {
      await writeAll(handle, parts, fileBytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await io.rename(temp, file);
  } catch (cause) {
    await io.unlink(temp).catch(() => {});
    throw new SkyloomError(ErrorCode.SpillWrite, `could not write spill file ${file} for ref ${owner.ref}: ${reasonOf(cause)}`, details(owner, cause));
  }
  return { file, fileBytes, crc };
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
    await handle.close().catch(() => {});
  }
}

async function readChecked(handle: SpillFileHandle, info: SpillFileInfo, owner: SpillFileOwner): Promise<{ skeleton: Uint8Array; buffers: ArrayBuffer[] }> {
  const corrupt = (why: string): SkyloomError =>
    new SkyloomError(ErrorCode.SpillCorrupt, `spill file ${info.file} of ref ${owner.ref} is corrupt: ${why}`, details(owner, undefined));
  let position = 0;
  let crc = 0;
  const take = async (bytes: Uint8Array): Promise<void> => {
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesRead } = await handle.read(bytes, done, bytes.byteLength - done, position + done);
      if (bytesRead === 0) throw corrupt(`truncated at byte ${position + done} of ${info.fileBytes}`);
      done += bytesRead;
    }
    position += bytes.byteLength;
    crc = crc32(bytes, crc);
  };
  const header = new Uint8Array(fixedHeader);
  await take(header);
  const view = new DataView(header.buffer);
  if (!magic.equals(header.subarray(0, 8))) throw corrupt('bad magic');
  const skeletonLength = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (fixedHeader + 8 * count + skeletonLength > info.fileBytes) throw corrupt('header does not match the file size');
  const lengthsBytes = new Uint8Array(8 * count);
  await take(lengthsBytes);
  const lengths = new Float64Array(lengthsBytes.buffer);
  const expected = fixedHeader + lengthsBytes.byteLength + skeletonLength + pad(skeletonLength) + [...lengths].reduce((sum, n) => sum + n + pad(n), 0);
  if (expected !== info.fileBytes) throw corrupt(`header describes ${expected} bytes, the file was written with ${info.fileBytes}`);
  const skeleton = new Uint8Array(skeletonLength);
  await take(skeleton);
  await take(new Uint8Array(pad(skeletonLength)));
  const buffers: ArrayBuffer[] = [];
  for (const length of lengths) {
    const buffer = new ArrayBuffer(length);
    await take(new Uint8Array(buffer));
    await take(new Uint8Array(pad(length)));
    buffers.push(buffer);
  }
  const { bytesRead } = await handle.read(new Uint8Array(1), 0, 1, position);
  if (bytesRead !== 0) throw corrupt('longer than written');
  if (crc !== info.crc) throw corrupt(`checksum ${hex(crc)} differs from ${hex(info.crc)} taken when it was written`);
  return { skeleton, buffers };
}

function layout(encoded: EncodedValue): Uint8Array[] {
  const header = new Uint8Array(fixedHeader + 8 * encoded.buffers.length);
  header.set(magic, 0);
  const view = new DataView(header.buffer);
  view.setUint32(8, encoded.skeleton.byteLength, true);
  view.setUint32(12, encoded.buffers.length, true);
  encoded.buffers.forEach((b, i) => view.setFloat64(fixedHeader + 8 * i, b.byteLength, true));
  const parts = [header, encoded.skeleton, zeros.subarray(0, pad(encoded.skeleton.byteLength))];
  for (const buffer of encoded.buffers) parts.push(new Uint8Array(buffer), zeros.subarray(0, pad(buffer.byteLength)));
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
