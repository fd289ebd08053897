import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.ts';
import { twentyMegabyteLine } from '../../fixtures/hostile/generate.ts';
import type { ReadItem } from '../../src/sdk/adapter.ts';

const juki = adapters.find((a) => a.manifest.id === 'juki-standard-csv')!;

async function readTimed(bytes: Buffer): Promise<{ items: ReadItem[]; ms: number }> {
  const started = performance.now();
  const items: ReadItem[] = [];
  for await (const item of juki.read(
    (async function* () {
      for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
    })(),
    { fileName: 'long.csv', config: {} },
  ))
    items.push(item);
  return { items, ms: performance.now() - started };
}

describe('parsers are linear in line length', () => {
  it('reads a 20 MB line in 64 KiB chunks in under 2 s (it took 8.6 s)', async () => {
    const { items, ms } = await readTimed(twentyMegabyteLine().bytes);
    expect(items.map((i) => i.kind)).toEqual(['meta', 'reject']);
    expect(items[1]).toMatchObject({ line: 2, code: 'HUB_ERR_COLUMN_COUNT' });
    expect(ms).toBeLessThan(2000);
  });

  it('finds an invalid byte at the end of a 20 MB line in under 2 s (it took 23 s)', async () => {
    const bytes = Buffer.concat([twentyMegabyteLine().bytes, Buffer.from([0xe3, 0x41])]);
    const { items, ms } = await readTimed(bytes);
    const reject = items.find((i) => i.kind === 'reject');
    expect(reject).toMatchObject({ line: 2, code: 'HUB_ERR_INVALID_BYTES' });
    expect((reject as { message: string }).message).toContain('0xe3 41');
    expect(ms).toBeLessThan(2000);
  });
});
