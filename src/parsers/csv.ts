/**
 * RFC 4180 records over decoded physical lines. A pure push core: `pushLine()` and `end()`
 * return what became complete. A broken quote costs only its own record: parsing resumes on
 * the next line (csv-parse's `skip_records_with_error` was measured to lose the rows after one).
 */
export type CsvItem =
  | { kind: 'record'; fields: string[]; startLine: number; endLine: number }
  | {
      kind: 'error';
      code: 'HUB_ERR_CSV_SYNTAX';
      message: string;
      startLine: number;
      endLine: number;
      column: number;
    };

export interface CsvOptions {
  delimiter?: string;
  /** A quoted field longer than this many lines is taken as an unclosed quote. */
  maxLinesPerRecord?: number;
}

interface Pending {
  line: number;
  text: string;
}

type LineResult =
  | { state: 'done'; fields: string[] }
  | { state: 'open' }
  | { state: 'error'; message: string; column: number };

export class CsvRecordParser {
  private readonly delimiter: string;
  private readonly maxLines: number;
  private pending: Pending[] = [];

  constructor(options: CsvOptions = {}) {
    this.delimiter = options.delimiter ?? ',';
    this.maxLines = options.maxLinesPerRecord ?? 50;
  }

  pushLine(text: string, line: number): CsvItem[] {
    this.pending.push({ line, text });
    return this.drain(false);
  }

  end(): CsvItem[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvItem[] {
    const out: CsvItem[] = [];
    outer: while (this.pending.length > 0) {
      const first = this.pending[0]!;
      if (first.text === '') {
        this.pending.shift();
        continue;
      }
      // The shortest run of lines that closes every quote is the record.
      let text = '';
      for (let k = 0; k < this.pending.length; k++) {
        text = k === 0 ? first.text : `${text}\n${this.pending[k]!.text}`;
        const result = parseRecord(text, this.delimiter);
        if (result.state === 'open') continue;
        if (result.state === 'done') {
          out.push({
            kind: 'record',
            fields: result.fields,
            startLine: first.line,
            endLine: this.pending[k]!.line,
          });
          this.pending = this.pending.slice(k + 1);
        } else {
          out.push({
            kind: 'error',
            code: 'HUB_ERR_CSV_SYNTAX',
            message: result.message,
            startLine: first.line,
            endLine: first.line,
            column: result.column,
          });
          // Only the first line is lost; the lines after it are parsed again on their own.
          this.pending = this.pending.slice(1);
        }
        continue outer;
      }
      if (!final && this.pending.length < this.maxLines) break;
      out.push({
        kind: 'error',
        code: 'HUB_ERR_CSV_SYNTAX',
        message: '引用符（"）が閉じられていません',
        startLine: first.line,
        endLine: first.line,
        column: 1,
      });
      this.pending = this.pending.slice(1);
    }
    return out;
  }
}

function parseRecord(text: string, delimiter: string): LineResult {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  while (true) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      while (true) {
        const q = text.indexOf('"', j);
        if (q === -1) return { state: 'open' };
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      fields.push(value);
      if (j === n) return { state: 'done', fields };
      if (text[j] !== delimiter) {
        return {
          state: 'error',
          message: `${fields.length}列目: 閉じ引用符の後に「${text[j]}」があります（区切り文字が必要です）`,
          column: fields.length,
        };
      }
      i = j + 1;
    } else {
      const d = text.indexOf(delimiter, i);
      if (d === -1) {
        fields.push(text.slice(i));
        return { state: 'done', fields };
      }
      fields.push(text.slice(i, d));
      i = d + 1;
    }
    if (i === n) {
      fields.push('');
      return { state: 'done', fields };
    }
  }
}
