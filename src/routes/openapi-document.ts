/** Operation ids of the routes that do not name one themselves (a test fails on a route with none). */
const OPERATION_IDS: Record<string, string> = {
  'GET /healthz': 'getHealth',
  'GET /readyz': 'getReadiness',
  'GET /metrics': 'getMetrics',
  'POST /v1/imports': 'createImport',
  'GET /v1/imports': 'listImports',
  'GET /v1/imports/{id}': 'getImport',
  'GET /v1/imports/{id}/rejects': 'listImportRejects',
  'GET /v1/residents': 'searchResidents',
  'GET /v1/residents/{id}': 'getResident',
  'GET /v1/residents/{id}/enrolments': 'listResidentEnrolments',
  'GET /v1/households/{id}': 'getHousehold',
  'GET /v1/transfer-certificates': 'searchTransferCertificates',
  'GET /v1/transfer-certificates/{id}': 'getTransferCertificate',
  'POST /v1/visits': 'openVisit',
  'GET /v1/visits/{id}': 'getVisit',
  'GET /v1/visits/{id}/procedures': 'listVisitProcedures',
  'POST /v1/visits/{id}/extra-forms': 'addExtraForm',
  'GET /v1/visits/{id}/forms/{formId}': 'prefillForm',
  'GET /v1/visits/{id}/write-count': 'getWriteCount',
  'POST /v1/visits/{id}/submissions': 'acceptSubmission',
  'GET /v1/submissions/{id}': 'getSubmission',
  'POST /v1/submissions/{id}/redeliver': 'redeliverSubmission',
  'GET /v1/jobs': 'listJobs',
  'GET /v1/jobs/runs': 'listJobRuns',
  'POST /v1/jobs/{name}/run': 'runJob',
  'GET /v1/adapters': 'listAdapters',
  'GET /v1/audit': 'listAudit',
  'GET /v1/audit/verify': 'verifyAudit',
};

/** Request bodies that are bytes, not JSON: the media types each route takes. */
const BINARY_BODIES: Record<string, string[]> = {
  'POST /v1/imports': ['application/octet-stream', 'text/csv', 'text/plain', 'application/xml', 'text/xml'],
  'PUT /v1/submissions/{id}/signature': ['image/png'],
};

/** Headers the auth plugin reads on every /v1 route (README: purpose, staff, restricted access). */
const V1_HEADERS = [
  { name: 'x-staff-id', description: 'the staff member at the counter; recorded in the audit' },
  { name: 'x-visit-id', description: 'a visit of this client: the purpose of a personal-data read' },
  {
    name: 'x-purpose',
    description: 'why personal data is read (percent-encoded UTF-8), when no X-Visit-Id is given',
  },
  {
    name: 'x-restricted-access',
    description: 'admin only: the reason to see a restricted person in full; audited',
  },
];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string; required?: boolean; schema?: Json; description?: string }[];
  requestBody?: Json;
  responses?: Record<string, { description?: string; content?: Record<string, Json> }>;
}

/**
 * Finishes the OpenAPI document for generated clients: every operation has an operationId,
 * paging and other defaulted query parameters are optional, the headers the hub reads on every
 * /v1 route are declared (Idempotency-Key required where it is), byte uploads have request
 * bodies, errors are `application/problem+json`, and `servers` names where the hub listens.
 */
export function finishOpenApiDocument<T extends Json>(doc: T): T {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      op.operationId ??= OPERATION_IDS[key];
      op.parameters ??= [];
      const params = op.parameters;
      for (const p of params) {
        if (p.in === 'query' && p.schema && 'default' in p.schema) p.required = false;
        if (p.in === 'header' && p.name === 'idempotency-key') p.required = true;
      }
      if (path.startsWith('/v1/')) {
        for (const h of V1_HEADERS) {
          if (!params.some((p) => p.in === 'header' && p.name === h.name))
            params.push({
              in: 'header',
              name: h.name,
              required: false,
              schema: { type: 'string' },
              description: h.description,
            });
        }
      }
      if (params.length === 0) delete op.parameters;
      const binary = BINARY_BODIES[key];
      if (binary) {
        op.requestBody = {
          required: true,
          content: Object.fromEntries(
            binary.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
          ),
        };
      }
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json) {
          response.content = { 'application/problem+json': json };
          response.description = 'RFC 9457 problem details with a stable code (docs/errors.md)';
        }
        if (status === '200' && response.content?.['image/png'])
          response.content = { 'image/png': { schema: { type: 'string', format: 'binary' } } };
        if (response.description === 'Default Response') response.description = 'OK';
      }
    }
  }
  return {
    ...doc,
    servers: [
      {
        url: 'http://127.0.0.1:3000',
        description: 'a hub on this machine (`npm run demo`); point a client at your own hub',
      },
    ],
  };
}
