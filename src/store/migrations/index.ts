import type { Migration } from 'kysely';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-transfer-certificates.ts';
import * as m0003 from './0003-enrolments.ts';
import * as m0004 from './0004-visits.ts';
import * as m0005 from './0005-deliveries.ts';
import * as m0006 from './0006-jobs.ts';
import * as m0007 from './0007-audit-chain.ts';
import * as m0008 from './0008-certificate-versions.ts';
import * as m0009 from './0009-crash-recovery.ts';
import * as m0010 from './0010-import-state.ts';
import * as m0011 from './0011-search-keys.ts';
import * as m0012 from './0012-console-sessions.ts';
import * as m0013 from './0013-visit-status.ts';
import * as m0014 from './0014-disclosure.ts';
import * as m0015 from './0015-compact-provenance.ts';
import * as m0016 from './0016-person-search-index.ts';
import * as m0017 from './0017-unpublished-persons.ts';
import * as m0018 from './0018-import-run-owner.ts';

/** Every migration, in order. A new one is a new file here; applied ones are never edited. */
export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-transfer-certificates': m0002,
  '0003-enrolments': m0003,
  '0004-visits': m0004,
  '0005-deliveries': m0005,
  '0006-jobs': m0006,
  '0007-audit-chain': m0007,
  '0008-certificate-versions': m0008,
  '0009-crash-recovery': m0009,
  '0010-import-state': m0010,
  '0011-search-keys': m0011,
  '0012-console-sessions': m0012,
  '0013-visit-status': m0013,
  '0014-disclosure': m0014,
  '0015-compact-provenance': m0015,
  '0016-person-search-index': m0016,
  '0017-unpublished-persons': m0017,
  '0018-import-run-owner': m0018,
};
