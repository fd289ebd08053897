import type { TSchema } from '@sinclair/typebox';
import { Address } from './address.ts';
import { FieldProvenance, HubDate, Problem, Provenance } from './common.ts';
import { Enrolment, Program } from './enrolment.ts';
import { ImportCounts, ImportRun, ImportStatus, Reject, RejectEntry } from './import-run.ts';
import { Household, Person, PersonName, PersonStatus } from './person.ts';
import { TransferCertificate, TransferPerson } from './transfer-certificate.ts';

/** Every schema with an `$id`, registered with Fastify so that routes and OpenAPI share them. */
export const allSchemas: TSchema[] = [
  HubDate,
  FieldProvenance,
  Provenance,
  Problem,
  Address,
  PersonName,
  PersonStatus,
  Person,
  Household,
  ImportCounts,
  ImportStatus,
  RejectEntry,
  Reject,
  ImportRun,
  TransferPerson,
  TransferCertificate,
  Program,
  Enrolment,
];
