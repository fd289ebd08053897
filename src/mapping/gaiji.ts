import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  cp932UserDefinedToPua,
  isCp932Trail,
  isCp932UserDefinedLead,
  puaToCp932UserDefined,
} from '../parsers/cp932.ts';
import { CsvRecordParser } from '../parsers/csv.ts';
import type { GaijiReverse } from '../parsers/encode.ts';
import type { FileIssue } from './yaml-file.ts';

export interface GaijiEntry {
  /** The CP932 code, e.g. `F040`. */
  sjis: string;
  /** The character (or base + IVS selector) to use. */
  unicode: string;
  mj?: string;
  reading?: string;
  note?: string;
}

/** A municipality's 外字 table: PUA code point → entry, and the reverse for writing back. */
export interface GaijiTable {
  municipalityCode: string;
  file: string;
  /** SHA-256 of the file, recorded with each resolved character. */
  version: string;
  byPua: Map<number, GaijiEntry>;
  reverse: GaijiReverse;
}

const HEADER = ['sjis', 'unicode', 'mj', 'reading', 'note'];

/**
 * Loads `mappings/gaiji/<市区町村コード>.csv` (UTF-8, header `sjis,unicode,mj,reading,note`).
 * Problems (a code outside F040–F9FC, a code or character twice, an empty character) come back
 * with file, line and column.
 */
export function loadGaijiTable(
  file: string,
  displayName = file,
): { table?: GaijiTable; issues: FileIssue[] } {
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8').replace(/^\ufeff/, '');
  const issues: FileIssue[] = [];
  const issue = (line: number, column: number, message: string) =>
    issues.push({ file: displayName, line, column, message });
  const parser = new CsvRecordParser();
  const rows = text.split(/\r?\n/).flatMap((l, i) => parser.pushLine(l, i + 1));
  rows.push(...parser.end());
  const [head, ...data] = rows;
  if (head?.kind !== 'record' || HEADER.some((h, i) => head.fields[i]?.trim() !== h)) {
    issue(1, 1, `header must be ${HEADER.join(',')}`);
    return { issues };
  }
  const byPua = new Map<number, GaijiEntry>();
  const reverse: GaijiReverse = new Map();
  for (const row of data) {
    if (row.kind === 'error') {
      issue(row.startLine, row.column, row.message);
      continue;
    }
    const [sjis = '', unicode = '', mj = '', reading = '', note = ''] = row.fields.map((f) => f.trim());
    const m = /^([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})$/.exec(sjis);
    const lead = m ? Number.parseInt(m[1]!, 16) : 0;
    const trail = m ? Number.parseInt(m[2]!, 16) : 0;
    if (!m || !isCp932UserDefinedLead(lead) || !isCp932Trail(trail)) {
      issue(row.startLine, 1, `sjis "${sjis}" is not a user-defined code F040–F9FC`);
      continue;
    }
    const pua = cp932UserDefinedToPua(lead, trail);
    if (byPua.has(pua)) {
      issue(row.startLine, 1, `sjis ${sjis.toUpperCase()} twice`);
      continue;
    }
    if (unicode === '' || [...unicode].length > 2) {
      issue(
        row.startLine,
        sjis.length + 2,
        'unicode must be one character, optionally with a variation selector',
      );
      continue;
    }
    if (reverse.has(unicode)) {
      issue(row.startLine, sjis.length + 2, `unicode ${unicode} is already the character of another code`);
      continue;
    }
    const entry: GaijiEntry = { sjis: sjis.toUpperCase(), unicode };
    if (mj) entry.mj = mj;
    if (reading) entry.reading = reading;
    if (note) entry.note = note;
    byPua.set(pua, entry);
    reverse.set(unicode, (lead << 8) | trail);
  }
  if (issues.length > 0) return { issues };
  return {
    issues,
    table: {
      municipalityCode: path.basename(file, '.csv'),
      file: displayName,
      version: createHash('sha256').update(bytes).digest('hex'),
      byPua,
      reverse,
    },
  };
}

export interface GaijiResolution {
  field: string;
  sjis: string;
  unicode?: string;
  mj?: string;
  tableVersion?: string;
}

const PUA_CP932 = /[\ue000-\ue757]/gu;

/**
 * Resolves CP932 外字 (PUA U+E000–U+E757) in every string of a record through the table: a
 * mapped character becomes the table's text; an unmapped one stays as its PUA code point.
 * Returns what was found, so the caller can flag `UNMAPPED_GAIJI` and keep the trail.
 */
export function resolveGaiji(
  record: Record<string, unknown>,
  table: GaijiTable | undefined,
): GaijiResolution[] {
  const found: GaijiResolution[] = [];
  const walk = (node: Record<string, unknown> | unknown[], prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const field = Array.isArray(node) ? `${prefix}[${k}]` : prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'string') {
        if (!PUA_CP932.test(v)) continue;
        PUA_CP932.lastIndex = 0;
        const replaced = v.replace(PUA_CP932, (ch) => {
          const cp = ch.codePointAt(0)!;
          const [lead, trail] = puaToCp932UserDefined(cp)!;
          const sjis = ((lead << 8) | trail).toString(16).toUpperCase();
          const entry = table?.byPua.get(cp);
          found.push({
            field,
            sjis,
            ...(entry ? { unicode: entry.unicode, tableVersion: table!.version } : {}),
            ...(entry?.mj ? { mj: entry.mj } : {}),
          });
          return entry ? entry.unicode : ch;
        });
        (node as Record<string, unknown>)[k] = replaced;
      } else if (v && typeof v === 'object') {
        walk(v as Record<string, unknown>, field);
      }
    }
  };
  walk(record, '');
  return found;
}
