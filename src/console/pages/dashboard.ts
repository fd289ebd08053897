import type { FastifyPluginAsync } from 'fastify';
import { dashboardSummary } from '../../operations/dashboard.ts';
import {
  badge,
  deliveryStatusLabels,
  duration,
  importStatusLabels,
  jobStatusLabels,
  time,
  url,
} from '../format.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { noticeOf } from '../notices.ts';
import { contextOf } from '../request-context.ts';

const chainLabels = { ok: '正常', broken: '改ざんの疑い', unverified: '未検証' } as const;

export const dashboardPage: FastifyPluginAsync = async (app) => {
  app.get('/', async (request, reply) => {
    const query = request.query as Record<string, string>;
    const d = await dashboardSummary(app.hub, { verifyAudit: query.verify === 'audit' });
    const ctx = contextOf(request, noticeOf(query));
    const attention =
      d.deliveries.dead + d.imports.filter((i) => i.status === 'failed' || i.rejected > 0).length;
    const body = html`
<section aria-labelledby="h-summary" class="cards">
  <h2 id="h-summary" class="visually-hidden">概要</h2>
  <p class="card ${d.deliveries.dead > 0 ? 'card-bad' : ''}"><a href="/console/deliveries?status=dead"><span class="num">${d.deliveries.dead}</span> 停止した配信</a></p>
  <p class="card ${d.deliveries.failed > 0 ? 'card-warn' : ''}"><a href="/console/deliveries?status=failed"><span class="num">${d.deliveries.failed}</span> 再試行待ち</a></p>
  <p class="card"><span class="num">${d.deliveries.outboxDepth}</span> 未配信（最古 ${duration(d.deliveries.oldestPendingAgeSeconds)}）</p>
  <p class="card ${attention > 0 ? 'card-warn' : ''}"><a href="/console/imports?rejects=yes"><span class="num">${d.imports.filter((i) => i.rejected > 0).length}</span> 却下行のある最新取込</a></p>
</section>

<section aria-labelledby="h-imports">
<h2 id="h-imports">取込元ごとの最新の取込</h2>
${
  d.imports.length === 0
    ? html`<p>まだ取込はありません。</p>`
    : html`<table>
<thead><tr><th scope="col">アダプタ</th><th scope="col">取込元</th><th scope="col">状態</th><th scope="col">却下行</th><th scope="col">開始</th><th scope="col">最後に反映</th></tr></thead>
<tbody>${d.imports.map(
        (i) => html`<tr>
<th scope="row"><a href="/console/imports/${i.importId}">${i.adapter}</a></th>
<td>${i.source ?? '—'}</td>
<td>${badge(i.status, importStatusLabels)}</td>
<td class="n">${i.rejected}</td>
<td>${time(i.startedAt)}</td>
<td>${time(i.lastSuccessAt)}</td>
</tr>`,
      )}</tbody></table>`
}
</section>

<section aria-labelledby="h-outbox">
<h2 id="h-outbox">送信先ごとの配信</h2>
<table>
<thead><tr><th scope="col">送信先</th><th scope="col">待機中</th><th scope="col">再試行待ち</th><th scope="col">停止</th><th scope="col">配信済</th></tr></thead>
<tbody>${d.deliveries.targets.map(
      (t) => html`<tr>
<th scope="row"><a href="${url('/console/deliveries', { target: t.target })}">${t.target}</a></th>
<td class="n">${t.pending}</td>
<td class="n">${t.failed}</td>
<td class="n">${t.dead > 0 ? html`<a class="bad" href="${url('/console/deliveries', { status: 'dead', target: t.target })}">${t.dead}</a>` : '0'}</td>
<td class="n">${t.delivered}</td>
</tr>`,
    )}</tbody></table>
</section>

${
  d.deliveries.problems.length > 0
    ? html`<section aria-labelledby="h-problems">
<h2 id="h-problems">停止・失敗した配信</h2>
<table>
<thead><tr><th scope="col">作成</th><th scope="col">送信先</th><th scope="col">状態</th><th scope="col">試行</th><th scope="col">最後のエラー</th></tr></thead>
<tbody>${d.deliveries.problems.map(
        (p) => html`<tr>
<td><a href="${url('/console/deliveries', { submission: p.submissionId })}">${time(p.createdAt)}</a></td>
<td>${p.target}</td>
<td>${badge(p.status, deliveryStatusLabels)}</td>
<td class="n">${p.attempts}</td>
<td class="err">${p.lastError ?? '—'}</td>
</tr>`,
      )}</tbody></table>
<p><a href="/console/deliveries?status=dead">停止した配信の一覧と一括再送へ</a></p>
</section>`
    : ''
}

<section aria-labelledby="h-jobs">
<h2 id="h-jobs">ジョブ</h2>
${
  d.jobs.length === 0
    ? html`<p>ジョブは設定されていません（HUB_CONFIG の jobs）。</p>`
    : html`<table>
<thead><tr><th scope="col">ジョブ</th><th scope="col">スケジュール</th><th scope="col">前回</th><th scope="col">前回の開始</th><th scope="col">次回</th></tr></thead>
<tbody>${d.jobs.map(
        (j) => html`<tr>
<th scope="row"><a href="/console/jobs">${j.name}</a></th>
<td><code>${j.schedule}</code></td>
<td>${j.lastRun ? badge(j.lastRun.status, jobStatusLabels) : '未実行'}</td>
<td>${time(j.lastRun?.startedAt)}</td>
<td>${time(j.nextRun)}</td>
</tr>`,
      )}</tbody></table>`
}
</section>

<section aria-labelledby="h-audit">
<h2 id="h-audit">監査ログ</h2>
<dl class="facts">
<dt>記録</dt><dd>${d.audit.entries} 件</dd>
<dt>最新</dt><dd>${time(d.audit.lastAt)}</dd>
<dt>連鎖の検証</dt><dd>${chainLabels[d.audit.chain]}${d.audit.verification ? `（${d.audit.verification.checked} 行を確認）` : ''}</dd>
</dl>
${d.audit.verification?.firstBad ? html`<p class="error" role="alert">${d.audit.verification.firstBad.message}</p>` : ''}
<form method="get" action="/console"><input type="hidden" name="verify" value="audit"><button type="submit">監査ログの連鎖を検証</button></form>
</section>
<p class="meta">集計時刻 ${time(d.at)}</p>`;
    return reply.type('text/html; charset=utf-8').send(page(ctx, 'dashboard', 'ダッシュボード', body));
  });
};
