/** A physical line of an input file: its bytes without the line break, and its 1-based number. */
export interface RawLine {
  line: number;
  bytes: Buffer;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
}

/**
 * Splits a byte stream on LF (a CR before it is dropped). LF never occurs inside a multibyte
 * character in UTF-8, CP932 or EUC-JP, so lines can be decoded one by one. A trailing EOF byte
 * 0x1A at the very end of the file is dropped.
 */
export async function* splitLines(input: AsyncIterable<Uint8Array>): AsyncGenerator<RawLine> {
  // The bytes of a line not yet ended, as the chunks that hold them: each chunk is searched
  // once and a long line is joined once, so the work stays linear in the line's length.
  let parts: Buffer[] = [];
  let line = 0;
  let offset = 0;
  const take = (tail: Buffer): Buffer => {
    const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    parts = [];
    return bytes;
  };
  for await (const chunk of input) {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, start)) {
      const raw = take(buf.subarray(start, i));
      const bytes = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
      line++;
      yield { line, bytes, offset };
      offset += raw.length + 1;
      start = i + 1;
    }
    // Copied: the caller may reuse its chunk's memory after handing it over.
    if (start < buf.length) parts.push(Buffer.from(buf.subarray(start)));
  }
  let last = take(Buffer.alloc(0));
  if (last.length > 0 && last[last.length - 1] === 0x1a) last = last.subarray(0, last.length - 1);
  if (last.length > 0 && last[last.length - 1] === 0x0d) last = last.subarray(0, last.length - 1);
  if (last.length > 0) yield { line: line + 1, bytes: last, offset };
}

/** Reads the first `size` bytes (or the whole input when shorter) and gives back the stream whole. */
export async function peek(
  input: AsyncIterable<Uint8Array>,
  size: number,
): Promise<{ head: Buffer; complete: boolean; stream: AsyncIterable<Uint8Array> }> {
  const iterator = input[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let total = 0;
  let complete = false;
  while (total < size) {
    const next = await iterator.next();
    if (next.done) {
      complete = true;
      break;
    }
    taken.push(next.value);
    total += next.value.length;
  }
  const head = Buffer.concat(taken);
  async function* stream(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (complete) return;
    while (true) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head: head.subarray(0, Math.min(head.length, size)), complete, stream: stream() };
}
