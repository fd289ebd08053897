import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { FieldProvenance, Provenance } from '../schemas/common.ts';
import type { EnrolmentRecord } from '../schemas/enrolment.ts';
import type { ImportCounts, RejectEntry } from '../schemas/import-run.ts';
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

/** The per-field provenance of the API, from the stored form. */
export function expandProvenance(stored: StoredProvenance): Provenance {
  const out: Provenance = {};
  for (const [path, column] of Object.entries(stored.columns)) out[path] = { ...stored.source, column };
  return out;
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
  birth_iso: string | null;
  restricted: boolean;
  record: Json<PersonRecord>;
  provenance: Json<StoredProvenance>;
  record_hash: string;
  missing_since: Timestamp | null;
  last_import_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
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
  status: 'running' | 'succeeded' | 'unchanged' | 'failed';
  duplicate_of: string | null;
  counts: Json<ImportCounts>;
  error: Json<RejectEntry> | null;
  client_id: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
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

export interface SubmissionRecord {
  values: Record<string, unknown>;
  confirmedBy?: string;
  signatures?: { key: string; method: string }[];
  /** The visit's persons in order, as the form repeated them. */
  persons?: { id: string; order: number }[];
  lifeEvent?: string;
  referenceDate?: string;
  certificateNumber?: string;
}

export interface IdempotencyKeysTable {
  client_id: string;
  key: string;
  body_hash: string;
  state: 'in-flight' | 'done';
  response: Json<unknown> | null;
  created_at: Generated<Date>;
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

export interface Database {
  persons: PersonsTable;
  import_runs: ImportRunsTable;
  import_rejects: ImportRejectsTable;
  import_seen: ImportSeenTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
  visits: VisitsTable;
  transfer_certificates: TransferCertificatesTable;
  transfer_persons: TransferPersonsTable;
  enrolments: EnrolmentsTable;
  form_submissions: FormSubmissionsTable;
  idempotency_keys: IdempotencyKeysTable;
  deliveries: DeliveriesTable;
  job_runs: JobRunsTable;
  job_files: JobFilesTable;
}

export type PersonRow = Selectable<PersonsTable>;
export type NewPersonRow = Insertable<PersonsTable>;
export type ImportRunRow = Selectable<ImportRunsTable>;
