import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { JobInfo, JobRun } from '../../schemas/operations.ts';
import { Limits, problems } from '../common.ts';

export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { jobs } = app.hub;

  app.get(
    '/jobs',
    {
      config: { scope: 'jobs:run' },
      schema: {
        tags: ['operations'],
        summary: 'The jobs declared in HUB_CONFIG, each with its next and last run',
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(JobInfo)), total: Type.Integer() }),
          ...problems(401, 403),
        },
      },
    },
    async () => {
      const items = await jobs.overview();
      return { items, total: items.length };
    },
  );

  app.get(
    '/jobs/runs',
    {
      config: { scope: 'jobs:run' },
      schema: {
        tags: ['operations'],
        summary: 'Run history with counts and errors, newest first',
        querystring: Type.Object({ job: Type.Optional(Type.String()), ...Limits }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(JobRun)), total: Type.Integer() }),
          ...problems(401, 403),
        },
      },
    },
    async (request) => jobs.runs(request.query.job, request.query.limit, request.query.offset),
  );

  app.post(
    '/jobs/:name/run',
    {
      config: { scope: 'jobs:run' },
      schema: {
        tags: ['operations'],
        summary: 'Run a job now',
        params: Type.Object({ name: Type.String() }),
        response: { 200: Type.Ref(JobRun), ...problems(401, 403, 404) },
      },
    },
    async (request) => jobs.run(request.params.name, 'api'),
  );
};
