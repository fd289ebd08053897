import type { TSchema } from '@sinclair/typebox';
import { LifeEvent } from '../procedures/rules.ts';
import { Address } from './address.ts';
import { AuditChainLink, AuditProblem, AuditRecord, AuditVerification } from './audit.ts';
import { FieldProvenance, HubDate, Problem, Provenance } from './common.ts';
import { Delivery } from './delivery.ts';
import { Enrolment, Program } from './enrolment.ts';
import { ImportCounts, ImportRun, ImportStatus, Reject, RejectEntry } from './import-run.ts';
import { Household, Person, PersonName, PersonStatus } from './person.ts';
import { TransferCertificate, TransferPerson } from './transfer-certificate.ts';
import { Visit, VisitInput } from './visit.ts';

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
  LifeEvent,
  VisitInput,
  Visit,
  Delivery,
  AuditChainLink,
  AuditRecord,
  AuditProblem,
  AuditVerification,
];
