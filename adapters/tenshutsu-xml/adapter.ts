import { Type } from '@sinclair/typebox';
import { parseStringPromise } from 'xml2js';
import { InputError } from '../../src/errors.ts';
import { decodeBytes, type Encoding, encodingFromName, hasUtf8Bom } from '../../src/parsers/decode.ts';
import { defineAdapter, type ReadContext, type ReadItem } from '../../src/sdk/adapter.ts';

/** A certificate is one small document; anything larger is not one. */
const MAX_BYTES = 5 * 1024 * 1024;

type Node = string | { $?: Record<string, string>; _?: string; [k: string]: unknown } | undefined;

const text = (n: unknown): string => {
  if (typeof n === 'string') return n;
  if (n && typeof n === 'object' && '_' in n) return String((n as { _: unknown })._ ?? '');
  return '';
};
const attr = (n: unknown, name: string): string =>
  n && typeof n === 'object' ? String((n as { $?: Record<string, string> }).$?.[name] ?? '') : '';
const child = (n: unknown, name: string): Node =>
  n && typeof n === 'object' ? ((n as Record<string, unknown>)[name] as Node) : undefined;

/** The encoding the XML prolog declares (UTF-8 when it declares none), or an InputError. */
function prologEncoding(bytes: Buffer): { encoding: Encoding; bom: boolean } {
  if (hasUtf8Bom(bytes)) return { encoding: 'utf-8', bom: true };
  const head = bytes.subarray(0, 200).toString('latin1');
  const m = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(head);
  if (!m) return { encoding: 'utf-8', bom: false };
  const encoding = encodingFromName(m[1]!);
  if (!encoding)
    throw new InputError('HUB_ERR_ENCODING_UNSUPPORTED', { line: 1, field: 'encoding' }, { encoding: m[1] });
  return { encoding, bom: false };
}

function lineOf(error: unknown): number {
  const m = /Line:\s*(\d+)/.exec(String((error as Error).message));
  return m ? Number(m[1]) + 1 : 1;
}

async function* read(input: AsyncIterable<Uint8Array>, context: ReadContext): AsyncGenerator<ReadItem> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    size += chunk.length;
    if (size > MAX_BYTES)
      throw new InputError(
        'HUB_ERR_XML',
        { line: 0 },
        { message: `${MAX_BYTES} バイトを超える証明書は読みません` },
      );
    parts.push(Buffer.from(chunk));
  }
  let bytes = Buffer.concat(parts);
  // A trailing EOF byte 0x1A (and the line breaks around it) is not part of the document.
  let end = bytes.length;
  while (end > 0 && [0x1a, 0x0a, 0x0d].includes(bytes[end - 1]!)) end--;
  bytes = bytes.subarray(0, end);
  if (bytes.length === 0) throw new InputError('HUB_ERR_EMPTY_FILE', { line: 0 });
  const declared = prologEncoding(bytes);
  const encoding = context.encoding ?? declared.encoding;
  const decoded = decodeBytes(declared.bom ? bytes.subarray(3) : bytes, encoding);
  if ('invalid' in decoded) {
    const before = bytes.subarray(0, decoded.invalid.offset);
    throw new InputError(
      'HUB_ERR_INVALID_BYTES',
      { line: before.toString('latin1').split('\n').length },
      { encoding, ...decoded.invalid },
    );
  }
  const xml = decoded.text;
  // DTDs and entities are never resolved: a document that declares one is refused.
  const dtd = /<!DOCTYPE|<!ENTITY/i.exec(xml);
  if (dtd) {
    throw new InputError('HUB_ERR_XML_DTD', { line: xml.slice(0, dtd.index).split('\n').length });
  }
  let doc: Record<string, unknown> | null;
  try {
    doc = await parseStringPromise(xml, { explicitArray: false, strict: true });
  } catch (e) {
    throw new InputError(
      'HUB_ERR_XML',
      { line: lineOf(e) },
      { message: String((e as Error).message).split('\n')[0] },
    );
  }
  const root = doc?.転出証明書;
  if (!root || typeof root !== 'object')
    throw new InputError('HUB_ERR_XML', { line: 1 }, { message: 'ルート要素が <転出証明書> ではありません' });

  const cert: Record<string, string> = {
    版: attr(root, '版'),
    証明書番号: text(child(root, '証明書番号')).trim(),
    交付年月日: text(child(root, '交付年月日')),
    交付市区町村: text(child(root, '交付市区町村')),
    交付市区町村コード: attr(child(root, '交付市区町村'), 'コード'),
    転出予定年月日: text(child(root, '転出予定年月日')),
    世帯主氏名: attr(child(root, '世帯主'), '氏名'),
    備考: text(child(root, '備考')),
  };
  for (const [el, prefix] of [
    ['従前の住所', '従前の住所'],
    ['転出先', '転出先'],
  ] as const) {
    const a = child(root, el);
    cert[`${prefix}_郵便番号`] = text(child(a, '郵便番号'));
    cert[`${prefix}_住所`] = text(child(a, '住所'));
    cert[`${prefix}_方書`] = text(child(a, '方書'));
  }
  const list = child(child(root, '異動者'), '者');
  const persons = (Array.isArray(list) ? list : list ? [list] : []) as Node[];
  if (persons.length === 0)
    throw new InputError('HUB_ERR_XML', { line: 1 }, { message: '<異動者> に <者> がありません' });

  const fields = [...Object.keys(cert), ...Object.keys(personValues(persons[0]))];
  yield { kind: 'meta', encoding, encodingDetected: false, mode: 'delta', fields };
  for (const [i, p] of persons.entries()) {
    const values = { ...cert, ...personValues(p) };
    if (!values.順位) values.順位 = String(i + 1);
    yield {
      kind: 'record',
      entity: 'transfer-person',
      line: i + 1,
      values,
      raw: Buffer.from(JSON.stringify(p), 'utf8'),
    };
  }
}

/** One <者> as flat fields: element text by name, attributes as `<element>_<attribute>`. */
function personValues(p: Node): Record<string, string> {
  const v: Record<string, string> = { 順位: attr(p, '順位') };
  for (const name of [
    '住民票コード',
    '個人番号',
    '氏名',
    '氏名フリガナ',
    '通称',
    '通称フリガナ',
    '生年月日',
    '性別',
    '続柄',
    '住民となった年月日',
  ]) {
    v[name] = text(child(p, name));
  }
  const domicile = child(p, '本籍');
  v.本籍 = text(domicile);
  v.本籍_筆頭者 = attr(domicile, '筆頭者');
  for (const el of ['国民健康保険', '後期高齢者医療', '介護保険', '国民年金', '児童手当'])
    v[`${el}_該当`] = attr(child(p, el), '該当');
  v.国民年金_種別 = attr(child(p, '国民年金'), '種別');
  v.国民年金_基礎年金番号 = attr(child(p, '国民年金'), '基礎年金番号');
  v.児童手当_受給開始年月 = attr(child(p, '児童手当'), '受給開始年月');
  const foreign = child(p, '外国人');
  for (const a of ['国籍', '区分', '在留資格', '在留期間', '満了日', '在留カード番号'])
    v[`外国人_${a}`] = attr(foreign, a);
  v.住民種別 = foreign ? '2' : '1';
  return v;
}

export default defineAdapter({
  manifest: {
    id: 'tenshutsu-xml',
    version: '1.0.0',
    title: '転出証明書（転出証明書情報）XML',
    direction: 'read',
    formats: ['xml'],
    encodings: ['utf-8', 'cp932'],
    entities: ['transfer-person'],
    configSchema: Type.Object({}),
  },
  read,
});
