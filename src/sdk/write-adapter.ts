import type { Encoding } from '../parsers/decode.ts';
import { encodeCp932, type GaijiReverse } from '../parsers/encode.ts';
import type { FormFile } from '../prefill/forms.ts';
import { valueKey } from '../prefill/prefill.ts';
import type { HubDate } from '../schemas/common.ts';
import type { SubmissionRecord } from '../schemas/form.ts';

/** One accepted submission as a write adapter receives it. */
export interface SubmissionToWrite {
  id: string;
  formId: string;
  createdAt: string;
  record: SubmissionRecord;
}

export interface WriteResult {
  bytes: Buffer;
  rows: number;
  extension: string;
}

/**
 * A write adapter: the accepted submissions of a batch → one file in the target's import
 * format. Every row carries the submission id, so an importer can skip a row it has seen.
 */
export interface WriteAdapter {
  manifest: {
    id: string;
    version: string;
    title: string;
    direction: 'write';
    formats: string[];
    encodings: Encoding[];
    /** The forms whose submissions this target takes. */
    forms: string[];
  };
  write(submissions: SubmissionToWrite[], options: { gaiji?: GaijiReverse; form?: FormFile }): WriteResult;
}

export function defineWriteAdapter(adapter: WriteAdapter): WriteAdapter {
  return adapter;
}

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A value as the importing system reads it: dates ISO (or their 不詳 wording), lists joined. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && 'unknown' in (v as object)) {
    const d = v as HubDate;
    return d.iso ?? d.label ?? d.source ?? '';
  }
  if (Array.isArray(v)) return v.map(cell).join(';');
  return String(v);
}

/** CSV text (CRLF) encoded for the target: UTF-8 with BOM, or CP932 with 外字 as their bytes. */
export function encodeCsv(rows: string[][], encoding: 'utf-8-bom' | 'cp932', gaiji?: GaijiReverse): Buffer {
  const text = `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
  return encoding === 'cp932'
    ? encodeCp932(text, gaiji)
    : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** A confirmed value of a submission, for the visit or for one person. */
export function submittedValue(s: SubmissionToWrite, key: string, personId?: string): unknown {
  return s.record.values[valueKey(key, personId)];
}

/** The persons of a submission that have per-person values, in order. */
export function personsOf(
  s: SubmissionToWrite,
  key: string,
): { id: string; order: number; myNumber?: string }[] {
  return (s.record.persons ?? [])
    .filter((p) => valueKey(key, p.id) in s.record.values)
    .sort((a, b) => a.order - b.order);
}

/**
 * A target that takes a form's confirmed values as they are: 受付番号, 順位 and one column per
 * field label, one row per person the form repeats (or one row when it repeats none).
 */
export function defineFormCsvWriter(o: {
  id: string;
  title: string;
  form: string;
  encoding: 'utf-8-bom' | 'cp932';
}): WriteAdapter {
  return defineWriteAdapter({
    manifest: {
      id: o.id,
      version: '1.0.0',
      title: o.title,
      direction: 'write',
      formats: ['csv'],
      encodings: [o.encoding === 'cp932' ? 'cp932' : 'utf-8'],
      forms: [o.form],
    },
    write(submissions, { gaiji, form }) {
      if (!form) throw new Error(`${o.id} needs the definition of form ${o.form}`);
      const fields = form.fields.filter((f) => f.kind !== 'signature');
      const rows: string[][] = [['受付番号', '順位', ...fields.map((f) => f.label)]];
      for (const s of submissions) {
        const repeated = fields.find((f) => f.repeat);
        const persons = repeated ? personsOf(s, repeated.key) : [undefined];
        for (const p of persons) {
          rows.push([
            s.id,
            p ? String(p.order) : '',
            ...fields.map((f) => cell(submittedValue(s, f.key, f.repeat ? p?.id : undefined))),
          ]);
        }
      }
      return { bytes: encodeCsv(rows, o.encoding, gaiji), rows: rows.length - 1, extension: 'csv' };
    },
  });
}
