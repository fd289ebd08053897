import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { FieldProvenance, Provenance } from '../schemas/common.ts';
import type { EnrolmentRecord } from '../schemas/enrolment.ts';
import type { SubmissionRecord } from '../schemas/form.ts';
import type { ImportCounts, ImportStatus, ImportWarning, RejectEntry } from '../schemas/import-run.ts';
import type { PersonRecord } from '../schemas/person.ts';
import type { TransferPersonRecord } from '../schemas/transfer-certificate.ts';
import type { VisitRecord } from '../schemas/visit.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/**
 * Provenance as stored: one source for the record (every field of a row comes from the same
 * file and line) and the source column of each canonical field. Expanded per field on read.
 */
export interface StoredProvenance {
  source: Omit<FieldProvenance, 'column'>;
  columns: Record<string, string>;
}

/**
 * The per-field provenance of the API, from the stored form: the run's column map holds every
 * field the mapping can fill; a person shows those its record has.
 */
export function expandProvenance(stored: StoredProvenance, record?: object): Provenance {
  const out: Provenance = {};
  for (const [path, column] of Object.entries(stored.columns)) {
    if (record && !hasPath(record, path)) continue;
    out[path] = { ...stored.source, column };
  }
  return out;
}

function hasPath(record: object, path: string): boolean {
  return hasPathParts(record, path.split('.'));
}

/** Whether `record` has a value (not undefined) at the field path given as its parts. */
export function hasPathParts(record: object, parts: readonly string[]): boolean {
  let node: unknown = record;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[part];
  }
  return node !== undefined;
}

export interface PersonsTable {
  id: string;
  source_key: string;
  municipality_code: string;
  atena_no: string;
  household_id: string | null;
  household_order: number | null;
  resident_code: string | null;
  status: string;
  kana_key: string;
  name_key: string;
  /** Kana and name as written (spaces removed), to rank exact matches first. */
  kana_exact: string;
  name_exact: string;
  /** The address match key (src/normalize/address-key.ts). */
  address_key: string;
  birth_iso: string | null;
  restricted: boolean;
  record: Json<PersonRecord>;
  /** The run's column map (`provenance_maps`); the run is `last_import_id`, the line `source_line`. */
  provenance_map: string;
  source_line: number;
  record_hash: string;
  /** SHA-256 of the mapping fingerprint and the raw row: an unchanged row is skipped before mapping. */
  raw_hash: string | null;
  missing_since: Timestamp | null;
  last_import_id: string;
  /**
   * The run that inserted this person; while that run is in `unpublished_runs` readers do not
   * see the person (src/store/published.ts).
   */
  inserted_by_run: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A run whose new persons are written but not yet shown (migration 0017). */
export interface UnpublishedRunsTable {
  import_id: string;
}

/** A person with its provenance expanded to the stored form (view `person_records`). */
export interface PersonRecordsView extends PersonsTable {
  provenance: ColumnType<StoredProvenance, never, never>;
}

/** A run's column map: canonical field → source column as the file spelled it. */
export interface ProvenanceMapsTable {
  id: string;
  columns: Json<Record<string, string>>;
}

export interface ImportRunsTable {
  id: string;
  adapter: string;
  file_name: string;
  sha256: string;
  bytes: ColumnType<string | number, number, number>;
  encoding: string | null;
  encoding_detected: boolean | null;
  mode: 'full' | 'delta';
  status: ImportStatus;
  duplicate_of: string | null;
  counts: Json<ImportCounts>;
  warnings: Json<ImportWarning[]> | null;
  mapping_fingerprint: string | null;
  error: Json<RejectEntry> | null;
  client_id: string | null;
  /** The process running it while `running` (see `src/runtime/owner.ts`). */
  owner: ColumnType<string | null, string | null | undefined, string | null>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

/** The sources (e.g. `person/<市区町村コード>`) whose state a run wrote. */
export interface ImportRunSourcesTable {
  import_id: string;
  source: string;
}

export interface ImportRejectsTable {
  id: Generated<number>;
  import_id: string;
  line: number;
  col: number | null;
  field: string | null;
  code: string;
  message: string;
  raw: Uint8Array | null;
  restricted: Generated<boolean>;
}

export interface ImportSeenTable {
  import_id: string;
  source_key: string;
  line: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  client_id: string;
  staff_id: string | null;
  visit_id: string | null;
  purpose: string | null;
  action: string;
  subjects: Json<string[]>;
  fields: Json<string[]>;
  restricted_reason: string | null;
  request_id: string | null;
  /** The row's place in the chain: 1, 2, 3, … without gaps. */
  seq: number;
  prev_hash: string;
  hash: string;
}

/** One row (`id` = 1): the chain's last place and hash; every append locks it. */
export interface AuditChainHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface VisitsTable {
  id: string;
  client_id: string;
  created_at: Timestamp;
  life_event: string;
  reference_date: string;
  record: Json<VisitRecord>;
  /** The counter day in Japan the visit was opened on. */
  visit_date: Generated<string>;
  staff_id: string | null;
  status: Generated<'open' | 'completed' | 'cancelled'>;
  closed_at: Timestamp | null;
  closed_by: string | null;
  close_reason: string | null;
}

export interface FormSubmissionsTable {
  id: string;
  visit_id: string;
  form_id: string;
  record: Json<SubmissionRecord>;
  created_at: Timestamp;
}

export interface TransferCertificatesTable {
  id: string;
  source_key: string;
  number: string;
  record: Json<TransferCertificateRecord>;
  record_hash: string;
  status: 'pending' | 'registered';
  import_id: string;
  file_name: string;
  as_of: Timestamp;
  updated_at: Timestamp;
  /** 1 for the first import; each import with other content under the same number adds one. */
  version: Generated<number>;
}

/** Every version's whole content (certificate and persons), kept when a later one replaces it. */
export interface TransferCertificateVersionsTable {
  certificate_id: string;
  version: number;
  record: Json<{ certificate: TransferCertificateRecord; persons: unknown[] }>;
  record_hash: string;
  import_id: string;
  file_name: string;
  as_of: Timestamp;
}

/** The certificate's own fields, as stored (persons are rows of their own). */
export type TransferCertificateRecord = TransferPersonRecord['certificate'];

export interface TransferPersonsTable {
  id: string;
  certificate_id: string;
  position: number;
  resident_code: string | null;
  kana_key: string;
  name_key: string;
  birth_iso: string | null;
  record: Json<Omit<TransferPersonRecord, 'certificate'>>;
  matched_person_id: string | null;
}

export interface EnrolmentsTable {
  id: string;
  source_key: string;
  program: string;
  atena_no: string;
  person_id: string | null;
  record: Json<EnrolmentRecord>;
  record_hash: string;
  provenance: Json<{ adapter: string; importId: string; file: string; line: number; asOf: string }>;
  updated_at: Timestamp;
}

export type { SubmissionRecord };

export interface SubmissionSignaturesTable {
  submission_id: string;
  png: Buffer;
  sha256: string;
  width: number;
  height: number;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  client_id: string;
  key: string;
  body_hash: string;
  state: 'in-flight' | 'done';
  response: Json<unknown> | null;
  created_at: Generated<Date>;
  /** The process running the request while `in-flight` (see `src/runtime/owner.ts`). */
  owner: string | null;
}

export interface DeliveriesTable {
  id: string;
  submission_id: string;
  target: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: number;
  next_attempt_at: Timestamp;
  claimed_until: Timestamp | null;
  last_error: string | null;
  artifact: Json<{ path: string; sha256: string; rows: number }> | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
  /** The process whose claim `claimed_until` is. */
  claimed_by: string | null;
  /** The file this delivery's batch writes, fixed before writing so a retry finishes that file. */
  file_name: string | null;
  file_sha256: string | null;
  file_rows: number | null;
  /** `intent`: planned, maybe written or renamed; `renamed`: the final file exists. */
  file_stage: 'intent' | 'renamed' | null;
}

export interface JobRunsTable {
  id: string;
  job: string;
  trigger: 'schedule' | 'api' | 'cli';
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  counts: Json<Record<string, number>>;
  error: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface JobFilesTable {
  job: string;
  name: string;
  size: ColumnType<string | number, number, number>;
  mtime_ms: ColumnType<string | number, number, number>;
}

export interface ConsoleSessionsTable {
  /** SHA-256 of the session token (the cookie carries the token itself). */
  id: string;
  client_id: string;
  scopes: Json<string[]>;
  csrf: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
}

/** Rows of a running person import, loaded by COPY and merged into `persons` at its end. */
export interface ImportStagingTable {
  import_id: string;
  line: number;
  source_key: string;
  person_id: string | null;
  municipality_code: string | null;
  atena_no: string | null;
  household_id: string | null;
  household_order: number | null;
  resident_code: string | null;
  status: string | null;
  kana_key: string | null;
  name_key: string | null;
  kana_exact: string | null;
  name_exact: string | null;
  address_key: string | null;
  birth_iso: string | null;
  restricted: boolean | null;
  record: Json<PersonRecord> | null;
  record_hash: string | null;
  raw_hash: string | null;
  provenance_map: string | null;
}

export interface Database {
  persons: PersonsTable;
  person_records: PersonRecordsView;
  provenance_maps: ProvenanceMapsTable;
  import_runs: ImportRunsTable;
  import_rejects: ImportRejectsTable;
  import_run_sources: ImportRunSourcesTable;
  import_seen: ImportSeenTable;
  import_staging: ImportStagingTable;
  unpublished_runs: UnpublishedRunsTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
  visits: VisitsTable;
  transfer_certificates: TransferCertificatesTable;
  transfer_persons: TransferPersonsTable;
  transfer_certificate_versions: TransferCertificateVersionsTable;
  enrolments: EnrolmentsTable;
  form_submissions: FormSubmissionsTable;
  submission_signatures: SubmissionSignaturesTable;
  idempotency_keys: IdempotencyKeysTable;
  deliveries: DeliveriesTable;
  job_runs: JobRunsTable;
  job_files: JobFilesTable;
  console_sessions: ConsoleSessionsTable;
}

export type PersonRow = Selectable<PersonRecordsView>;
export type NewPersonRow = Insertable<PersonsTable>;
export type ImportRunRow = Selectable<ImportRunsTable>;
