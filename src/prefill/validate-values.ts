import { Value } from '@sinclair/typebox/value';
import { type ErrorCode, errorMessage } from '../errors.ts';
import { hiraganaToKatakana } from '../normalize/kana.ts';
import { digitsToAscii } from '../normalize/width.ts';
import { encodeCp932, type GaijiReverse, UnencodableError } from '../parsers/encode.ts';
import { HubDate } from '../schemas/common.ts';
import type { FieldValue, PrefilledForm } from '../schemas/form.ts';
import type { FieldType } from './forms.ts';
import { valueKey } from './prefill.ts';

/** One wrong value of a submission: which field (and person), a stable code, a message for staff. */
export interface FieldProblem {
  field: string;
  person?: string;
  code: ErrorCode;
  message: string;
}

const PATTERNS: Partial<Record<FieldType, { re: RegExp; expected: string }>> = {
  kana: { re: /^[\u30A1-\u30FA\u30FC\u30FB\u3000 ]+$/u, expected: '全角カタカナ' },
  'postal-code': { re: /^\d{3}-?\d{4}$/, expected: '7桁の数字（例 253-0041）' },
  phone: { re: /^0\d{1,4}-?\d{1,4}-?\d{3,4}$/, expected: '0から始まる10〜11桁の電話番号（例 0467-82-1111）' },
  'bank-code': { re: /^\d{4}$/, expected: '4桁の数字' },
  'branch-code': { re: /^\d{3}$/, expected: '3桁の数字' },
  'account-number': { re: /^\d{7}$/, expected: '7桁の数字' },
  digits: { re: /^\d+$/, expected: '数字' },
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/**
 * Checks every value of a submission against its form's contract: no key the form lacks, every
 * required field written, each value of its field's type (text, kana, date, choice, postal
 * code, phone, account, digits), within its length, and writable in CP932 when a target encodes
 * CP932 (外字 of the municipality's table or kept as Private Use pass). Returns every problem,
 * one per field and person; none means the values may be accepted.
 */
export function validateValues(
  form: PrefilledForm,
  values: Record<string, unknown>,
  merged: Record<string, unknown>,
  signatures: { key: string }[],
  gaiji?: GaijiReverse,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const fields = new Map(form.fields.map((f) => [valueKey(f.key, f.person), f]));
  for (const key of Object.keys(values)) {
    const f = fields.get(key);
    if (!f || f.type === 'signature') {
      const [field, person] = key.split('@');
      problems.push({
        field: field!,
        ...(person ? { person } : {}),
        code: 'HUB_ERR_FIELD_UNKNOWN',
        message: errorMessage('HUB_ERR_FIELD_UNKNOWN', { field: field!, formId: form.formId }),
      });
    }
  }
  const signatureKeys = new Set(form.fields.filter((f) => f.type === 'signature').map((f) => f.key));
  for (const s of signatures) {
    if (!signatureKeys.has(s.key))
      problems.push({
        field: s.key,
        code: 'HUB_ERR_FIELD_UNKNOWN',
        message: errorMessage('HUB_ERR_FIELD_UNKNOWN', { field: s.key, formId: form.formId }),
      });
  }
  for (const [key, f] of fields) {
    if (f.type === 'signature' || !(key in merged)) continue;
    const v = merged[key];
    const problem = (code: ErrorCode, params: Record<string, unknown> = {}) =>
      problems.push({
        field: f.key,
        ...(f.person ? { person: f.person } : {}),
        code,
        message: errorMessage(code, { label: f.label, ...params }),
      });
    if (isEmpty(v)) {
      if (f.required) problem('HUB_ERR_FIELD_REQUIRED');
      continue;
    }
    if (f.type === 'date') {
      const ok =
        (typeof v === 'string' && isCalendarDate(v)) ||
        (typeof v === 'object' && Value.Check(HubDate, v) && (v.iso === null || isCalendarDate(v.iso)));
      if (!ok) problem('HUB_ERR_FIELD_DATE');
      continue;
    }
    if (typeof v !== 'string') {
      problem('HUB_ERR_FIELD_TYPE');
      continue;
    }
    const length = [...v].length;
    if (/\p{Cc}/u.test(v)) problem('HUB_ERR_FIELD_FORMAT', { expected: '改行・制御文字を含まない文字列' });
    else if (f.type === 'choice') {
      if (!f.choices?.includes(v)) problem('HUB_ERR_FIELD_CHOICE', { choices: (f.choices ?? []).join('・') });
    } else if (PATTERNS[f.type] && !PATTERNS[f.type]!.re.test(v)) {
      problem('HUB_ERR_FIELD_FORMAT', { expected: PATTERNS[f.type]!.expected });
    } else if (f.type === 'phone' && ![10, 11].includes(v.replace(/-/g, '').length)) {
      problem('HUB_ERR_FIELD_FORMAT', { expected: PATTERNS.phone!.expected });
    } else if (f.maxLength !== undefined && length > f.maxLength) {
      problem('HUB_ERR_FIELD_LENGTH', { length, limit: `${f.maxLength}文字以内` });
    } else if (f.minLength !== undefined && length < f.minLength) {
      problem('HUB_ERR_FIELD_LENGTH', { length, limit: `${f.minLength}文字以上` });
    } else if (f.cp932) {
      try {
        encodeCp932(v, gaiji);
      } catch (e) {
        if (!(e instanceof UnencodableError)) throw e;
        problem('HUB_ERR_FIELD_CP932', { char: e.char });
      }
    }
  }
  return problems;
}

const DIGIT_TYPES = new Set<FieldType>([
  'postal-code',
  'phone',
  'bank-code',
  'branch-code',
  'account-number',
  'digits',
]);

/**
 * A submitted value as stored, before it is checked: empty is null; kana in hiragana becomes
 * katakana and full-width digits become ASCII, as the core systems read them; anything else
 * stays as given (and is refused by validateValues when it does not fit).
 */
export function storedValue(v: unknown, type: FieldType): FieldValue {
  if (isEmpty(v)) return null;
  if (typeof v === 'string') {
    if (type === 'kana') return hiraganaToKatakana(v);
    if (DIGIT_TYPES.has(type)) return digitsToAscii(v).replace(/[‐－−ー]/g, '-');
  }
  return v as FieldValue;
}
