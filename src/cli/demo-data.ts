import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from '../app.ts';
import { fileSource } from '../ingest/sources.ts';
import type { ImportRun } from '../schemas/import-run.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const fixture = (...p: string[]) => path.join(projectRoot, 'fixtures', ...p);

/** The target the demo breaks on purpose, so that the console has a dead delivery to show. */
export const demoBrokenTarget = 'juki-idou-csv';

export interface DemoData {
  sample: ImportRun;
  /** A change file of five sample rows, two of them made invalid: an import with rejects. */
  withRejects: ImportRun;
  /** Where the broken target writes: a plain file stands where its folder should be. */
  brokenPath?: string;
  deadDeliveries: number;
}

/** Five rows of the MADO sample with a 2月30日 birth date and an unknown 住民状態 code. */
function changeFileWithRejects(): Buffer {
  const lines = readFileSync(fixture('juki-standard-csv', 'resident_table.csv'), 'utf8')
    .replace(/^\ufeff/, '')
    .split('\n')
    .filter((l) => l !== '');
  const header = lines[0]!;
  const names = header.split(',');
  const set = (line: string, column: string, value: string) => {
    const cells = line.split(',');
    cells[names.indexOf(column)] = value;
    return cells.join(',');
  };
  const rows = lines.slice(1, 6);
  rows[1] = set(rows[1]!, '生年月日', '1980-02-30');
  rows[3] = set(rows[3]!, '住民状態', '7');
  return Buffer.from(`\ufeff${[header, ...rows].join('\n')}\n`, 'utf8');
}

function bytesSource(bytes: Buffer, fileName: string) {
  return {
    fileName,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    async *open() {
      yield bytes;
    },
  };
}

/**
 * Fills a hub with something to look at in the console: the MADO sample, a change file with
 * rejected rows, and — when a key with `admin` is given — the 茅ヶ崎 family's 転入 whose
 * 住民異動届 goes to a target broken on purpose (a file named like its folder), so that the
 * delivery is dead. Deleting that file fixes the target; redeliver then delivers it.
 */
export async function seedDemo(
  app: App,
  options: { adminKey?: string; brokenDir: string },
): Promise<DemoData> {
  const { hub } = app;
  const sample = await hub.importFile(await fileSource(fixture('juki-standard-csv', 'resident_table.csv')), {
    adapter: 'juki-standard-csv',
    clientId: 'demo',
  });
  const withRejects = await hub.importFile(bytesSource(changeFileWithRejects(), 'demo_異動_却下あり.csv'), {
    adapter: 'juki-standard-csv',
    mode: 'delta',
    clientId: 'demo',
  });
  if (!options.adminKey) return { sample, withRejects, deadDeliveries: 0 };

  await hub.importFile(await fileSource(fixture('tenshutsu-xml', 'chigasaki-family.xml')), {
    adapter: 'tenshutsu-xml',
    clientId: 'demo',
  });
  const target = hub.targets.find((t) => t.id === demoBrokenTarget)!;
  const brokenPath = path.join(options.brokenDir, demoBrokenTarget);
  mkdirSync(options.brokenDir, { recursive: true });
  rmSync(brokenPath, { recursive: true, force: true });
  writeFileSync(
    brokenPath,
    'demo: this file stands where the target folder should be, so deliveries fail. Delete it to fix the target.\n',
  );
  target.transport = { type: 'folder', dir: brokenPath };
  target.maxAttempts = 1;

  const headers = { authorization: `Bearer ${options.adminKey}` };
  const cert = (await hub.certificates.search({ number: 'R8-000123', limit: 1, offset: 0 })).items[0]!;
  const visit = await app.inject({
    method: 'POST',
    url: '/v1/visits',
    headers,
    payload: {
      lifeEvent: 'tennyu',
      identity: { method: 'mynumber-card', verifiedBy: 'demo-staff' },
      consent: { given: true },
      subjects: { transferCertificateId: cert.id },
    },
  });
  await app.inject({
    method: 'POST',
    url: `/v1/visits/${visit.json().id}/submissions`,
    headers: { ...headers, 'idempotency-key': `demo-${visit.json().id}` },
    payload: {
      formId: 'juminidou',
      values: {},
      confirmedBy: 'demo-staff',
      signatures: [{ key: 'signature', method: 'tablet' }],
    },
  });
  await hub.dispatcher.runOnce();
  const dead = await hub.deliveries.list({ status: 'dead', target: demoBrokenTarget, limit: 1, offset: 0 });
  return { sample, withRejects, brokenPath, deadDeliveries: dead.total };
}
