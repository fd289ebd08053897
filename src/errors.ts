/**
 * The one catalog of the hub's error codes. Every problem body, CLI error and reject code comes
 * from here, so the codes stay stable for clients that branch on them.
 */
export const errorCatalog = {
  HUB_ERR_UNAUTHORIZED: { status: 401, title: 'Unauthorized', detail: 'APIキーがない、または無効です' },
  HUB_ERR_FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    detail: 'この操作に必要な権限（{scope}）がありません',
  },
  HUB_ERR_PURPOSE_REQUIRED: {
    status: 400,
    title: 'Purpose required',
    detail: '個人情報を返す要求には X-Visit-Id または X-Purpose が必要です',
  },
  HUB_ERR_VISIT_UNKNOWN: {
    status: 400,
    title: 'Unknown visit',
    detail: '来庁記録 {visitId} はこのクライアントのものではありません',
  },
  HUB_ERR_VALIDATION: { status: 400, title: 'Invalid request', detail: '{message}' },
  HUB_ERR_BAD_REQUEST: { status: 400, title: 'Bad request', detail: '{message}' },
  HUB_ERR_NOT_FOUND: { status: 404, title: 'Not found', detail: '{what} が見つかりません' },
  HUB_ERR_ROUTE_NOT_FOUND: { status: 404, title: 'Not found', detail: '{method} {url} はありません' },
  HUB_ERR_ADAPTER_UNKNOWN: {
    status: 404,
    title: 'Unknown adapter',
    detail: 'アダプタ {adapter} はありません',
  },
  HUB_ERR_ADAPTER_NOT_READER: {
    status: 400,
    title: 'Adapter cannot read',
    detail: 'アダプタ {adapter} は取込に使えません',
  },
  HUB_ERR_PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', detail: '{message}' },
  HUB_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', detail: '{message}' },
  HUB_ERR_RESTRICTED_REASON_REQUIRED: {
    status: 400,
    title: 'Restricted access needs a reason',
    detail: '支援措置対象者の情報を参照するには X-Restricted-Access に理由を指定してください',
  },
  HUB_ERR_CERTIFICATE_USED: {
    status: 409,
    title: 'Certificate already used',
    detail: '転出証明書 {number} の転入はすでに完了しています',
  },
  HUB_ERR_FORM_UNKNOWN: { status: 404, title: 'Unknown form', detail: '申請書 {formId} はありません' },
  HUB_ERR_IDEMPOTENCY_REQUIRED: {
    status: 400,
    title: 'Idempotency-Key required',
    detail: '受付の送信には Idempotency-Key ヘッダが必要です（再送しても二重に受け付けないため）',
  },
  HUB_ERR_IDEMPOTENCY_MISMATCH: {
    status: 422,
    title: 'Idempotency-Key reused',
    detail: 'Idempotency-Key {key} は別の内容ですでに使われています',
  },
  HUB_ERR_IDEMPOTENCY_IN_FLIGHT: {
    status: 409,
    title: 'Request in flight',
    detail: 'Idempotency-Key {key} の受付を処理中です。少し待ってから同じ内容で再送してください',
  },
  HUB_ERR_NOT_READY: { status: 503, title: 'Not ready', detail: '{message}' },
  HUB_ERR_INTERNAL: {
    status: 500,
    title: 'Internal error',
    detail: '内部エラーが発生しました（{requestId}）',
  },

  // File-level failures of an import run.
  HUB_ERR_EMPTY_FILE: { status: 422, title: 'Empty file', detail: 'ファイルが空です' },
  HUB_ERR_NO_RECORDS: {
    status: 422,
    title: 'No records',
    detail:
      'ヘッダ行だけでデータ行がありません（全件ファイルとして取り込むと全員が不在扱いになるため中止しました）',
  },
  HUB_ERR_ENCODING_UNDETECTED: {
    status: 422,
    title: 'Unknown encoding',
    detail:
      '文字コードを判定できません（UTF-8・CP932・EUC-JP のいずれでもありません。{offset}バイト目 0x{hex}）',
  },
  HUB_ERR_ENCODING_UNSUPPORTED: {
    status: 422,
    title: 'Unsupported encoding',
    detail: '文字コード {encoding} には対応していません',
  },
  HUB_ERR_MISSING_COLUMN: {
    status: 422,
    title: 'Missing column',
    detail: '必須列「{column}」がヘッダにありません',
  },
  HUB_ERR_DUPLICATE_COLUMN: {
    status: 422,
    title: 'Duplicate column',
    detail: '列「{column}」がヘッダに2回あります',
  },

  HUB_ERR_NO_HEADER: { status: 422, title: 'No header record', detail: '先頭にヘッダレコードがありません' },
  HUB_ERR_NO_TRAILER: {
    status: 422,
    title: 'No trailer record',
    detail:
      'トレーラレコードがありません（ファイルが途中で切れています）。このファイルのデータは反映していません',
  },
  HUB_ERR_TRAILER_COUNT: {
    status: 422,
    title: 'Trailer count mismatch',
    detail:
      'トレーラの件数 {expected} と読み込んだデータレコード {actual} 件が一致しません。このファイルのデータは反映していません',
  },
  HUB_ERR_AFTER_TRAILER: {
    status: 422,
    title: 'Data after trailer',
    detail: 'トレーラレコードの後にレコードがあります',
  },
  HUB_ERR_XML: { status: 422, title: 'XML error', detail: 'XML を読めません: {message}' },
  HUB_ERR_XML_DTD: {
    status: 422,
    title: 'DTD refused',
    detail: 'DTD・実体宣言を含む XML は受け付けません（外部実体は解決しません）',
  },
  HUB_ERR_CERTIFICATE: {
    status: 422,
    title: 'Certificate refused',
    detail: '転出証明書を取り込めません: {message}',
  },
  HUB_ERR_LAYOUT: { status: 500, title: 'Layout missing', detail: '{message}' },

  // Row-level reject codes.
  HUB_ERR_UNKNOWN_PERSON: {
    status: 422,
    title: 'Unknown person',
    detail: '宛名番号 {atenaNo} の住民がまだいません（保留し、住記データが届いたときに反映します）',
  },
  HUB_ERR_RECORD_LENGTH: {
    status: 422,
    title: 'Record length',
    detail: 'レコード長が {actual} バイトです（{expected} バイトのはず）',
  },
  HUB_ERR_RECORD_TYPE: {
    status: 422,
    title: 'Record type',
    detail: 'レコード区分「{code}」は定義されていません',
  },
  HUB_ERR_INVALID_BYTES: {
    status: 422,
    title: 'Invalid bytes',
    detail: '{encoding} として不正なバイト列です（行内 {offset}バイト目 0x{hex}）',
  },
  HUB_ERR_COLUMN_COUNT: {
    status: 422,
    title: 'Column count',
    detail: '列数が {actual} です（ヘッダは {expected} 列）',
  },
  HUB_ERR_CSV_SYNTAX: { status: 422, title: 'CSV syntax', detail: '{message}' },
  HUB_ERR_REQUIRED: { status: 422, title: 'Required', detail: '{field} が空です' },
  HUB_ERR_INVALID_DATE: {
    status: 422,
    title: 'Invalid date',
    detail: '{field} の日付「{value}」は存在しません',
  },
  HUB_ERR_ERA_MISMATCH: {
    status: 422,
    title: 'Era mismatch',
    detail: '{field} の元号コード {era} と日付 {value} が一致しません',
  },
  HUB_ERR_INVALID_CODE: {
    status: 422,
    title: 'Invalid code',
    detail: '{field} のコード「{value}」はコード表 {table} にありません',
  },
  HUB_ERR_INVALID_FORMAT: {
    status: 422,
    title: 'Invalid format',
    detail: '{field} の値「{value}」は形式が正しくありません（{expected}）',
  },
  HUB_ERR_CHECK_DIGIT: {
    status: 422,
    title: 'Check digit',
    detail: '{field} の検査用数字が正しくありません',
  },
  HUB_ERR_DUPLICATE_KEY: {
    status: 422,
    title: 'Duplicate key',
    detail: '{field}「{value}」が同じファイルの {firstLine} 行目にもあります',
  },
  HUB_ERR_SCHEMA: { status: 422, title: 'Record invalid', detail: '{field}: {message}' },

  // Configuration and mapping files.
  HUB_ERR_CONFIG: { status: 500, title: 'Configuration error', detail: '{message}' },
  HUB_ERR_MAPPING: { status: 500, title: 'Mapping error', detail: '{message}' },

  // The audit log's hash chain.
  HUB_ERR_AUDIT_CHAIN_HEAD: {
    status: 500,
    title: 'Audit log unavailable',
    detail:
      '監査ログの連鎖の先頭（audit_chain_head）がないため監査記録を書けず、個人情報は返しません。madoguchi-hub audit verify で確認してください',
  },
} as const satisfies Record<string, { status: number; title: string; detail: string }>;

export type ErrorCode = keyof typeof errorCatalog;

function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) =>
    params[k] === undefined ? `{${k}}` : String(params[k]),
  );
}

export function errorMessage(code: ErrorCode, params: Record<string, unknown> = {}): string {
  return fill(errorCatalog[code].detail, params);
}

/** A hub error: carries a stable code, an HTTP status and a message for counter staff. */
export class HubError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly params: Record<string, unknown>;
  readonly errors?: { field?: string; message: string }[];

  constructor(
    code: ErrorCode,
    params: Record<string, unknown> = {},
    errors?: { field?: string; message: string }[],
  ) {
    super(errorMessage(code, params));
    this.name = 'HubError';
    this.code = code;
    this.statusCode = errorCatalog[code].status;
    this.params = params;
    if (errors) this.errors = errors;
  }
}

/** A failure that names a place in an input file (file-level or row-level). */
export class InputError extends HubError {
  readonly line: number;
  readonly column?: number;
  readonly field?: string;

  constructor(
    code: ErrorCode,
    where: { line: number; column?: number; field?: string },
    params: Record<string, unknown> = {},
  ) {
    super(code, { ...params, field: params.field ?? where.field });
    this.name = 'InputError';
    this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
    if (where.field !== undefined) this.field = where.field;
  }
}
