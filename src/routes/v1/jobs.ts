import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Limits, problems } from '../common.ts';

const JobRun = Type.Object({
  id: Type.String(),
  job: Type.String(),
  trigger: Type.Union([Type.Literal('schedule'), Type.Literal('api'), Type.Literal('cli')]),
  status: Type.Union([
    Type.Literal('running'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
  ]),
  counts: Type.Record(Type.String(), Type.Integer()),
  error: Type.Optional(Type.String()),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { jobs } = app.hub;

  app.get(
    '/jobs',
    {
      config: { scope: 'jobs:run' },
      schema: {
        tags: ['operations'],
        summary: 'The jobs declared in HUB_CONFIG',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                name: Type.String(),
                kind: Type.String(),
                schedule: Type.String(),
                adapter: Type.Optional(Type.String()),
                dir: Type.Optional(Type.String()),
              }),
            ),
            total: Type.Integer(),
          }),
          ...problems(401, 403),
        },
      },
    },
    async () => {
      const items = jobs.list();
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
          200: Type.Object({ items: Type.Array(JobRun), total: Type.Integer() }),
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
        response: { 200: JobRun, ...problems(401, 403, 404) },
      },
    },
    async (request) => jobs.run(request.params.name, 'api'),
  );
};
