import type { Migration } from 'kysely';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-transfer-certificates.ts';
import * as m0003 from './0003-enrolments.ts';
import * as m0004 from './0004-visits.ts';
import * as m0005 from './0005-deliveries.ts';
import * as m0006 from './0006-jobs.ts';
import * as m0007 from './0007-audit-chain.ts';
import * as m0014 from './0014-disclosure.ts';

/** Every migration, in order. A new one is a new file here; applied ones are never edited. */
export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-transfer-certificates': m0002,
  '0003-enrolments': m0003,
  '0004-visits': m0004,
  '0005-deliveries': m0005,
  '0006-jobs': m0006,
  '0007-audit-chain': m0007,
  '0014-disclosure': m0014,
};
