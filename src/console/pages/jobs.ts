import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../errors.ts';
import { badge, jobStatusLabels, time, url } from '../format.ts';
import { html } from '../html.ts';
import { csrfField, page } from '../layout.ts';
import { noticeOf } from '../notices.ts';
import { contextOf } from '../request-context.ts';

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join('、');
}

export const jobsPage: FastifyPluginAsync = async (app) => {
  const { jobs } = app.hub;

  app.get('/jobs', async (request, reply) => {
    const ctx = contextOf(request, noticeOf(request.query as Record<string, string>));
    const [overview, recent] = await Promise.all([jobs.overview(), jobs.runs(undefined, 20, 0)]);
    const body = html`
${
  overview.length === 0
    ? html`<p>ジョブは設定されていません。HUB_CONFIG の <code>jobs</code> に取込（inbound）と配信（outbound）のジョブを書きます。</p>`
    : html`<table>
<thead><tr><th scope="col">ジョブ</th><th scope="col">種類</th><th scope="col">スケジュール</th><th scope="col">前回</th><th scope="col">次回</th><th scope="col">操作</th></tr></thead>
<tbody>${overview.map(
        (j) => html`<tr>
<th scope="row">${j.name}</th>
<td>${j.kind === 'inbound' ? html`取込（${j.adapter}）` : '配信'}</td>
<td><code>${j.schedule}</code></td>
<td>${j.lastRun ? html`${badge(j.lastRun.status, jobStatusLabels)} ${time(j.lastRun.startedAt)}${j.lastRun.error ? html`<br><span class="err">${j.lastRun.error}</span>` : ''}` : '未実行'}</td>
<td>${time(j.nextRun)}</td>
<td><form method="post" action="/console/jobs/${j.name}/run">${csrfField(ctx)}<button type="submit" aria-label="ジョブ ${j.name} を今すぐ実行">今すぐ実行</button></form></td>
</tr>`,
      )}</tbody></table>`
}
<h2>最近の実行</h2>
${
  recent.items.length === 0
    ? html`<p>実行記録はありません。</p>`
    : html`<table>
<thead><tr><th scope="col">開始</th><th scope="col">ジョブ</th><th scope="col">きっかけ</th><th scope="col">状態</th><th scope="col">件数</th><th scope="col">エラー</th></tr></thead>
<tbody>${recent.items.map(
        (r) => html`<tr>
<td>${time(r.startedAt)}</td><th scope="row">${r.job}</th>
<td>${{ schedule: 'スケジュール', api: 'API・画面', cli: 'コマンド' }[r.trigger]}</td>
<td>${badge(r.status, jobStatusLabels)}</td>
<td>${countsText(r.counts) || '—'}</td>
<td class="err">${r.error ?? '—'}</td>
</tr>`,
      )}</tbody></table>`
}`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'jobs', 'ジョブ', body));
  });

  app.post('/jobs/:name/run', async (request, reply) => {
    const { name } = request.params as { name: string };
    if (!jobs.list().some((j) => j.name === name))
      throw new HubError('HUB_ERR_NOT_FOUND', { what: `ジョブ ${name}` });
    const run = await jobs.run(name, 'api');
    return reply.redirect(url('/console/jobs', { notice: 'job-run', job: name, status: run.status }), 303);
  });
};
