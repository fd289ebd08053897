/**
 * The legacy fixed-width reader against raw byte splitting of the same bytes: records cut on
 * line breaks and every field sliced by its byte offsets, nothing decoded. Medians of 3. The
 * ratio is of CPU time (this process's user + system): on a shared machine wall time mostly
 * measures the neighbours; the wall-time ratio is reported beside it.
 */
import { decodeBytes } from '../src/parsers/decode.ts';
import { readFixedWidth } from '../src/parsers/fixed-width.ts';
import { splitLines } from '../src/parsers/lines.ts';
import { legacyFixedBytes, legacyLayout } from './legacy-fixed-file.ts';
import { chunks, medianOf } from './measure.ts';

export interface FixedWidthFigures {
  rows: number;
  readerRowsPerSecond: number;
  splitRowsPerSecond: number;
  /** Reader CPU time / splitting CPU time: the target is ≤ 3. */
  ratio: number;
  /** The same by wall time. */
  wallRatio: number;
  /** Reader CPU time / (splitting + decoding each record once): what decoding itself costs. */
  ratioToSplitAndDecode: number;
}

export async function fixedWidthReader(rows: number): Promise<FixedWidthFigures> {
  const layout = legacyLayout();
  const bytes = legacyFixedBytes(layout, rows);
  const fields = Object.values(layout.records).flatMap((r) => r.fields);
  const split = async (decode: boolean) => {
    let n = 0;
    for await (const line of splitLines(chunks(bytes))) {
      if (line.bytes.length === 0) continue;
      for (const f of fields) n += line.bytes.subarray(f.start - 1, f.start - 1 + f.length).length;
      if (decode && 'invalid' in decodeBytes(line.bytes, 'cp932')) throw new Error('invalid bytes');
    }
    return n;
  };
  const read = async () => {
    let n = 0;
    for await (const item of readFixedWidth(chunks(bytes), layout, 'cp932')) {
      if (item.kind !== 'record') throw new Error(`line ${item.line}: ${item.code}`);
      n++;
    }
    if (n !== rows + 2) throw new Error(`read ${n} records`);
    return n;
  };
  // One untimed pass of each warms the JIT, so that small sizes measure steady code too.
  await split(true);
  await read();
  const s = await medianOf(3, () => split(false));
  const d = await medianOf(3, () => split(true));
  const r = await medianOf(3, read);
  return {
    rows,
    readerRowsPerSecond: Math.round(rows / (r.ms / 1000)),
    splitRowsPerSecond: Math.round(rows / (s.ms / 1000)),
    ratio: r.cpuUs / s.cpuUs,
    wallRatio: r.ms / s.ms,
    ratioToSplitAndDecode: r.cpuUs / d.cpuUs,
  };
}
