import { createHash } from 'node:crypto';
import type { SubmissionToWrite } from '../sdk/write-adapter.ts';

/**
 * POSTs one submission to the target system's API as JSON, with `Idempotency-Key` = the
 * delivery id, so that a retried request is applied once by the receiver. Any answer but 2xx
 * is a failure (and retried with backoff).
 */
export async function deliverOverHttp(
  transport: { url: string; headers?: Record<string, string> },
  deliveryId: string,
  submission: SubmissionToWrite,
): Promise<{ path: string; sha256: string; rows: number }> {
  const body = JSON.stringify({
    deliveryId,
    submissionId: submission.id,
    formId: submission.formId,
    acceptedAt: submission.createdAt,
    values: submission.record.values,
  });
  const res = await fetch(transport.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': deliveryId, ...transport.headers },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${new URL(transport.url).host}`);
  return { path: transport.url, sha256: createHash('sha256').update(body).digest('hex'), rows: 1 };
}
