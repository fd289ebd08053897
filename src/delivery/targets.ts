import path from 'node:path';
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
 * the outbox (CONTRACT: `HUB_OUTBOX_DIR`, one folder per target). Without an outbox folder
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
