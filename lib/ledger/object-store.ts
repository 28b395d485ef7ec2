import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ErrorCode, SkyloomError } from '../errors.ts';

/**
 * Content-addressed objects of a run directory: `objects/ab/cdef…`, named by the SHA-1 of their bytes,
 * written crash-safely by write-file-atomic (temp file, fsync, rename), so a file under its name is
 * always complete; reading re-hashes and fails with `SKY_LEDGER_OBJECT` rather than return wrong bytes.
 * Knows nothing of what the bytes mean (see `value-codec.ts`).
 */
export class ObjectStore {
  readonly #dir: string;

  constructor(runDir: string) {
    this.#dir = join(runDir, 'objects');
  }

  static idOf(bytes: Uint8Array): string {
    return createHash('sha1').update(bytes).digest('hex');
  }

  path(id: string): string {
    return join(this.#dir, id.slice(0, 2), id.slice(2));
  }

  has(id: string): boolean {
    return existsSync(this.path(id));
  }

  /** Writes `bytes` under their id unless already there; returns the id. */
  write(bytes: Uint8Array, id = ObjectStore.idOf(bytes)): string {
    const file = this.path(id);
    if (existsSync(file)) return id;
    mkdirSync(join(this.#dir, id.slice(0, 2)), { recursive: true });
    writeFileAtomic.sync(file, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fsync: true });
    return id;
  }

  /** The bytes of object `id`, checked against their name. Throws `SKY_LEDGER_OBJECT` if missing or corrupt. */
  read(id: string): Buffer {
    const file = this.path(id);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      throw new SkyloomError(ErrorCode.LedgerObject, `ledger object ${id} is missing (${file})`, { ref: id, cause });
    }
    if (ObjectStore.idOf(bytes) !== id) throw new SkyloomError(ErrorCode.LedgerObject, `ledger object ${id} is corrupt (${file}): its content does not match its checksum`, { ref: id });
    return bytes;
  }
}
