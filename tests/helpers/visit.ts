import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app.ts';
import { auth, keys } from './app.ts';
import { bytesSource, root } from './files.ts';

/** Imports the 茅ヶ崎 family's 転出証明書 and opens a 転入 visit for it (as admin); its id. */
export async function openChigasakiVisit(app: App): Promise<string> {
  const xml = readFileSync(path.join(root, 'fixtures', 'tenshutsu-xml', 'chigasaki-family.xml'));
  await app.hub.importFile(bytesSource(xml, 'chigasaki-family.xml'), { adapter: 'tenshutsu-xml' });
  const cert = (await app.hub.certificates.search({ number: 'R8-000123', limit: 1, offset: 0 })).items[0]!;
  const visit = await app.inject({
    method: 'POST',
    url: '/v1/visits',
    headers: auth(keys.admin),
    payload: {
      lifeEvent: 'tennyu',
      identity: { method: 'mynumber-card', verifiedBy: 'staff-1' },
      consent: { given: true },
      subjects: { transferCertificateId: cert.id },
      referenceDate: '2026-04-01',
    },
  });
  return visit.json().id;
}
