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
  // Operations console and outbox.
  HUB_ERR_NOT_REDELIVERABLE: {
    status: 409,
    title: 'Not redeliverable',
    detail: 'この配信は {status} のため再送できません（再送できるのは失敗・停止した配信だけです）',
  },
  HUB_ERR_CONSOLE_SESSION: {
    status: 401,
    title: 'Console session required',
    detail: 'セッションがないか期限切れです。もう一度サインインしてください',
  },
  HUB_ERR_CSRF: {
    status: 403,
    title: 'CSRF token mismatch',
    detail: 'フォームの確認用トークンが一致しません。画面を開き直してから操作してください',
  },
  HUB_ERR_NOT_READY: { status: 503, title: 'Not ready', detail: '{message}' },
  HUB_ERR_INTERNAL: {
    status: 500,
    title: 'Internal error',
    detail: '内部エラーが発生しました（{requestId}）',
  },

  // The counter wing: form contract, visits, signatures.
  HUB_ERR_FORM_VALUES: {
    status: 422,
    title: 'Form values invalid',
    detail: '申請書 {formId} の入力に誤りが {count} 件あります（errors に項目ごとの内容）',
  },
  HUB_ERR_FIELD_UNKNOWN: {
    status: 422,
    title: 'Unknown field',
    detail: '申請書 {formId} に項目 {field} はありません',
  },
  HUB_ERR_FIELD_REQUIRED: {
    status: 422,
    title: 'Field required',
    detail: '{label} を入力してください（必須）',
  },
  HUB_ERR_FIELD_TYPE: { status: 422, title: 'Field not text', detail: '{label} は文字で入力してください' },
  HUB_ERR_FIELD_DATE: {
    status: 422,
    title: 'Field not a date',
    detail: '{label} は存在する日付（例 2026-04-01）で入力してください',
  },
  HUB_ERR_FIELD_CHOICE: {
    status: 422,
    title: 'Field not a choice',
    detail: '{label} は {choices} のいずれかを選んでください',
  },
  HUB_ERR_FIELD_FORMAT: {
    status: 422,
    title: 'Field format',
    detail: '{label} の形式が正しくありません（{expected}）',
  },
  HUB_ERR_FIELD_LENGTH: {
    status: 422,
    title: 'Field length',
    detail: '{label} は {limit} で入力してください（いま {length} 文字）',
  },
  HUB_ERR_FIELD_CP932: {
    status: 422,
    title: 'Character not writable',
    detail:
      '{label} の「{char}」は送り先システムの文字コード（CP932）にありません。外字表に登録するか、使える字体で入力してください',
  },
  HUB_ERR_FORM_NOT_NEEDED: {
    status: 422,
    title: 'Form not among the visit’s procedures',
    detail:
      '申請書 {formId} はこの来庁の手続にありません。必要なときは理由を添えて追加してください（POST /v1/visits/{visitId}/extra-forms）',
  },
  HUB_ERR_VISIT_CLOSED: {
    status: 409,
    title: 'Visit closed',
    detail: '来庁記録 {visitId} は {status} のため受付できません',
  },
  HUB_ERR_ORIGIN_NOT_ALLOWED: {
    status: 403,
    title: 'Origin not allowed',
    detail: 'このクライアントはこのオリジン（{origin}）からは呼び出せません（HUB_API_KEYS の origins）',
  },
  HUB_ERR_SIGNATURE_IMAGE: {
    status: 422,
    title: 'Signature image refused',
    detail: '署名画像を受け付けられません: {message}',
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

  // The column contract and the honest status of a run.
  HUB_ERR_UNKNOWN_COLUMN: {
    status: 422,
    title: 'Unknown column',
    detail: '列「{column}」はマッピングで読む列・保持する列・無視する列のいずれでもありません',
  },
  HUB_ERR_ALL_REJECTED: {
    status: 422,
    title: 'Every row rejected',
    detail: 'すべての行（{rejected} 行）が却下されました。このファイルのデータは反映していません',
  },
  HUB_ERR_TOO_MANY_REJECTS: {
    status: 422,
    title: 'Too many rejects',
    detail:
      '却下 {rejected} 行が上限（{limit}）を超えました（{considered} 行中）。このファイルのデータは反映していません',
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

  // Hostile and oversized input (issue 8): limits, timeouts, characters no store can hold.
  HUB_ERR_REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request timeout',
    detail: '要求の本文が届くのが遅すぎるため打ち切りました（{message}）',
  },
  HUB_ERR_RATE_LIMITED: {
    status: 429,
    title: 'Too many requests',
    detail: '要求が多すぎます。{seconds} 秒後に再送してください',
  },
  HUB_ERR_OVERLOADED: {
    status: 503,
    title: 'Overloaded',
    detail: '現在混み合っています。{seconds} 秒後に再送してください',
  },
  HUB_ERR_REQUEST_CHARACTER: {
    status: 400,
    title: 'Invalid character in request',
    detail: '{where} に使えない文字（{what}）が含まれています',
  },
  HUB_ERR_FILE_NAME: {
    status: 400,
    title: 'File name refused',
    detail: 'ファイル名は使えません（パス区切り「/」「\\」、「..」、制御文字を含まない名前にしてください）',
  },
  HUB_ERR_INVALID_CHARACTER: {
    status: 422,
    title: 'Invalid character',
    detail: '{field} に保存できない文字（{what}）があります',
  },
  HUB_ERR_CERTIFICATE_REISSUED: {
    status: 422,
    title: 'Certificate reissued',
    detail:
      '転出証明書 {number} の異動者（順位 {order}）は、同じ市区町村の転出証明書 {previous} ですでに届いています（再交付分）。先の証明書を使ってください',
  },
  // Values as written in the wild (dates, numbers, codes).
  HUB_ERR_DATE_FORMAT: {
    status: 422,
    title: 'Unrecognised date',
    detail: '{field} の「{value}」は日付として読めません（{expected} のいずれかで書いてください）',
  },
  HUB_ERR_DATE_TIME: {
    status: 422,
    title: 'Date with a time of day',
    detail:
      '{field} の「{value}」は 0:00 以外の時刻が付いた日時です（時差で日付がずれている恐れがあるため取り込みません。日付だけで出力してください）',
  },
  HUB_ERR_IMPLAUSIBLE_DATE: {
    status: 422,
    title: 'Implausible date',
    detail: '{field} の日付「{value}」はありえません（{reason}）',
  },
  HUB_ERR_EXPONENT_NOTATION: {
    status: 422,
    title: 'Exponent notation',
    detail:
      '{field} の値「{value}」は指数表記です（表計算ソフトで数値に変換され、桁が失われています。元のシステムから文字列として出力し直してください）',
  },

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

  // Processes, folders and keys (crash recovery, the data folder lock, the outbox).
  HUB_ERR_DATA_DIR_LOCKED: {
    status: 409,
    title: 'Data folder in use',
    detail:
      'データフォルダ {dir} は別のプロセス（{host} の pid {pid}: madoguchi-hub {command}）が使用中です。その終了を待つか、止めてから再実行してください（例: kill {pid}）。serve の実行中は、取込を import コマンドか POST /v1/imports でサーバーに渡せます',
  },
  HUB_ERR_OUTBOX_NOT_CONFIGURED: {
    status: 500,
    title: 'Outbox folder not configured',
    detail:
      '送信先 {target} の出力フォルダが設定されていません。HUB_OUTBOX_DIR を指定してください（HUB_DATA_DIR=memory:// のときは既定のフォルダがありません）',
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

/** One item of a problem's `errors`: the field (and person), its own code, a message for staff. */
export interface ProblemItem {
  field?: string;
  person?: string;
  code?: ErrorCode;
  message: string;
}

/** A hub error: carries a stable code, an HTTP status and a message for counter staff. */
export class HubError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly params: Record<string, unknown>;
  readonly errors?: ProblemItem[];

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, errors?: ProblemItem[]) {
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
