/**
 * Spill traffic of a finished run, from the `events.ndjson` that `skyloom run --out` writes:
 * bytes written to spill files ('spill-out'), bytes read back ('spill-in'), and the bytes that had to
 * leave memory — each distinct ref read back at least once, counted once at its size. A value written
 * but never read back did not have to be written (it could have been let go of); a value written twice
 * was written once too often. Streams the file: an lsst run has millions of events.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface SpillTraffic {
  readonly writtenBytes: number;
  readonly readBackBytes: number;
  /** Sum over distinct refs with at least one 'spill-in' of that ref's size. */
  readonly hadToLeaveBytes: number;
  readonly refsWritten: number;
  readonly refsReadBack: number;
}

interface SpillEvent {
  readonly type?: string;
  readonly ref?: string;
  readonly bytes?: number;
}

export async function spillTraffic(eventsFile: string): Promise<SpillTraffic> {
  let writtenBytes = 0;
  let readBackBytes = 0;
  const written = new Set<string>();
  const readBack = new Map<string, number>();
  for await (const line of createInterface({ input: createReadStream(eventsFile, 'utf8'), crlfDelay: Infinity })) {
    if (!line.includes('"spill-')) continue; // cheap skip before parsing
    const e = JSON.parse(line) as SpillEvent;
    if (typeof e.ref !== 'string' || typeof e.bytes !== 'number') continue;
    if (e.type === 'spill-out') {
      writtenBytes += e.bytes;
      written.add(e.ref);
    } else if (e.type === 'spill-in') {
      readBackBytes += e.bytes;
      readBack.set(e.ref, Math.max(readBack.get(e.ref) ?? 0, e.bytes));
    }
  }
  let hadToLeaveBytes = 0;
  for (const bytes of readBack.values()) hadToLeaveBytes += bytes;
  return { writtenBytes, readBackBytes, hadToLeaveBytes, refsWritten: written.size, refsReadBack: readBack.size };
}
