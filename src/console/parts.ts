import { url } from './format.ts';
import { type Html, html } from './html.ts';

export const pageSize = 50;

/** `offset` from a query, a non-negative multiple of nothing in particular. */
export function offsetOf(value: string | undefined): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** 「N 件中 a–b 件」 and previous/next links that keep the filters. */
export function pager(
  path: string,
  query: Record<string, string | undefined>,
  total: number,
  offset: number,
  limit = pageSize,
): Html {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  return html`<nav class="pager" aria-label="ページ送り"><p>${total} 件中 ${from}–${to} 件</p>
${offset > 0 ? html`<a href="${url(path, { ...query, offset: Math.max(0, offset - limit) || undefined })}" rel="prev">前へ</a>` : ''}
${to < total ? html`<a href="${url(path, { ...query, offset: offset + limit })}" rel="next">次へ</a>` : ''}
</nav>`;
}

/** A labelled select whose first option means "any". */
export function select(
  name: string,
  label: string,
  options: { value: string; label: string }[],
  current: string | undefined,
): Html {
  return html`<p class="field"><label for="f-${name}">${label}</label>
<select id="f-${name}" name="${name}"><option value="">すべて</option>${options.map(
    (o) => html`<option value="${o.value}"${o.value === current ? html` selected` : ''}>${o.label}</option>`,
  )}</select></p>`;
}

export function textInput(name: string, label: string, current: string | undefined, type = 'text'): Html {
  return html`<p class="field"><label for="f-${name}">${label}</label>
<input id="f-${name}" name="${name}" type="${type}" value="${current ?? ''}"></p>`;
}
