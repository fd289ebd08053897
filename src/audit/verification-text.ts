import type { AuditVerification } from '../schemas/audit.ts';

/** The chain check as operators read it, Japanese then English; ends with a newline. */
export function verificationText(result: AuditVerification): string {
  if (result.ok)
    return `監査ログの連鎖は正常です / audit chain intact: ${result.checked} 行 rows, 先頭 head 連番 seq ${result.head?.seq ?? 0} ${result.head?.hash ?? ''}\n`;
  const b = result.firstBad!;
  return [
    `監査ログの連鎖が壊れています / audit chain broken (${result.checked} 行 rows intact before it)`,
    `  最初の不正な行 / first bad row: ${b.id === null ? '-' : `id=${b.id}`} 連番 seq ${b.seq} [${b.problem}]`,
    `  ${b.message}`,
    `  ${b.detail}`,
    '',
  ].join('\n');
}
