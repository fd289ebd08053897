import type { FastifyPluginAsync } from 'fastify';
import type { Target } from '../../delivery/targets.ts';
import { loadMappingCatalog } from '../../mapping/catalog.ts';
import { formatIssue } from '../../mapping/yaml-file.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { contextOf } from '../request-context.ts';

/** Where a target writes, without secrets (no headers, no key files, no credentials in URLs). */
function whereTo(t: Target): string {
  const tr = t.transport;
  if (tr.type === 'folder') return `フォルダ ${tr.dir}`;
  if (tr.type === 'sftp') return `SFTP ${tr.username}@${tr.host}:${tr.port}${tr.dir}`;
  const u = new URL(tr.url);
  return `HTTP ${u.protocol}//${u.host}${u.pathname}`;
}

export const setupPage: FastifyPluginAsync = async (app) => {
  const { hub } = app;

  app.get('/setup', async (request, reply) => {
    const validate = (request.query as Record<string, string>).validate === '1';
    const ids = hub.adapters.list().map((a) => a.manifest.id);
    const result = validate ? loadMappingCatalog(hub.config.mappingsDir, ids) : undefined;
    const sources = hub.jobs.list().filter((j) => j.kind === 'inbound');
    const body = html`
<section aria-labelledby="h-sources">
<h2 id="h-sources">取込元（取込ジョブ）</h2>
${
  sources.length === 0
    ? html`<p>取込ジョブはありません。ファイルは API（<code>POST /v1/imports</code>）かコマンド（<code>madoguchi-hub import</code>）で取り込みます。</p>`
    : html`<table><thead><tr><th scope="col">ジョブ</th><th scope="col">アダプタ</th><th scope="col">フォルダ</th><th scope="col">スケジュール</th></tr></thead>
<tbody>${sources.map(
        (s) =>
          html`<tr><th scope="row">${s.name}</th><td>${'adapter' in s ? s.adapter : ''}</td><td>${'dir' in s ? s.dir : ''}</td><td><code>${s.schedule}</code></td></tr>`,
      )}</tbody></table>`
}
</section>
<section aria-labelledby="h-targets">
<h2 id="h-targets">送信先</h2>
<table><thead><tr><th scope="col">送信先</th><th scope="col">書式</th><th scope="col">送り先</th><th scope="col">試行回数の上限</th></tr></thead>
<tbody>${hub.targets.map(
      (t) =>
        html`<tr><th scope="row">${t.id}</th><td>${t.writer.manifest.title}</td><td>${whereTo(t)}</td><td class="n">${t.maxAttempts}</td></tr>`,
    )}</tbody></table>
</section>
<section aria-labelledby="h-adapters">
<h2 id="h-adapters">アダプタ</h2>
<table><thead><tr><th scope="col">ID</th><th scope="col">名称</th><th scope="col">向き</th><th scope="col">版</th><th scope="col">文字コード</th></tr></thead>
<tbody>${hub.adapters
      .list()
      .map(
        (a) =>
          html`<tr><th scope="row">${a.manifest.id}</th><td>${a.manifest.title}</td><td>${a.manifest.direction === 'read' ? '取込' : '出力'}</td><td>${a.manifest.version}</td><td>${a.manifest.encodings.join('、')}</td></tr>`,
      )}</tbody></table>
</section>
<section aria-labelledby="h-mappings">
<h2 id="h-mappings">マッピングの検証</h2>
<p>mappings/ のマッピング・コード表・様式・手続ルールを読み直して検査します（<code>madoguchi-hub validate</code> と同じ）。</p>
<form method="get" action="/console/setup"><input type="hidden" name="validate" value="1"><button type="submit">マッピングを検証</button></form>
${
  result
    ? result.issues.length === 0
      ? html`<p class="notice" role="status">問題はありません（${result.files.length} ファイル）。</p>`
      : html`<div role="alert"><p class="error">${result.issues.length} 件の問題があります。</p><ul class="issues">${result.issues.map(
          (i) => html`<li><code>${formatIssue(i)}</code></li>`,
        )}</ul></div>`
    : ''
}
</section>`;
    return reply.type('text/html; charset=utf-8').send(page(contextOf(request), 'setup', '構成', body));
  });
};
