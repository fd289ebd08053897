import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isNode, LineCounter, parseDocument } from 'yaml';

/** A problem in a data file, with its place: `file:line:column: message`. */
export interface FileIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatIssue(i: FileIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.message}`;
}

export interface LoadedYaml<T> {
  file: string;
  value: T;
  /** The line and column of the node at a path (JSON-pointer segments), or of its nearest parent. */
  locate(path: (string | number)[]): { line: number; column: number };
}

/**
 * Parses a YAML file and checks it against a TypeBox schema. Syntax errors and schema errors
 * come back as issues with file, line and column; `value` is set only when there are none.
 */
export function loadYaml<T>(
  file: string,
  schema: TSchema,
  references: TSchema[] = [],
  text: string = readFileSync(file, 'utf8'),
): { loaded?: LoadedYaml<T>; issues: FileIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: FileIssue[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, message: e.message.split('\n')[0]! };
  });
  if (issues.length > 0) return { issues };
  const value = doc.toJS() as unknown;
  const locate = (path: (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return { line: 1, column: 1 };
  };
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, references, value)) {
    const segments = error.path.split('/').slice(1).map(unescapePointer);
    const key = `${error.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = locate(segments);
    issues.push({
      file,
      ...where,
      message: `${error.path || '/'}: ${describeError(error.schema, error.message)}`,
    });
  }
  if (issues.length > 0) return { issues };
  return { loaded: { file, value: value as T, locate }, issues };
}

function unescapePointer(s: string): string | number {
  const v = s.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** A union's error says which values it takes, e.g. `one of trim, digits, { zeroPad }`. */
function describeError(schema: TSchema, message: string): string {
  const options = (schema.anyOf ?? schema.oneOf) as TSchema[] | undefined;
  if (!options) return message;
  const names = options.map((o) =>
    o.const !== undefined
      ? JSON.stringify(o.const)
      : o.properties
        ? `{ ${Object.keys(o.properties).join(' | ')} }`
        : (o.type ?? '?'),
  );
  return `${message}: one of ${names.join(', ')}`;
}
