import type { FastifyPluginAsync } from 'fastify';
import { consolidatedRoutes } from './consolidated.ts';
import { dashboardRoutes } from './dashboard.ts';
import { deliveryRoutes } from './deliveries.ts';
import { formRoutes } from './forms.ts';
import { importRoutes } from './imports.ts';
import { jobRoutes } from './jobs.ts';
import { operationRoutes } from './operations.ts';
import { residentRoutes } from './residents.ts';
import { submissionRoutes } from './submissions.ts';
import { targetRoutes } from './targets.ts';
import { transferCertificateRoutes } from './transfer-certificates.ts';
import { visitDayRoutes } from './visit-day.ts';
import { visitRoutes } from './visits.ts';

/** Every `/v1` route; auth and the purpose rule come from the auth plugin's hooks. */
export const v1Routes: FastifyPluginAsync = async (app) => {
  await app.register(importRoutes);
  await app.register(residentRoutes);
  await app.register(transferCertificateRoutes);
  await app.register(visitRoutes);
  await app.register(visitDayRoutes);
  await app.register(formRoutes);
  await app.register(consolidatedRoutes);
  await app.register(submissionRoutes);
  await app.register(targetRoutes);
  await app.register(jobRoutes);
  await app.register(operationRoutes);
  await app.register(deliveryRoutes);
  await app.register(dashboardRoutes);
};
