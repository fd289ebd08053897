import { type Html, html, type Part } from './html.ts';

export interface PageContext {
  /** The signed-in operator's key id and the session's CSRF token; absent on the sign-in page. */
  session?: { clientId: string; csrf: string };
  notice?: string;
  error?: string;
}

const nav = [
  { href: '/console', label: 'ダッシュボード', id: 'dashboard' },
  { href: '/console/imports', label: '取込', id: 'imports' },
  { href: '/console/deliveries', label: '配信', id: 'deliveries' },
  { href: '/console/jobs', label: 'ジョブ', id: 'jobs' },
  { href: '/console/setup', label: '構成', id: 'setup' },
];

/** The hidden field every form that changes something carries. */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.session?.csrf ?? ''}">`;
}

/** One whole page: skip link, header with navigation and sign-out, the notice, the body. */
export function page(ctx: PageContext, current: string, title: string, body: Part): string {
  const doc = html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} — madoguchi-hub 運用コンソール</title>
<link rel="stylesheet" href="/console/assets/console.css">
<link rel="icon" href="/console/assets/favicon.svg" type="image/svg+xml">
</head>
<body>
<a class="skip" href="#main">本文へ移動</a>
<header class="top">
  <p class="brand"><a href="/console">madoguchi-hub 運用コンソール</a></p>
  ${
    ctx.session
      ? html`<nav aria-label="メニュー"><ul>${nav.map(
          (n) =>
            html`<li><a href="${n.href}"${n.id === current ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
        )}</ul></nav>
  <form class="signout" method="post" action="/console/sign-out">${csrfField(ctx)}<span class="who">${ctx.session.clientId}</span> <button type="submit">サインアウト</button></form>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${ctx.notice ? html`<p class="notice" role="status">${ctx.notice}</p>` : ''}
${ctx.error ? html`<p class="error" role="alert">${ctx.error}</p>` : ''}
${body}
</main>
<footer><p>時刻は日本時間です。個人情報は却下行の元データを目的を記録して開いたときだけ表示します。</p></footer>
</body>
</html>
`;
  return doc.value;
}
