import type { TSchema } from '@sinclair/typebox';
import { FieldCategory, FieldType, FormField } from '../prefill/forms.ts';
import { LifeEvent } from '../procedures/rules.ts';
import { Address } from './address.ts';
import { AuditChainLink, AuditProblem, AuditRecord, AuditVerification } from './audit.ts';
import { ErrorCode, FieldProvenance, HubDate, Problem, Provenance } from './common.ts';
import { ConsolidatedApplication, ConsolidatedSignature, ConsolidatedSignInput } from './consolidated.ts';
import { Delivery } from './delivery.ts';
import { Enrolment, Program } from './enrolment.ts';
import {
  CategoryCount,
  CountTotals,
  DeliverySummary,
  FieldValue,
  FormCount,
  Handoff,
  PrefilledField,
  PrefilledForm,
  SignatureImage,
  Submission,
  SubmissionInput,
  SubmissionSummary,
  ValueSource,
  WriteCount,
} from './form.ts';
import { ImportCounts, ImportRun, ImportStatus, ImportWarning, Reject, RejectEntry } from './import-run.ts';
import { Dashboard, DeliveryStatus, JobInfo, JobRun, OutboxDelivery, RedeliverResult } from './operations.ts';
import { Household, Person, PersonName, PersonStatus } from './person.ts';
import { FormDefinition, TargetInfo } from './target.ts';
import { TransferCertificate, TransferPerson } from './transfer-certificate.ts';
import {
  CloseVisitInput,
  ExtraForm,
  ExtraFormInput,
  Procedure,
  ProcedureProgress,
  Visit,
  VisitInput,
  VisitProcedures,
  VisitProgress,
  VisitStatus,
  VisitSubjects,
  VisitSummary,
} from './visit.ts';

/** Every schema with an `$id`, registered with Fastify so that routes and OpenAPI share them. */
export const allSchemas: TSchema[] = [
  HubDate,
  FieldProvenance,
  Provenance,
  ErrorCode,
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
  ImportWarning,
  ImportRun,
  TransferPerson,
  TransferCertificate,
  Program,
  Enrolment,
  LifeEvent,
  VisitStatus,
  VisitSubjects,
  VisitInput,
  ExtraFormInput,
  ExtraForm,
  Visit,
  VisitSummary,
  CloseVisitInput,
  ProcedureProgress,
  VisitProgress,
  Procedure,
  VisitProcedures,
  Delivery,
  DeliveryStatus,
  OutboxDelivery,
  RedeliverResult,
  JobRun,
  JobInfo,
  Dashboard,
  FieldCategory,
  FieldType,
  FieldValue,
  ValueSource,
  Handoff,
  PrefilledField,
  PrefilledForm,
  CategoryCount,
  FormCount,
  CountTotals,
  WriteCount,
  SubmissionInput,
  SignatureImage,
  Submission,
  DeliverySummary,
  SubmissionSummary,
  FormField,
  FormDefinition,
  TargetInfo,
  ConsolidatedSignature,
  ConsolidatedSignInput,
  ConsolidatedApplication,
  AuditChainLink,
  AuditRecord,
  AuditProblem,
  AuditVerification,
];
