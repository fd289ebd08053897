import type { Selectable } from 'kysely';
import { handoffOf } from '../delivery/targets.ts';
import { HubError } from '../errors.ts';
import { checkSignaturePng } from '../prefill/signature-image.ts';
import type { Submission } from '../schemas/form.ts';
import type { Database } from '../store/types.ts';
import { type Actor, type CounterDeps, loadVisit, visitAuditEntry } from './actor.ts';

function deliveryView(d: Selectable<Database['deliveries']>) {
  return {
    id: d.id,
    target: d.target,
    status: d.status,
    attempts: d.attempts,
    ...(d.last_error ? { lastError: d.last_error } : {}),
    ...(d.status === 'failed' ? { nextAttemptAt: new Date(d.next_attempt_at).toISOString() } : {}),
    ...(d.delivered_at ? { deliveredAt: new Date(d.delivered_at).toISOString() } : {}),
    ...(d.artifact ? { artifact: d.artifact } : {}),
  };
}

/**
 * A submission with its deliveries and signature image, only for the client whose visit it
 * belongs to and only when the disclosure policy lets the actor see its persons; the read is
 * audited as `action` when given.
 */
export async function readSubmission(
  deps: CounterDeps,
  actor: Actor,
  id: string,
  action?: string,
): Promise<Submission> {
  const s = await deps.submissions.getForClient(id, actor.viewer.client.id);
  if (!s) throw new HubError('HUB_ERR_NOT_FOUND', { what: '受付' });
  const persons = (s.record.persons ?? []).map((p) => ({ id: p.id }));
  await loadVisit(deps, actor, s.visit_id);
  await deps.disclosure.submission(
    actor.viewer,
    persons.map((p) => p.id),
    s,
  );
  if (action) {
    await deps.audit.record(
      visitAuditEntry(actor, s.visit_id, persons, action, [
        `${s.form_id}:${Object.keys(s.record.values).length}`,
      ]),
    );
  }
  const image = await deps.submissions.signature(id);
  const deliveries = await deps.submissions.deliveries(id);
  return {
    id: s.id,
    visitId: s.visit_id,
    formId: s.form_id,
    values: s.record.values,
    ...(s.record.confirmedBy ? { confirmedBy: s.record.confirmedBy } : {}),
    signatures: s.record.signatures ?? [],
    createdAt: new Date(s.created_at).toISOString(),
    handoff: handoffOf(deps.targets, deps.mappings.forms.get(s.form_id)!),
    ...(image
      ? {
          signatureImage: {
            bytes: image.png.length,
            width: image.width,
            height: image.height,
            sha256: image.sha256,
            createdAt: new Date(image.created_at).toISOString(),
          },
        }
      : {}),
    deliveries: deliveries.map(deliveryView),
  };
}

/** Replays a submission's failed and dead deliveries (rows carry the submission id: importers skip repeats). */
export async function redeliver(deps: CounterDeps, actor: Actor, id: string): Promise<Submission> {
  await readSubmission(deps, actor, id, 'submissions.redeliver');
  await deps.submissions.requeue(id);
  return readSubmission(deps, actor, id);
}

/** Keeps the resident's signature image (a checked, size-limited PNG) with a submission. */
export async function attachSignature(
  deps: CounterDeps,
  actor: Actor,
  id: string,
  png: Buffer,
): Promise<Submission> {
  await readSubmission(deps, actor, id, 'submissions.signature');
  const size = checkSignaturePng(png);
  await deps.submissions.saveSignature(id, png, size);
  return readSubmission(deps, actor, id, 'submissions.read');
}

/** The signature image kept with a submission. */
export async function signatureImage(deps: CounterDeps, actor: Actor, id: string): Promise<Buffer> {
  await readSubmission(deps, actor, id, 'submissions.signature.read');
  const image = await deps.submissions.signature(id);
  if (!image) throw new HubError('HUB_ERR_NOT_FOUND', { what: '署名画像' });
  return Buffer.from(image.png);
}
