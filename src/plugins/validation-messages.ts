/** One schema validation failure as the validator reports it. */
export interface ValidationFailure {
  keyword: string;
  params: Record<string, unknown>;
}

const PART: Record<string, string> = {
  body: '本文',
  querystring: 'クエリ',
  params: 'パス',
  headers: 'ヘッダ',
};

/** Where a failure is, in Japanese: 本文, クエリ, パス or ヘッダ. */
export function partLabel(context: string | undefined): string {
  return PART[context ?? ''] ?? 'リクエスト';
}

/** A schema validation failure as a message for counter staff (the validator's own text is English). */
export function validationMessage(v: ValidationFailure): string {
  const p = v.params;
  const list = (x: unknown) => (Array.isArray(x) ? x.join('、') : String(x));
  switch (v.keyword) {
    case 'required':
      return `${String(p.missingProperty)} を指定してください（必須）`;
    case 'type':
      return `値の種類が違います（${list(p.type)} で指定してください）`;
    case 'minLength':
      return `${String(p.limit)} 文字以上で指定してください`;
    case 'maxLength':
      return `${String(p.limit)} 文字以内で指定してください`;
    case 'pattern':
      return '形式が正しくありません';
    case 'format':
      return `${String(p.format)} の形式で指定してください`;
    case 'enum':
      return `指定できる値ではありません（${list(p.allowedValues)}）`;
    case 'const':
      return `${String(p.allowedValue)} を指定してください`;
    case 'additionalProperties':
      return `${String(p.additionalProperty)} は指定できません`;
    case 'minimum':
      return `${String(p.limit)} 以上で指定してください`;
    case 'maximum':
      return `${String(p.limit)} 以下で指定してください`;
    case 'minItems':
      return `${String(p.limit)} 件以上指定してください`;
    case 'maxItems':
      return `${String(p.limit)} 件以内で指定してください`;
    case 'anyOf':
    case 'oneOf':
      return 'どの形式にも当てはまりません';
    default:
      return '値が正しくありません';
  }
}
