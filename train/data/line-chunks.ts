/**
 * Reads a byte range of a file as a sequence of buffers that each hold only whole
 * lines, using positioned reads (never the whole file). A line cut by a read is carried
 * into the next buffer; the range's last line may lack its newline. Shared by the task
 * cutter (which only counts lines) and the batch readers (which parse them).
 */
import { open } from "node:fs/promises";

/** Whole lines: buf[0..end) starts at file offset `position`. Valid until the next chunk is requested. */
export interface LineChunk {
  readonly buf: Buffer;
  readonly end: number;
  readonly position: number;
}

/** Default bytes per read. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Yields the whole lines of file bytes [byteStart, byteEnd), a chunk at a time. @internal */
export async function* lineChunks(
  path: string,
  byteStart: number,
  byteEnd: number,
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
): AsyncGenerator<LineChunk> {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  if (byteEnd <= byteStart) return;
  const handle = await open(path, "r");
  try {
    let buf = Buffer.allocUnsafe(Math.min(chunkBytes, byteEnd - byteStart));
    let carried = 0;
    let bufPosition = byteStart;
    let readPosition = byteStart;
    while (readPosition < byteEnd) {
      if (carried === buf.length) {
        // One line longer than the buffer: grow it.
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, carried);
        buf = grown;
      }
      const want = Math.min(buf.length - carried, byteEnd - readPosition);
      const { bytesRead } = await handle.read(buf, carried, want, readPosition);
      if (bytesRead === 0) break; // The file is shorter than the range: stop at its end.
      readPosition += bytesRead;
      const filled = carried + bytesRead;
      const lastNewline = buf.lastIndexOf(10, filled - 1);
      if (lastNewline < 0) {
        carried = filled;
        continue;
      }
      const end = lastNewline + 1;
      yield { buf, end, position: bufPosition };
      carried = filled - end;
      buf.copy(buf, 0, end, filled);
      bufPosition += end;
    }
    if (carried > 0) yield { buf, end: carried, position: bufPosition };
  } finally {
    await handle.close();
  }
}
