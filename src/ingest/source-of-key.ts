/**
 * The source a record belongs to from its key: its entity and its key without the last part
 * (person → 市区町村コード). The file registry compares runs by these.
 */
export function sourceOfKey(entity: string, key: string): string {
  const parts = key.split(':');
  return `${entity}/${parts.slice(0, Math.max(1, parts.length - 1)).join(':')}`;
}
