import type { FastifyPluginAsync } from 'fastify';
import type { DeliveryFilter } from '../../schemas/operations.ts';
import { badge, deliveryStatusLabels, sinceOf, time, url } from '../format.ts';
import { html } from '../html.ts';
import { csrfField, page } from '../layout.ts';
import { noticeOf } from '../notices.ts';
import { offsetOf, pager, pageSize, select, textInput } from '../parts.ts';
import { contextOf, field } from '../request-context.ts';

type Query = Record<string, string | undefined>;

const statuses = Object.keys(deliveryStatusLabels);

function filterOf(q: Query): DeliveryFilter {
  const since = sinceOf(q.since);
  return {
    ...(q.status && statuses.includes(q.status) ? { status: q.status as DeliveryFilter['status'] } : {}),
    ...(q.target ? { target: q.target } : {}),
    ...(q.submission ? { submission: q.submission } : {}),
    ...(since ? { since } : {}),
  };
}

/** Where to go back after an action: this page with the filters the form carried. */
function backTo(request: { body?: unknown }, extra: Record<string, string | number>): string {
  const body = (request.body ?? {}) as Record<string, string>;
  const keep = Object.fromEntries(
    ['status', 'target', 'submission', 'since'].map((k) => [
      k,
      typeof body[`q_${k}`] === 'string' ? body[`q_${k}`] : undefined,
    ]),
  );
  return url('/console/deliveries', { ...keep, ...extra });
}

export const deliveriesPage: FastifyPluginAsync = async (app) => {
  const { deliveries, audit, targets } = app.hub;

  app.get('/deliveries', async (request, reply) => {
    const q = request.query as Query;
    const offset = offsetOf(q.offset);
    const keep = { status: q.status, target: q.target, submission: q.submission, since: q.since };
    const [list, counts] = await Promise.all([
      deliveries.list({ ...filterOf(q), limit: pageSize, offset }),
      deliveries.countsByTarget(),
    ]);
    const ctx = contextOf(request, noticeOf(q));
    const keepFields = html`${Object.entries(keep).map(([k, v]) =>
      v ? html`<input type="hidden" name="q_${k}" value="${v}">` : '',
    )}`;
    const deadByTarget = counts.filter((c) => c.status === 'dead' && c.count > 0);
    const body = html`
${
  deadByTarget.length > 0
    ? html`<section aria-labelledby="h-dead" class="attention">
<h2 id="h-dead">停止した配信の一括再送</h2>
<p>送信先の障害（フォルダの権限、SFTP サーバ、API）を直してから再送してください。各行に受付IDが入っているため、取込側は重複を読み飛ばせます。</p>
<ul class="bulk">${deadByTarget.map(
        (
          c,
        ) => html`<li><form method="post" action="/console/deliveries/redeliver-dead">${csrfField(ctx)}${keepFields}
<input type="hidden" name="target" value="${c.target}">
<button type="submit">${c.target} の停止 ${c.count} 件を再送</button></form></li>`,
      )}</ul>
</section>`
    : ''
}
<form class="filters" method="get" action="/console/deliveries" aria-label="配信の絞り込み">
${select(
  'status',
  '状態',
  statuses.map((s) => ({ value: s, label: deliveryStatusLabels[s]! })),
  q.status,
)}
${select(
  'target',
  '送信先',
  targets.map((t) => ({ value: t.id, label: t.id })),
  q.target,
)}
${textInput('submission', '受付ID', q.submission)}
${textInput('since', 'この日以降', q.since, 'date')}
<p class="actions"><button type="submit">絞り込む</button> <a href="/console/deliveries">条件を消す</a></p>
</form>
${pager('/console/deliveries', keep, list.total, offset)}
<table class="deliveries">
<thead><tr><th scope="col">作成</th><th scope="col">送信先</th><th scope="col">様式</th><th scope="col">受付ID</th><th scope="col">状態</th><th scope="col">試行</th><th scope="col">最後のエラー</th><th scope="col">次の試行・配信</th><th scope="col">操作</th></tr></thead>
<tbody>${list.items.map(
      (d) => html`<tr id="d-${d.id}">
<td>${time(d.createdAt)}</td>
<td>${d.target}</td><td>${d.formId}</td>
<td><a href="${url('/console/deliveries', { submission: d.submissionId })}"><code>${d.submissionId}</code></a></td>
<td>${badge(d.status, deliveryStatusLabels)}</td>
<td class="n">${d.attempts}</td>
<td class="err">${d.lastError ?? '—'}</td>
<td>${d.status === 'delivered' ? time(d.deliveredAt) : time(d.nextAttemptAt)}</td>
<td>${
        d.status === 'failed' || d.status === 'dead'
          ? html`<form method="post" action="/console/deliveries/${d.id}/redeliver">${csrfField(ctx)}${keepFields}<button type="submit" aria-label="配信 ${d.id} を再送">再送</button></form>`
          : '—'
      }</td>
</tr>`,
    )}</tbody></table>`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'deliveries', '配信', body));
  });

  app.post('/deliveries/:id/redeliver', async (request, reply) => {
    const { id } = request.params as { id: string };
    const ok = await deliveries.redeliver(id);
    if (ok)
      await audit.record({
        clientId: request.consoleSession!.clientId,
        action: 'console.deliveries.redeliver',
        subjects: [],
        fields: [`delivery:${id}`],
        requestId: request.id,
      });
    return reply.redirect(backTo(request, { notice: 'redelivered', n: ok ? 1 : 0 }), 303);
  });

  app.post('/deliveries/redeliver-dead', async (request, reply) => {
    const target = field(request, 'target');
    const n = targets.some((t) => t.id === target) ? await deliveries.redeliverDead(target) : 0;
    if (n > 0)
      await audit.record({
        clientId: request.consoleSession!.clientId,
        action: 'console.deliveries.redeliver-dead',
        subjects: [],
        fields: [`target:${target}`, `count:${n}`],
        requestId: request.id,
      });
    return reply.redirect(backTo(request, { notice: 'redelivered', n }), 303);
  });
};
