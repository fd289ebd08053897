import { jobStatusLabels } from './format.ts';

/**
 * What the page after an action says, from the redirect's query. Only known codes make text,
 * so a link cannot put words on the page.
 */
export function noticeOf(query: Record<string, string | undefined>): string | undefined {
  const n = Number.parseInt(query.n ?? '', 10);
  switch (query.notice) {
    case 'redelivered':
      return Number.isFinite(n) && n > 0
        ? `${n} 件の配信を再送待ちに戻しました。配信処理（数秒ごと）が送り直します。`
        : '再送できる配信はありませんでした（失敗・停止した配信だけが再送できます）。';
    case 'job-run':
      return `ジョブ ${query.job ?? ''} を実行しました: ${jobStatusLabels[query.status ?? ''] ?? '結果不明'}`;
    case 'signed-out':
      return 'サインアウトしました。';
    case 'expired':
      return 'セッションがないか期限切れです。もう一度サインインしてください。';
    default:
      return undefined;
  }
}
