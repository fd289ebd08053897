import path from 'node:path';
import { HubError } from '../errors.ts';
import type { FormFile } from '../prefill/forms.ts';
import type { Handoff } from '../schemas/form.ts';
import type { WriteAdapter } from '../sdk/write-adapter.ts';
import type { SftpTransport } from './sftp-transport.ts';

export interface Target {
  /** The target id: the write adapter's id (one folder per target). */
  id: string;
  writer: WriteAdapter;
  transport:
    | { type: 'folder'; dir?: string }
    | { type: 'http'; url: string; headers?: Record<string, string> }
    | SftpTransport;
  /** Attempts before a delivery is dead. */
  maxAttempts: number;
}

/**
 * The targets of the embedded default: every write adapter, each into its own folder under
 * the outbox (README: `HUB_OUTBOX_DIR`, one folder per target). Without an outbox folder
 * the folder transport has no `dir`, and delivering to it fails with a clear error.
 */
export function defaultTargets(writers: readonly WriteAdapter[], outboxDir: string | undefined): Target[] {
  return writers.map((writer) => ({
    id: writer.manifest.id,
    writer,
    transport: {
      type: 'folder',
      ...(outboxDir ? { dir: path.join(outboxDir, writer.manifest.id) } : {}),
    },
    maxAttempts: 8,
  }));
}

/** The targets that take a form's submissions. */
export function targetsForForm(targets: Target[], formId: string): Target[] {
  return targets.filter((t) => t.writer.manifest.forms.includes(formId));
}

/**
 * Where a form's accepted data goes: the targets that import it, or paper to the section its
 * definition names. A form with neither is a configuration error (nothing would say where it went).
 */
export function handoffOf(targets: Target[], form: FormFile): Handoff {
  const ids = targetsForForm(targets, form.id).map((t) => t.id);
  if (ids.length > 0) return { kind: 'system', targets: ids as [string, ...string[]] };
  if (form.handoff) return { kind: 'paper', to: form.handoff.to };
  throw new HubError('HUB_ERR_CONFIG', {
    message: `申請書 ${form.id} の送り先がありません（書込アダプタを用意するか、フォーム定義に handoff: { kind: paper, to: … } を書いてください）`,
  });
}

/** Whether a target of the form writes CP932 (its values must then be writable in CP932). */
export function formWritesCp932(targets: Target[], formId: string): boolean {
  return targetsForForm(targets, formId).some((t) => t.writer.manifest.encodings.includes('cp932'));
}
