import { type Html, html } from './html.ts';

const timeFormat = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** A point in time as Japan reads it, machine-readable in `datetime`. */
export function time(iso: string | undefined | null): Html | string {
  if (!iso) return '—';
  return html`<time datetime="${iso}">${timeFormat.format(new Date(iso))}</time>`;
}

/** A duration in seconds as 「3分」「2時間5分」. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}分`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}時間${m % 60 ? `${m % 60}分` : ''}`;
  return `${Math.floor(h / 24)}日`;
}

export const importStatusLabels: Record<string, string> = {
  running: '実行中',
  succeeded: '成功',
  partial: '一部却下',
  unchanged: '変更なし',
  failed: '失敗',
};

export const deliveryStatusLabels: Record<string, string> = {
  pending: '待機中',
  delivered: '配信済',
  failed: '失敗（再試行待ち）',
  dead: '停止',
};

export const jobStatusLabels: Record<string, string> = {
  running: '実行中',
  succeeded: '成功',
  failed: '失敗',
  skipped: 'スキップ',
};

const tone: Record<string, string> = {
  succeeded: 'ok',
  delivered: 'ok',
  unchanged: 'ok',
  partial: 'warn',
  pending: 'info',
  running: 'info',
  skipped: 'info',
  failed: 'bad',
  dead: 'bad',
};

/** A status as a labelled badge; the colour repeats what the text says, never replaces it. */
export function badge(status: string, labels: Record<string, string>): Html {
  return html`<span class="badge badge-${tone[status] ?? 'info'}">${labels[status] ?? status}</span>`;
}

/** `YYYY-MM-DD` from a date input as the start of that day in Japan, or undefined. */
export function sinceOf(date: string | undefined): string | undefined {
  return date && /^\d{4}-\d{2}-\d{2}$/.test(date)
    ? new Date(`${date}T00:00:00+09:00`).toISOString()
    : undefined;
}

/** A console link with its query (empty values left out); escaped where it is interpolated. */
export function url(path: string, query: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
