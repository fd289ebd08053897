import type { FastifyPluginAsync } from 'fastify';
import type { Scope } from '../../config/env.ts';
import { HubError } from '../../errors.ts';
import type { ImportRun, Reject } from '../../schemas/import-run.ts';
import type { ImportFilter } from '../../schemas/operations.ts';
import { badge, importStatusLabels, sinceOf, time, url } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, page } from '../layout.ts';
import { offsetOf, pager, pageSize, select, textInput } from '../parts.ts';
import { contextOf, field } from '../request-context.ts';

type Query = Record<string, string | undefined>;

const statuses = Object.keys(importStatusLabels);

function filterOf(q: Query): ImportFilter {
  const since = sinceOf(q.since);
  return {
    ...(q.status && statuses.includes(q.status) ? { status: q.status as ImportFilter['status'] } : {}),
    ...(q.adapter ? { adapter: q.adapter } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(since ? { since } : {}),
    ...(q.rejects === 'yes' ? { rejects: true } : q.rejects === 'no' ? { rejects: false } : {}),
  };
}

/** Run-level warnings (e.g. unknown columns), whatever shape a run gives them. */
function warningsOf(run: ImportRun): string[] {
  const w = (run as ImportRun & { warnings?: unknown }).warnings;
  if (!Array.isArray(w)) return [];
  return w.map((x) => {
    if (typeof x === 'string') return x;
    const o = (x ?? {}) as Record<string, unknown>;
    return (
      [o.code, o.message ?? o.column].filter((p) => typeof p === 'string').join(': ') || JSON.stringify(x)
    );
  });
}

/** A reject's raw bytes as the file's encoding reads them. */
function rawText(raw: string, encoding: string | undefined): string {
  const label = /cp932|shift|sjis|31j/i.test(encoding ?? '')
    ? 'shift_jis'
    : /euc/i.test(encoding ?? '')
      ? 'euc-jp'
      : 'utf-8';
  return new TextDecoder(label).decode(Buffer.from(raw, 'base64')).replace(/\r?\n$/, '');
}

const withheld = (r: Reject) => r.withheld?.includes('raw') ?? false;

function rejectsTable(rejects: Reject[], withRaw: boolean, encoding: string | undefined): Html {
  return html`<table class="rejects">
<caption>却下行</caption>
<thead><tr><th scope="col">行</th><th scope="col">列</th><th scope="col">項目</th><th scope="col">コード</th><th scope="col">内容</th>${withRaw ? html`<th scope="col">元の行</th>` : ''}</tr></thead>
<tbody>${rejects.map(
    (r) => html`<tr>
<th scope="row" class="n">${r.line}</th><td class="n">${r.column ?? '—'}</td><td class="nw">${r.field ?? '—'}</td><td class="nw"><code>${r.code}</code></td><td>${r.message}</td>
${withRaw ? html`<td>${r.raw ? html`<pre class="raw">${rawText(r.raw, encoding)}</pre>` : withheld(r) ? '（表示できません: 閲覧が制限された住民に関わる行です）' : '（なし）'}</td>` : ''}
</tr>`,
  )}</tbody></table>`;
}

export const importsPage: FastifyPluginAsync = async (app) => {
  const { imports, audit } = app.hub;

  app.get('/imports', async (request, reply) => {
    const q = request.query as Query;
    const offset = offsetOf(q.offset);
    const list = await imports.search({ ...filterOf(q), limit: pageSize, offset });
    const keep = {
      status: q.status,
      adapter: q.adapter,
      source: q.source,
      since: q.since,
      rejects: q.rejects,
    };
    const adapters = app.hub.adapters
      .list()
      .filter((a) => a.manifest.direction === 'read')
      .map((a) => ({ value: a.manifest.id, label: a.manifest.id }));
    const body = html`
<form class="filters" method="get" action="/console/imports" aria-label="取込の絞り込み">
${select(
  'status',
  '状態',
  statuses.map((s) => ({ value: s, label: importStatusLabels[s]! })),
  q.status,
)}
${select('adapter', 'アダプタ', adapters, q.adapter)}
${textInput('source', '取込元（クライアントID・job:名前）', q.source)}
${textInput('since', 'この日以降', q.since, 'date')}
${select(
  'rejects',
  '却下行',
  [
    { value: 'yes', label: 'あり' },
    { value: 'no', label: 'なし' },
  ],
  q.rejects,
)}
<p class="actions"><button type="submit">絞り込む</button> <a href="/console/imports">条件を消す</a></p>
</form>
${pager('/console/imports', keep, list.total, offset)}
<table>
<thead><tr><th scope="col">開始</th><th scope="col">ファイル</th><th scope="col">アダプタ</th><th scope="col">取込元</th><th scope="col">状態</th><th scope="col">読込</th><th scope="col">却下</th></tr></thead>
<tbody>${list.items.map(
      (r) => html`<tr>
<td>${time(r.startedAt)}</td>
<th scope="row"><a href="/console/imports/${r.id}">${r.file}</a></th>
<td>${r.adapter}</td><td>${r.source ?? '—'}</td>
<td>${badge(r.status, importStatusLabels)}</td>
<td class="n">${r.counts.read}</td><td class="n">${r.counts.rejected}</td>
</tr>`,
    )}</tbody></table>`;
    return reply.type('text/html; charset=utf-8').send(page(contextOf(request), 'imports', '取込', body));
  });

  async function detail(id: string, offset: number) {
    const run = await imports.get(id);
    if (!run) throw new HubError('HUB_ERR_NOT_FOUND', { what: '取込' });
    return { run, rejects: await imports.rejects(id, pageSize, offset) };
  }

  function detailBody(
    ctx: ReturnType<typeof contextOf>,
    run: ImportRun,
    rejects: { items: Reject[]; total: number },
    offset: number,
    raw: { purpose: string } | undefined,
  ): Html {
    const c = run.counts;
    const warnings = warningsOf(run);
    return html`
<p><a href="/console/imports">← 取込の一覧</a></p>
<dl class="facts">
<dt>状態</dt><dd>${badge(run.status, importStatusLabels)}</dd>
<dt>ファイル</dt><dd>${run.file}</dd>
<dt>アダプタ</dt><dd>${run.adapter}</dd>
<dt>取込元</dt><dd>${run.source ?? '—'}</dd>
<dt>モード</dt><dd>${run.mode === 'full' ? '全件' : '異動分'}</dd>
<dt>文字コード</dt><dd>${run.encoding ?? '—'}${run.encodingDetected ? '（判定）' : ''}</dd>
<dt>大きさ</dt><dd>${run.bytes.toLocaleString('ja-JP')} バイト</dd>
<dt>SHA-256</dt><dd><code>${run.sha256}</code></dd>
<dt>開始</dt><dd>${time(run.startedAt)}</dd>
<dt>終了</dt><dd>${time(run.finishedAt)}</dd>
${run.duplicateOf ? html`<dt>同じ内容の取込</dt><dd><a href="/console/imports/${run.duplicateOf}">${run.duplicateOf}</a></dd>` : ''}
</dl>
<h2>件数</h2>
<table class="counts">
<thead><tr><th scope="col">読込</th><th scope="col">追加</th><th scope="col">更新</th><th scope="col">変更なし</th><th scope="col">却下</th><th scope="col">対象外</th><th scope="col">不在</th></tr></thead>
<tbody><tr><td class="n">${c.read}</td><td class="n">${c.inserted}</td><td class="n">${c.updated}</td><td class="n">${c.unchanged}</td><td class="n">${c.rejected}</td><td class="n">${c.skipped}</td><td class="n">${c.missing}</td></tr></tbody>
</table>
${run.error ? html`<h2>失敗の理由</h2><p class="error"><code>${run.error.code}</code> ${run.error.message}</p>` : ''}
${warnings.length > 0 ? html`<h2>警告</h2><ul class="warnings">${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
<h2 id="rejects">却下行</h2>
${
  rejects.total === 0
    ? html`<p>却下行はありません。</p>`
    : html`${pager(`/console/imports/${run.id}`, {}, rejects.total, offset)}
${raw ? html`<p class="notice" role="status">元の行を表示しています（目的「${raw.purpose}」で監査ログに記録しました）。このページは保存されません。</p>` : ''}
${rejectsTable(rejects.items, raw !== undefined, run.encoding)}
${
  raw
    ? ''
    : html`<form class="purpose" method="post" action="/console/imports/${run.id}/raw">
${csrfField(ctx)}<input type="hidden" name="offset" value="${offset}">
<p class="field"><label for="f-purpose">元の行を表示する目的（監査ログに記録されます）</label>
<input id="f-purpose" name="purpose" required maxlength="200" autocomplete="off"></p>
<p class="actions"><button type="submit">元の行を表示</button></p>
</form>`
}`
}`;
  }

  app.get('/imports/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const offset = offsetOf((request.query as Query).offset);
    const { run, rejects } = await detail(id, offset);
    const ctx = contextOf(request);
    return reply
      .type('text/html; charset=utf-8')
      .send(page(ctx, 'imports', `取込 ${run.file}`, detailBody(ctx, run, rejects, offset, undefined)));
  });

  // Raw rows carry personal data: only with a purpose, audited before they are shown, never cached.
  app.post('/imports/:id/raw', async (request, reply) => {
    const { id } = request.params as { id: string };
    const offset = offsetOf(field(request, 'offset'));
    const purpose = field(request, 'purpose').slice(0, 200);
    const { run, rejects } = await detail(id, offset);
    const ctx = contextOf(
      request,
      undefined,
      purpose ? undefined : '元の行を表示するには目的を入力してください。',
    );
    if (!purpose) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(page(ctx, 'imports', `取込 ${run.file}`, detailBody(ctx, run, rejects, offset, undefined)));
    }
    const session = request.consoleSession!;
    const viewer = { client: { id: session.clientId, scopes: new Set(session.scopes as Scope[]) }, purpose };
    const shown = { total: rejects.total, items: await app.hub.disclosure.rejects(viewer, rejects.items) };
    await audit.record({
      clientId: session.clientId,
      purpose,
      action: 'console.imports.rejects.raw',
      subjects: [],
      fields: [`import:${run.id}`, `lines:${rejects.items.map((r) => r.line).join(',')}`],
      requestId: request.id,
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(page(ctx, 'imports', `取込 ${run.file}`, detailBody(ctx, run, shown, offset, { purpose })));
  });

  app.get('/imports/:id/raw', async (request, reply) => {
    const { id } = request.params as { id: string };
    return reply.redirect(url(`/console/imports/${encodeURIComponent(id)}`), 303);
  });
};
